/**
 * The exported Zuul jobs, run by zuul-jobs' own build-docker-image role
 * (Ansible, as a Zuul executor runs it), each on an engine of its own, with
 * images passing from job to job only through a loopback buildset registry:
 * the chain opendev/python-base -> opendev/openstacksdk ->
 * opendev/diskimage-builder, with an openstacksdk change handed in as a
 * sibling checkout. Each child's engine resolves its parent from the registry
 * the way use-buildset-registry arranges it (a registry mirror). The child
 * must carry the change's openstacksdk and sit on the image the earlier job
 * pushed; the same Dockerfiles built by the Nx targets pass their image tests,
 * and both builds install the same versions.
 *
 * Worked around, and why (see also the note on the issue):
 * - this machine's engines have no bridge network (--bridge=none), and the
 *   role has no option for the build's network: a `docker` wrapper first on
 *   PATH adds `--network host` to `docker build`, and nothing else;
 * - the buildset registry is `localhost:<port>`, a name: with an IP the role
 *   would append a line to the machine's /etc/hosts;
 * - the registry has no auth (the role does not log in; Zuul's
 *   use-buildset-registry would);
 * - the root image (debian/bookworm, made from Debian packages) comes from
 *   the exported Nx job (`nx run debian/bookworm:push`), as the export says.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { RegistryClient } from '@imgmono/registry';
import { docker, integrationEnabled, runInImage, SecondEngine, createSecondEngine } from '@imgmono/test-engine';
import { failureReport, commitAll, git, TestRegistry, startRegistry, makeTempDir, removeDir, REPO_ROOT, TestWorkspace, createTestWorkspace, readRecord, UPSTREAM, cloneUpstream, upstreamMissing, writeProjectsFile } from '@imgmono/testing';

const run = promisify(execFile);
const ZUUL_JOBS = process.env.ZUUL_JOBS_DIR ?? path.resolve(REPO_ROOT, '../zuul-jobs');

function zuulJobsMissing(): string | undefined {
  const missing = !existsSync(path.join(ZUUL_JOBS, 'roles/build-docker-image'))
    ? `zuul-jobs not found at ${ZUUL_JOBS} (set ZUUL_JOBS_DIR, or clone ../shared/upstream/zuul-jobs.bundle there)`
    : spawnFails('ansible-playbook')
      ? "ansible-playbook is not installed (Debian's ansible package)"
      : undefined;
  if (missing !== undefined && process.env.CI === 'true') throw new Error(`${missing}: CI must run this test`);
  if (missing !== undefined) console.warn(`skipped: ${missing}`);
  return missing;
}

function spawnFails(command: string): boolean {
  try {
    execFileSync(command, ['--version'], { stdio: 'ignore' });
    return false;
  } catch {
    return true;
  }
}

const enabled = (await integrationEnabled()) && upstreamMissing(['openstacksdk', 'diskimage-builder']) === undefined && zuulJobsMissing() === undefined;
const CHAIN = ['opendev/python-base', 'opendev/openstacksdk', 'opendev/diskimage-builder'];
const WORKSPACE_PROJECT = 'opendev.org/imgmono/images';
const CHANGE = '1234';

type Job = { name: string; dependencies?: Array<{ name: string; soft?: boolean }>; vars: { docker_images: unknown[] } };

describe.skipIf(!enabled)("zuul-jobs' build-docker-image role runs the exported chain on separate engines through a buildset registry", () => {
  let tmp: string;
  let home: string;
  let registry: TestRegistry;
  const engines = new Map<string, SecondEngine>();
  let ws: TestWorkspace;
  let projectsFile: string;
  const figures: Record<string, number> = {};

  /** Runs one exported job: the role, with the variables a Zuul executor gives, against the job's own engine. */
  async function runJob(job: Job, engine: SecondEngine): Promise<string> {
    const vars = {
      zuul: {
        change: CHANGE,
        patchset: '1',
        pipeline: 'check',
        change_url: `https://review.example.invalid/${CHANGE}`,
        project: { src_dir: `src/${WORKSPACE_PROJECT}`, name: WORKSPACE_PROJECT },
        projects: Object.fromEntries([WORKSPACE_PROJECT, UPSTREAM.openstacksdk.project, UPSTREAM['diskimage-builder'].project].map((name) => [name, { src_dir: `src/${name}` }])),
        executor: { work_root: path.join(tmp, 'executor'), result_data_file: path.join(tmp, 'executor/results.json') },
      },
      zuul_work_dir: `src/${WORKSPACE_PROJECT}`,
      ansible_user_dir: home,
      buildset_registry: { host: 'localhost', port: Number(registry.host.split(':')[1]) },
      docker_images: job.vars.docker_images,
    };
    const varsFile = path.join(tmp, `${job.name}.json`);
    await fs.writeFile(varsFile, JSON.stringify(vars));
    const started = Date.now();
    const output = await new Promise<{ code: number | null; text: string }>((resolve) => {
      const child = spawn('ansible-playbook', ['-i', 'localhost,', '-c', 'local', path.join(home, 'build.yaml'), '-e', `@${varsFile}`], {
        cwd: home,
        env: { ...process.env, HOME: home, DOCKER_HOST: engine.host, ANSIBLE_ROLES_PATH: path.join(ZUUL_JOBS, 'roles'), PATH: `${path.join(tmp, 'shim')}:${process.env.PATH}`, ANSIBLE_NOCOLOR: '1', ANSIBLE_FORCE_COLOR: '0' },
      });
      let text = '';
      child.stdout.on('data', (chunk) => (text += chunk));
      child.stderr.on('data', (chunk) => (text += chunk));
      child.on('close', (code) => resolve({ code, text }));
    });
    figures[job.name] = (Date.now() - started) / 1000;
    expect(output.code, `${job.name}:\n${output.text.slice(-6000)}`).toBe(0);
    return output.text;
  }

  beforeAll(async () => {
    tmp = await makeTempDir('imgmono-zuul-jobs-');
    home = path.join(tmp, 'home');
    await fs.mkdir(path.join(tmp, 'executor'), { recursive: true });
    // the job's checkouts, as Zuul lays them out: the workspace and the siblings, the openstacksdk change on top
    const src = path.join(home, 'src');
    const sdk = await cloneUpstream('openstacksdk', src);
    await cloneUpstream('diskimage-builder', src);
    await commitAll(sdk, { 'openstack/depends_on.py': 'CHANGE = "openstacksdk change under test"\n' }, 'A change the images must carry');
    const workspace = path.join(src, WORKSPACE_PROJECT);
    await fs.mkdir(workspace, { recursive: true });
    for (const item of ['images', 'sources', 'namespaces.json', 'zuul.d']) await fs.cp(path.join(REPO_ROOT, item), path.join(workspace, item), { recursive: true });
    git(workspace, 'init', '-q', '-b', 'master');
    git(workspace, 'add', '-A');
    git(workspace, 'commit', '-qm', 'the workspace under test');
    projectsFile = path.join(tmp, 'projects.json');
    await writeProjectsFile(projectsFile, { [UPSTREAM.openstacksdk.project]: sdk, [UPSTREAM['diskimage-builder'].project]: path.join(src, UPSTREAM['diskimage-builder'].project) });

    // in the home folder: with a local connection, the role's relative paths resolve against the playbook's folder
    await fs.writeFile(path.join(home, 'build.yaml'), '- hosts: all\n  gather_facts: false\n  tasks:\n    - name: Build the images of the job\n      include_role:\n        name: build-docker-image\n');
    // the engines have no bridge network and the role sets no build network: host networking for `docker build` only
    await fs.mkdir(path.join(tmp, 'shim'));
    const realDocker = (await run('sh', ['-c', 'command -v docker'])).stdout.trim();
    await fs.writeFile(path.join(tmp, 'shim/docker'), `#!/bin/sh\nif [ "$1" = build ]; then shift; exec ${realDocker} build --network host "$@"; fi\nexec ${realDocker} "$@"\n`, { mode: 0o755 });

    registry = await startRegistry(path.join(tmp, 'registry'));
    for (const image of CHAIN) {
      const engine = await createSecondEngine(path.join(tmp, `engine-${image.split('/')[1]}`), { registryMirror: `http://localhost:${registry.host.split(':')[1]}` });
      await engine.start();
      engines.set(image, engine);
    }
    // the exported root job: the root image, made by Nx, pushed to the buildset registry
    ws = await createTestWorkspace();
    for (const item of ['images', 'sources', 'scenarios', 'namespaces.json']) await fs.cp(path.join(REPO_ROOT, item), path.join(ws.root, item), { recursive: true });
    const root = await ws.nx(['run', 'debian/bookworm:push', '--output-style=stream'], { IMAGE_REGISTRY: registry.host, IMAGE_RELEASE: 'true', DOCKER_CONFIG: path.join(tmp, 'no-docker-config') });
    expect(root.code, failureReport(root.output, 3000)).toBe(0);
  });

  afterAll(async () => {
    registry?.stop();
    for (const engine of engines.values()) await engine.remove();
    await ws?.remove();
    await removeDir(tmp);
  });

  it('runs the build jobs in the order of the exported job graph, each on its own engine; the child carries the change and sits on the parent the earlier job pushed', async () => {
    const exported = parse(await fs.readFile(path.join(REPO_ROOT, 'zuul.d/images.yaml'), 'utf8')) as Array<{ job?: Job }>;
    const jobs = new Map(exported.filter((item) => item.job !== undefined).map((item) => [item.job!.name, item.job!]));
    const jobOf = (image: string) => jobs.get(`imgmono-build-${image.replace('/', '-')}`)!;
    // the order the exported dependencies give
    const order: string[] = [];
    const visit = (image: string) => {
      if (order.includes(image)) return;
      for (const dependency of jobOf(image).dependencies ?? []) {
        const parent = CHAIN.find((candidate) => `imgmono-build-${candidate.replace('/', '-')}` === dependency.name);
        if (parent !== undefined) visit(parent);
      }
      order.push(image);
    };
    for (const image of [...CHAIN].reverse()) visit(image);
    expect(order).toEqual(CHAIN);

    const outputs: Record<string, string> = {};
    for (const image of order) outputs[image] = await runJob(jobOf(image), engines.get(image)!);
    const client = new RegistryClient({ host: registry.host });
    for (const image of CHAIN) expect(await client.listTags(image), image).toContain('latest');

    const dib = engines.get('opendev/diskimage-builder')!.client;
    const built = await dib.getImage('opendev/diskimage-builder:latest').inspect();
    expect(built.Config.Labels['org.zuul-ci.change']).toBe(CHANGE);
    // the role passed the sibling as ZUUL_SIBLINGS, and no SOURCE_VERSIONS: the history keeps the build arguments
    const history = (await engines.get('opendev/openstacksdk')!.client.getImage('opendev/openstacksdk:latest').history()) as Array<{ CreatedBy: string }>;
    expect(history.map((step) => step.CreatedBy).join('\n')).toMatch(/ZUUL_SIBLINGS=opendev\.org\/openstack\/openstacksdk .*install-sources/);
    expect(outputs['opendev/openstacksdk']).toMatch(/ok=\d+ +changed=\d+ +unreachable=0 +failed=0/);
    // the change's openstacksdk, numbered by pbr from the checkout's git history, which the role copies with the sibling
    const carried = await runOn(dib, 'opendev/diskimage-builder:latest', ['python3', '-c', "import importlib.metadata as m, openstack.depends_on as change; print(m.version('openstacksdk'), '|', change.CHANGE)"]);
    expect(carried.trim()).toBe('0.103.1.dev1 | openstacksdk change under test');
    // on the parent the earlier job pushed: its layers first
    const parent = await engines.get('opendev/openstacksdk')!.client.getImage('opendev/openstacksdk:latest').inspect();
    expect(built.RootFS.Layers!.slice(0, parent.RootFS.Layers!.length)).toEqual(parent.RootFS.Layers);
    // and the child's engine got that parent from the registry, not built it: it holds no build of it
    expect((await dib.getImage('opendev/openstacksdk:latest').inspect()).Id).toBe(parent.Id);
    console.log(`zuul-jobs figures: ${CHAIN.map((image) => `${image} ${figures[jobOf(image).name].toFixed(1)} s`).join(', ')}`);
  });

  it('the same Dockerfiles built by the Nx targets pass their image tests, and install the same versions', async () => {
    const tests = await ws.nx(['run-many', '-t', 'image-test', `--projects=${CHAIN.join(',')}`, '--output-style=stream'], {
      IMAGE_SOURCES_PROJECTS: projectsFile,
      IMAGE_SOURCES_CLONE: 'false',
      IMAGE_SOURCES_SIBLINGS: path.join(tmp, 'no-siblings'),
      IMAGE_SOURCES_STRICT: 'false',
      IMAGE_TAGS: 'zuul-jobs-test',
    });
    expect(tests.code, failureReport(tests.output, 6000)).toBe(0);
    for (const image of CHAIN) expect(tests.output).toMatch(new RegExp(`\\[${image}\\] image-test: \\d+ passed, 0 failed`));
    const record = await readRecord(ws, 'opendev/diskimage-builder');
    const nxVersions = await runInImage(record.imageId as string, ['python3', '-c', "import importlib.metadata as m; print(m.version('openstacksdk'), m.version('diskimage-builder'))"]);
    const roleVersions = await runOn(engines.get('opendev/diskimage-builder')!.client, 'opendev/diskimage-builder:latest', ['python3', '-c', "import importlib.metadata as m; print(m.version('openstacksdk'), m.version('diskimage-builder'))"]);
    expect(nxVersions.output.trim()).toBe('0.103.1.dev1 3.27.0');
    expect(roleVersions.trim()).toBe(nxVersions.output.trim());
    for (const image of ['debian/bookworm', ...CHAIN]) await docker.getImage(`${image}:zuul-jobs-test`).remove({ noprune: true }).catch(() => undefined);
  });
});

/** A command in a fresh container of an image on another engine; its output. */
async function runOn(client: import('dockerode'), image: string, cmd: string[]): Promise<string> {
  const container = await client.createContainer({ Image: image, Cmd: cmd, Entrypoint: [], HostConfig: { NetworkMode: 'none' } });
  try {
    await container.start();
    await container.wait();
    const logs = (await container.logs({ stdout: true, stderr: true })) as unknown as Buffer;
    const { demuxContainerOutput } = await import('@imgmono/engine');
    return demuxContainerOutput(logs);
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}
