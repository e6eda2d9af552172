/** What the OCI source/revision labels say about the workspace: read from git, absent outside a checkout. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { withoutUrlUserInfo } from '@imgmono/secrets';

const run = promisify(execFile);

export interface WorkspaceGitInfo {
  source?: string;
  revision?: string;
}

const cache = new Map<string, Promise<WorkspaceGitInfo>>();

/** Read once per process and workspace: a batch of image tasks shares it. */
export function readWorkspaceGit(root: string): Promise<WorkspaceGitInfo> {
  let info = cache.get(root);
  if (info === undefined) {
    info = readGit(root);
    cache.set(root, info);
  }
  return info;
}

async function readGit(root: string): Promise<WorkspaceGitInfo> {
  const git = async (...args: string[]) =>
    run('git', ['-C', root, ...args], { timeout: 10_000 })
      .then((out) => out.stdout.trim() || undefined)
      .catch(() => undefined);
  const [revision, source] = await Promise.all([git('rev-parse', 'HEAD'), git('config', '--get', 'remote.origin.url')]);
  // a CI checkout's origin often carries a token (https://gitlab-ci-token:<token>@host/repo.git)
  return { revision, source: source === undefined ? undefined : withoutUrlUserInfo(source) };
}
