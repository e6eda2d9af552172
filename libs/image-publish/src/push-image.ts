/**
 * Pushes one image project's computed tags to a registry through the
 * engine. Checks the registry and the credentials before pushing anything;
 * every pushed tag must give the same digest; writes a push record.
 */
import * as path from 'node:path';
import { EngineClient, RegistryAuth } from '@imgmono/engine';
import { readBuildRecord, RECORDS_FOLDER, writeFileAtomic } from '@imgmono/build-records';
import { RegistryClient } from '@imgmono/registry';
import { TagContext, TagRule, computeTags, movingTags } from '@imgmono/tags';
import { publishedVersion } from './published-versions';
import { UserError } from '@imgmono/errors';

export class PublishError extends UserError {
  constructor(
    readonly project: string,
    message: string,
  ) {
    super(`${project}: ${message}`);
  }
}

export interface PushRequest {
  workspaceRoot: string;
  project: string;
  registry: RegistryClient;
  auth?: RegistryAuth;
  rules: readonly TagRule[];
  context: TagContext;
  /** CI mode: an image left unbuilt for a missing source is an error here too. */
  strict: boolean;
}

export type PushOutcome = { digest: string; tags: string[] } | { notBuilt: string };

export async function pushImageProject(request: PushRequest, deps: { engine: EngineClient; log: (line: string) => void }): Promise<PushOutcome> {
  const log = (line: string) => deps.log(`[${request.project}] ${line}`);
  const fail = (message: string): never => {
    throw new PublishError(request.project, message);
  };
  const record = await readBuildRecord(request.workspaceRoot, request.project);
  if (record?.status === 'unavailable') {
    if (request.strict) fail(`not built, so not pushed: ${record.error}`);
    log(`not pushed: the image was not built (${record.error})`);
    return { notBuilt: record.error ?? 'not built' };
  }
  if (record === undefined || record.imageId === undefined || (record.status !== 'built' && record.status !== 'reused')) {
    fail(`no successful build record: run 'nx run ${request.project}:image' first (the push target does so through dependsOn)`);
  }
  if ((await deps.engine.inspectImage(record!.imageId!)) === undefined) fail(`the engine no longer holds ${record!.imageId}: build it again`);
  await request.registry.ping(); // refused credentials fail here, before anything is pushed

  const host = request.registry.host;
  const remote = `${host}/${request.project}`;
  // every moving tag the rules give (latest, {{major}}, {{major}}-bookworm, ...), read under exactly that name:
  // a release moves them, and a change build names them for its promote (change_<N>_<tag>)
  const published: Record<string, string> = {};
  if (request.context.release || request.context.change !== undefined) {
    for (const tag of movingTags({ version: record!.version, rules: request.rules })) {
      const version = await publishedVersion(request.registry, request.project, tag);
      if (version !== undefined) published[tag] = version;
    }
  }
  const primary = record!.sources?.find((source) => source.version === record!.version);
  const plan = computeTags({
    version: record!.version,
    context: { ...request.context, sha: request.context.sha ?? primary?.revision, digest: request.context.digest ?? record!.inputDigest },
    rules: request.rules,
    published,
  });
  for (const skipped of plan.skipped) log(`tag rule '${skipped.rule}' gives no tag: ${skipped.reason}`);
  if (plan.tags.length === 0) fail('the tag rules give no tag for this build: nothing to push (set IMAGE_CHANGE for a change build or IMAGE_RELEASE=true for a release)');

  let digest: string | undefined;
  for (const tag of plan.tags) {
    await deps.engine.tagImage(record!.imageId!, remote, tag);
    const pushed = await deps.engine.pushImage(remote, tag, request.auth).catch((error: Error) => fail(error.message));
    if (digest !== undefined && pushed !== digest) fail(`${remote}:${tag} was pushed as ${pushed}, but earlier tags as ${digest}; the image changed during the push`);
    digest = pushed;
    log(`pushed ${remote}:${tag} ${pushed}`);
  }
  const file = path.join(request.workspaceRoot, RECORDS_FOLDER, ...request.project.split('/'), 'push.json');
  await writeFileAtomic(file, `${JSON.stringify({ project: request.project, registry: host, imageId: record!.imageId, digest, tags: plan.tags, at: new Date().toISOString() }, null, 2)}\n`);
  return { digest: digest!, tags: plan.tags };
}
