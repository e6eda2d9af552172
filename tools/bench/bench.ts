/**
 * npm run bench: figures measured side by side in one run, printed as a
 * table with ratios against a baseline, and written as JSON (dist/bench/)
 * so a later run can be compared with this one. A script, not a test.
 *
 *   1. cold chain build vs a plain `docker build` loop over the same Dockerfiles
 *   2. warm no-op run (run-many, affected, npm run images) vs the Nx floor (trivial targets) and the warm docker loop
 *   3. one leaf Dockerfile changed: what `nx affected -t image` builds
 *   4. streaming a 20,000-file, 200 MB checkout vs `tar -c`, and peak memory
 *   5. generated 1,001- and 5,001-image workspaces against plain Nx: graph, affected, check, growth
 *   6. two independent branches, --parallel=2 vs --parallel=1
 *
 * Set BENCH_SKIP=cold,stream,... to leave sections out.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Docker from 'dockerode';
import { FILE_HASH_CACHE_RACY_MS } from '@imgmono/build-context';
import { makeBigCheckout, TestWorkspace, busyboxRoot, createTestWorkspace, imageProject } from '@imgmono/testing';
import { containersCreated } from '@imgmono/test-engine';
import { bundleScript } from '../scripts/bundle-script';

const ROOT = path.resolve(__dirname, '../..');
const CHAIN = ['debian/bookworm', 'opendev/python-base', 'opendev/openstacksdk', 'opendev/diskimage-builder'];
const skip = new Set((process.env.BENCH_SKIP ?? '').split(',').filter(Boolean));
const docker = new Docker();

interface Figure {
  section: string;
  name: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number };
  ratio?: number;
  target?: string;
  met?: boolean;
}
const figures: Figure[] = [];
const add = (figure: Figure) => {
  figures.push(figure);
  const base = figure.baseline ? `  vs ${figure.baseline.name} ${fmt(figure.baseline.value)}` : '';
  console.log(`bench: ${figure.section} | ${figure.name}: ${fmt(figure.value)} ${figure.unit}${base}${figure.ratio !== undefined ? `  ratio ${figure.ratio.toFixed(2)}` : ''}`);
};
const fmt = (n: number) => (Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2));

function timed(fn: () => void): number {
  const started = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function timedAsync(fn: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function nxOk(ws: TestWorkspace, args: string[], env: Record<string, string> = {}): Promise<string> {
  const run = await ws.nx(args, env);
  if (run.code !== 0) throw new Error(`nx ${args.join(' ')} failed:\n${run.output.slice(-3000)}`);
  return run.output;
}


/**
 * The floor of any plugin executor in Nx's default task mode: an installed
 * package (as node_modules/@imgmono/image-plugin is) whose executor returns at
 * once; and in batch mode (NX_BATCH_MODE=true, as `npm run images` runs), its
 * batch implementation, which reports every task of the batch done at once.
 * Written into node_modules for the bench's run only.
 */
const FLOOR_PACKAGE = '@imgmono/bench-floor';
const floorFolder = path.join(ROOT, 'node_modules', FLOOR_PACKAGE);
async function writeFloorPackage(): Promise<void> {
  await fs.mkdir(floorFolder, { recursive: true });
  await fs.writeFile(path.join(floorFolder, 'package.json'), JSON.stringify({ name: FLOOR_PACKAGE, version: '0.0.0', private: true, executors: './executors.json' }));
  await fs.writeFile(path.join(floorFolder, 'executors.json'), JSON.stringify({ executors: { ok: { implementation: './ok.js', batchImplementation: './ok-batch.js', schema: './schema.json', description: 'returns at once' } } }));
  await fs.writeFile(path.join(floorFolder, 'schema.json'), JSON.stringify({ type: 'object', properties: {} }));
  await fs.writeFile(path.join(floorFolder, 'ok.js'), 'module.exports = async function ok() {\n  return { success: true };\n};\n');
  await fs.writeFile(
    path.join(floorFolder, 'ok-batch.js'),
    "module.exports = async function* okBatch(taskGraph) {\n  for (const task of Object.keys(taskGraph.tasks)) yield { task, result: { success: true, terminalOutput: '' } };\n};\n",
  );
}

async function exampleWorkspace(): Promise<TestWorkspace> {
  const ws = await createTestWorkspace('bench');
  // the chain's images only: in it, the last image is a leaf (in the whole workspace it has children)
  for (const part of ['sources', 'namespaces.json', ...CHAIN.map((image) => `images/${image}`)]) await fs.cp(path.join(ROOT, part), path.join(ws.root, part), { recursive: true });
  // the Nx floor: a trivial target on every image project, ordered like image
  for (const image of CHAIN) {
    const file = path.join(ws.root, 'images', image, 'project.json');
    const json = JSON.parse(await fs.readFile(file, 'utf8'));
    json.targets = {
      ...(json.targets ?? {}),
      'bench-noop': { executor: 'nx:noop', dependsOn: ['^bench-noop'] },
      // the trivial target the issue names: Nx 23 runs nx:run-commands inside its own process (it spawns `true`),
      // in a forked task process only with NX_RUN_COMMANDS_DIRECTLY=false
      'bench-run-commands': { executor: 'nx:run-commands', options: { command: 'true' }, dependsOn: ['^bench-run-commands'], cache: false },
      // a trivial plugin executor: like every executor but run-commands and noop, Nx forks a Node process for it
      'bench-trivial': { executor: `${FLOOR_PACKAGE}:ok`, dependsOn: ['^bench-trivial'], cache: false },
    };
    await fs.writeFile(file, JSON.stringify(json, null, 2));
  }
  await ws.git(['add', '-A']);
  await ws.git(['commit', '-qm', 'bench workspace']);
  return ws;
}

/**
 * No source checkouts, as in the docker build loop: the siblings folder is an empty one of the
 * bench's own (by default it is the workspace's parent, where a clone's siblings may lie, and
 * then ours would install them and the loop would not).
 */
const NO_SIBLINGS = execFileSync('mktemp', ['-d', path.join(os.tmpdir(), 'bench-no-siblings-XXXXXX')], { encoding: 'utf8' }).trim();
const ENV = { IMAGE_TAGS: 'bench-ours', IMAGE_SOURCES_CLONE: 'false', IMAGE_SOURCES_STRICT: 'false', IMAGE_SOURCES_SIBLINGS: NO_SIBLINGS };
const loop = (ws: TestWorkspace, noCache: boolean) => {
  const args = [path.join(__dirname, 'docker-build-loop.sh'), ws.root, 'bench-loop', ...(noCache ? ['--no-cache'] : []), ...CHAIN];
  const result = spawnSync('bash', args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`docker build loop failed: ${result.stderr}`);
};

/** What a command costs above its floor, per image of the chain, in milliseconds. */
const perImageMs = (seconds: number, floorSeconds: number) => ((seconds - floorSeconds) / CHAIN.length) * 1000;

/** The two floors of nx:run-commands: Nx 23 runs it in its own process; forked, it is the floor goal 1 of issue 15 names. */
const IN_PROCESS_RUN_COMMANDS = "nx:run-commands true, run in Nx's own process (Nx 23)";
const FORKED_RUN_COMMANDS = 'nx:run-commands true in a forked task process (NX_RUN_COMMANDS_DIRECTLY=false)';

async function chainSections(): Promise<void> {
  const ws = await exampleWorkspace();
  try {
    const projects = `--projects=${CHAIN.join(',')}`;
    if (!skip.has('cold')) {
      // ours, the loop, the loop, ours: the builds fetch packages from the mirror, whose speed drifts
      // over minutes, and in this order a drift weighs on both alike. Before them, one loop untimed:
      // the first cold build of a bench run warms what every later one uses (the mirror's answers,
      // the page cache); in one run without it ours took 68.7 s first and 57.0 s last, the loop
      // 58.6 s and 57.5 s between them.
      loop(ws, true);
      const coldOurs = () => timedAsync(() => nxOk(ws, ['run-many', '-t', 'image', projects, '--parallel=1'], { ...ENV, IMAGE_NO_CACHE: 'true' }));
      const first = await coldOurs();
      const loops = [timed(() => loop(ws, true)), timed(() => loop(ws, true))];
      const second = await coldOurs();
      console.log(`bench: cold chain, in order: ours ${first.toFixed(1)} s, loop ${loops[0].toFixed(1)} s, loop ${loops[1].toFixed(1)} s, ours ${second.toFixed(1)} s`);
      const [ours, baseline] = [(first + second) / 2, (loops[0] + loops[1]) / 2];
      add({ section: 'cold chain (4 images)', name: 'nx run-many -t image (mean of 2, ours-loop-loop-ours)', value: ours, unit: 's', baseline: { name: 'docker build loop (mean of 2)', value: baseline }, ratio: ours / baseline, target: 'ratio <= 1.03', met: ours / baseline <= 1.03 });
    } else {
      await nxOk(ws, ['run-many', '-t', 'image', projects], ENV);
    }
    if (!skip.has('warm')) {
      await nxOk(ws, ['run-many', '-t', 'image', projects], ENV); // settle: every image reused
      const since = Date.now();
      // the variants in rounds, one of each a round, so that a slow moment of the machine weighs on all alike
      const warm = await interleavedMedians(5, {
        ours: () => nxOk(ws, ['run-many', '-t', 'image', projects], ENV),
        batch: () => nxOk(ws, ['run-many', '-t', 'image', projects], { ...ENV, NX_BATCH_MODE: 'true' }),
        floor: () => nxOk(ws, ['run-many', '-t', 'bench-noop', projects]),
        runCommandsFloor: () => nxOk(ws, ['run-many', '-t', 'bench-run-commands', projects, '--skip-nx-cache']),
        trivialFloor: () => nxOk(ws, ['run-many', '-t', 'bench-trivial', projects, '--skip-nx-cache']),
        // the same trivial executor in batch mode: what any batch run costs Nx (the batch process forked, its runner loaded)
        trivialBatch: () => nxOk(ws, ['run-many', '-t', 'bench-trivial', projects, '--skip-nx-cache'], { NX_BATCH_MODE: 'true' }),
        // the same nx:run-commands target in a forked task process, as Nx ran it before it ran run-commands in its own process
        forkedRunCommands: () => nxOk(ws, ['run-many', '-t', 'bench-run-commands', projects, '--skip-nx-cache'], { NX_RUN_COMMANDS_DIRECTLY: 'false' }),
        // the main job as users run it, set-up checks included
        mainJob: async () => {
          const run = spawnSync('bash', ['tools/scripts/build-images.sh', projects], { cwd: ws.root, env: { ...process.env, ...ENV }, encoding: 'utf8' });
          if (run.status !== 0) throw new Error(`npm run images failed:\n${run.stdout}${run.stderr}`);
        },
      });
      const { ours, batch, floor, runCommandsFloor, trivialFloor, trivialBatch, forkedRunCommands, mainJob } = warm;
      const created = await containersCreated(since, Date.now() + 1000);
      const warmLoop = timed(() => loop(ws, false));
      const perImageNoopMs = perImageMs(ours, floor);
      add({ section: 'warm no-op (4 images)', name: 'nx run-many -t image', value: ours, unit: 's', baseline: { name: 'Nx floor (nx:noop)', value: floor }, ratio: ours / floor });
      add({ section: 'warm no-op (4 images)', name: 'above the Nx floor, per image', value: perImageNoopMs, unit: 'ms' });
      const perImageRunCommandsMs = perImageMs(ours, runCommandsFloor);
      add({ section: 'warm no-op (4 images)', name: 'nx run-many -t image', value: ours, unit: 's', baseline: { name: IN_PROCESS_RUN_COMMANDS, value: runCommandsFloor }, ratio: ours / runCommandsFloor });
      add({ section: 'warm no-op (4 images)', name: "above nx:run-commands in Nx's own process, per image", value: perImageRunCommandsMs, unit: 'ms' });
      // what Nx itself costs per plugin-executor task (a Node process forked, Nx's executor runner loaded), and what is ours above it
      const nxForkMs = perImageMs(trivialFloor, runCommandsFloor);
      const perImageForkedRunCommandsMs = perImageMs(ours, forkedRunCommands);
      add({ section: 'warm no-op (4 images)', name: 'nx run-many -t image', value: ours, unit: 's', baseline: { name: FORKED_RUN_COMMANDS, value: forkedRunCommands }, ratio: ours / forkedRunCommands });
      add({ section: 'warm no-op (4 images)', name: 'above nx:run-commands in a forked task process, per image', value: perImageForkedRunCommandsMs, unit: 'ms', target: '<= 30 ms', met: perImageForkedRunCommandsMs <= 30 });
      add({ section: 'warm no-op (4 images)', name: 'trivial plugin executor (Nx forks a process per task)', value: trivialFloor, unit: 's', baseline: { name: IN_PROCESS_RUN_COMMANDS, value: runCommandsFloor }, ratio: trivialFloor / runCommandsFloor });
      add({ section: 'warm no-op (4 images)', name: "Nx's own cost of a plugin-executor task, per image", value: nxForkMs, unit: 'ms' });
      const perImageTrivialMs = perImageMs(ours, trivialFloor);
      add({ section: 'warm no-op (4 images)', name: 'nx run-many -t image', value: ours, unit: 's', baseline: { name: 'trivial plugin executor', value: trivialFloor }, ratio: ours / trivialFloor });
      add({ section: 'warm no-op (4 images)', name: 'above the trivial-plugin-executor floor, per image (ours)', value: perImageTrivialMs, unit: 'ms' });
      const perImageBatchMs = perImageMs(batch, floor);
      add({ section: 'warm no-op (4 images)', name: 'NX_BATCH_MODE=true (npm run images)', value: batch, unit: 's', baseline: { name: 'Nx floor (nx:noop)', value: floor }, ratio: batch / floor });
      add({ section: 'warm no-op (4 images)', name: 'batch mode: above the Nx floor, per image', value: perImageBatchMs, unit: 'ms' });
      add({ section: 'warm no-op (4 images)', name: 'a trivial batch executor (NX_BATCH_MODE=true)', value: trivialBatch, unit: 's', baseline: { name: 'Nx floor (nx:noop)', value: floor }, ratio: trivialBatch / floor });
      add({ section: 'warm no-op (4 images)', name: "Nx's own cost of a batch run (the trivial batch executor above nx:noop)", value: trivialBatch - floor, unit: 's' });
      add({ section: 'warm no-op (4 images)', name: 'batch mode: ours above the trivial batch executor, per image', value: perImageMs(batch, trivialBatch), unit: 'ms' });
      add({ section: 'warm no-op (4 images)', name: 'containers the engine created', value: created, unit: '', target: '0 builds sent', met: created === 0 });
      add({ section: 'warm no-op (4 images)', name: 'nx run-many -t image', value: ours, unit: 's', baseline: { name: 'warm docker build loop', value: warmLoop }, ratio: ours / warmLoop });

      // nx affected with every image affected but nothing to build: a file of each image's checks
      // (never part of a build context) changed since the base commit
      for (const image of CHAIN) {
        await fs.mkdir(path.join(ws.root, 'images', image, 'image-test'), { recursive: true });
        await fs.writeFile(path.join(ws.root, 'images', image, 'image-test', 'bench-note'), 'affected, not an input\n');
      }
      const { affected, affectedRunCommands, affectedTrivial, affectedForkedRunCommands } = await interleavedMedians(5, {
        affected: () => nxOk(ws, ['affected', '-t', 'image', '--base=HEAD'], ENV),
        affectedRunCommands: () => nxOk(ws, ['affected', '-t', 'bench-run-commands', '--base=HEAD', '--skip-nx-cache']),
        affectedTrivial: () => nxOk(ws, ['affected', '-t', 'bench-trivial', '--base=HEAD', '--skip-nx-cache']),
        // goal 1's floor for nx affected: the same command on nx:run-commands in a forked task process
        affectedForkedRunCommands: () => nxOk(ws, ['affected', '-t', 'bench-run-commands', '--base=HEAD', '--skip-nx-cache'], { NX_RUN_COMMANDS_DIRECTLY: 'false' }),
      });
      const perImageAffectedRunCommandsMs = perImageMs(affected, affectedRunCommands);
      const perImageAffectedTrivialMs = perImageMs(affected, affectedTrivial);
      const perImageAffectedForkedMs = perImageMs(affected, affectedForkedRunCommands);
      add({ section: 'warm no-op (4 images)', name: 'nx affected -t image', value: affected, unit: 's', baseline: { name: IN_PROCESS_RUN_COMMANDS, value: affectedRunCommands }, ratio: affected / affectedRunCommands });
      add({ section: 'warm no-op (4 images)', name: "nx affected: above nx:run-commands in Nx's own process, per image", value: perImageAffectedRunCommandsMs, unit: 'ms' });
      add({ section: 'warm no-op (4 images)', name: 'nx affected -t image', value: affected, unit: 's', baseline: { name: FORKED_RUN_COMMANDS, value: affectedForkedRunCommands }, ratio: affected / affectedForkedRunCommands });
      add({ section: 'warm no-op (4 images)', name: 'nx affected: above nx:run-commands in a forked task process, per image', value: perImageAffectedForkedMs, unit: 'ms', target: '<= 30 ms', met: perImageAffectedForkedMs <= 30 });
      add({ section: 'warm no-op (4 images)', name: 'nx affected: above the trivial-plugin-executor floor, per image (ours)', value: perImageAffectedTrivialMs, unit: 'ms' });

      add({ section: 'warm no-op (4 images)', name: 'npm run images (set-up checks included)', value: mainJob, unit: 's', baseline: { name: 'Nx floor (nx:noop)', value: floor }, ratio: mainJob / floor });
      add({ section: 'warm no-op (4 images)', name: 'npm run images: above the Nx floor', value: mainJob - floor, unit: 's', target: '<= 0.5 s', met: mainJob - floor <= 0.5 });
      add({ section: 'warm no-op (4 images)', name: 'npm run images: ours above the trivial batch executor (the image tasks, set-up checks, summary)', value: mainJob - trivialBatch, unit: 's' });
    }
    if (!skip.has('leaf')) {
      await fs.appendFile(path.join(ws.root, 'images/opendev/diskimage-builder/Dockerfile'), 'ENV BENCH_LEAF_CHANGE=1\n');
      const runId = `bench-leaf-${Date.now()}`;
      const seconds = await timedAsync(() => nxOk(ws, ['affected', '-t', 'image', '--base=HEAD'], { ...ENV, IMAGE_RUN_ID: runId }));
      let built = 0;
      for (const image of [...CHAIN, 'opendev/nodepool-builder', 'zuul/nodepool-builder', 'zuul/nodepool-launcher']) {
        const record = JSON.parse(await fs.readFile(path.join(ws.root, 'dist/images', image, 'build.json'), 'utf8').catch(() => '{}'));
        if (record.runId === runId && record.status === 'built') built++;
      }
      add({ section: 'one leaf Dockerfile changed', name: 'images built by nx affected -t image', value: built, unit: `(in ${seconds.toFixed(1)} s)`, target: 'exactly 1', met: built === 1 });
    }
  } finally {
    for (const image of CHAIN) {
      await docker.getImage(`${image}:bench-loop`).remove().catch(() => undefined);
      await docker.getImage(`${image}:bench-ours`).remove({ noprune: true }).catch(() => undefined);
    }
    await ws.remove();
  }
}

/** Seconds of each variant, median of `rounds`, the variants run one after the other in every round. */
async function interleavedMedians<K extends string>(rounds: number, variants: Record<K, () => Promise<unknown>>): Promise<Record<K, number>> {
  const timed = Object.fromEntries(Object.entries(variants).map(([key, run]) => [key, () => timedAsync(run as () => Promise<unknown>)]));
  return interleavedTimes(rounds, timed as Record<K, () => Promise<number>>);
}

/** Like interleavedMedians, for variants that time themselves (a variant may first change the workspace, untimed). */
async function interleavedTimes<K extends string>(rounds: number, variants: Record<K, () => Promise<number>>): Promise<Record<K, number>> {
  const times = Object.fromEntries(Object.keys(variants).map((key) => [key, [] as number[]])) as Record<K, number[]>;
  for (let round = 0; round < rounds; round++) {
    for (const key of Object.keys(variants) as K[]) times[key].push(await variants[key]());
  }
  return Object.fromEntries(Object.entries(times).map(([key, values]) => [key, median(values as number[])])) as Record<K, number>;
}

async function sequence<T>(times: number, fn: () => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < times; i++) out.push(await fn());
  return out;
}

async function streamingSection(): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'imgmono-bench-stream-'));
  try {
    // files written more than the cache's racy window ago, as a checkout handed to a build is
    await makeBigCheckout(path.join(dir, 'big'), 20_000, 10_000, FILE_HASH_CACHE_RACY_MS + 500);
    const script = await bundleScript('tools/scripts/measure-context.ts', path.join(dir, 'measure.js'));
    const measure = (...extra: string[]) => JSON.parse(execFileSync(process.execPath, [script, path.join(dir, 'big'), path.join(dir, 'hashes.bin'), ...extra], { encoding: 'utf8' }).trim().split('\n').pop()!);
    const cold = measure();
    // medians of 3 runs with the cache filled, each figure on its own; each process then measures
    // twice more, warm, for what a fresh process's start costs
    const runs = await sequence(3, async () => measure('--warm-rounds', '2'));
    const middle = (key: string) => median(runs.map((run) => run[key] as number));
    const ours = { ...runs[0], seconds: middle('seconds'), listSeconds: middle('listSeconds'), digestSeconds: middle('digestSeconds'), streamSeconds: middle('streamSeconds'), streamMbPerSecond: middle('streamMbPerSecond'), systemCallSeconds: middle('systemCallSeconds'), peakRssMb: Math.max(...runs.map((run) => run.peakRssMb as number)) };
    const tarSeconds = median(await sequence(3, async () => timed(() => execFileSync('bash', ['-c', `tar -cf - -C ${JSON.stringify(path.join(dir, 'big'))} --exclude=.git . | cat > /dev/null`]))));
    const tarMbps = ours.bytes / 1e6 / tarSeconds;
    const section = 'context streaming (20,000 files, 200 MB)';
    const mbps = ours.bytes / 1e6 / ours.seconds;
    add({ section, name: 'list, digest (file hash cache filled), send', value: mbps, unit: 'MB/s', baseline: { name: 'tar -c', value: tarMbps }, ratio: mbps / tarMbps, target: 'ratio >= 0.8', met: mbps / tarMbps >= 0.8 });
    add({ section, name: 'send only (the tar stream, checked against the digest as a build checks it)', value: ours.streamMbPerSecond, unit: 'MB/s', baseline: { name: 'tar -c', value: tarMbps }, ratio: ours.streamMbPerSecond / tarMbps });
    add({ section, name: 'list', value: ours.listSeconds, unit: 's', baseline: { name: 'tar -c', value: tarSeconds }, ratio: ours.listSeconds / tarSeconds });
    add({ section, name: 'digest (file hash cache filled)', value: ours.digestSeconds, unit: 's', baseline: { name: 'tar -c', value: tarSeconds }, ratio: ours.digestSeconds / tarSeconds });
    add({ section, name: 'send', value: ours.streamSeconds, unit: 's', baseline: { name: 'tar -c', value: tarSeconds }, ratio: ours.streamSeconds / tarSeconds });
    add({ section, name: 'floor: the system calls alone, one thread (lstat, open, read, fstat, close per file)', value: ours.systemCallSeconds, unit: 's', baseline: { name: 'tar -c', value: tarSeconds }, ratio: ours.systemCallSeconds / tarSeconds });
    // the same code in a process that has run it twice before: what a fresh process's start (V8 compiling as it goes, its heap growing) costs
    const warm = (key: string) => median(runs.map((run) => run.warm[key] as number));
    const warmMbps = ours.bytes / 1e6 / warm('seconds');
    add({ section, name: 'list, digest, send in a warm process (its third time in one process)', value: warmMbps, unit: 'MB/s', baseline: { name: 'tar -c', value: tarMbps }, ratio: warmMbps / tarMbps });
    add({ section, name: 'warm process: list, digest, send', value: warm('seconds'), unit: 's', baseline: { name: 'the same, fresh process', value: ours.seconds }, ratio: warm('seconds') / ours.seconds });
    for (const [key, name] of [['listSeconds', 'list'], ['digestSeconds', 'digest'], ['streamSeconds', 'send']] as const) {
      add({ section, name: `warm process: ${name}`, value: warm(key), unit: 's', baseline: { name: 'the same, fresh process', value: ours[key] as number }, ratio: warm(key) / (ours[key] as number) });
    }
    add({ section, name: 'list, digest (no cache: every file read), send', value: cold.mbPerSecond, unit: 'MB/s', baseline: { name: 'tar -c', value: tarMbps }, ratio: cold.mbPerSecond / tarMbps });
    add({ section, name: 'peak memory', value: Math.max(cold.peakRssMb, ours.peakRssMb), unit: 'MB', target: '< 150 MB', met: Math.max(cold.peakRssMb, ours.peakRssMb) < 150 });
    add({ section, name: 'digest with the cache filled = digest from every byte', value: ours.digest === cold.digest ? 1 : 0, unit: '', target: '1 (the same)', met: ours.digest === cold.digest });
  } finally {
    await fs.rm(dir, { recursive: true, force: true, maxRetries: 5 });
  }
}

/** A generated workspace of `namespaces` x 100 images (chains of 6) and a root: its files. */
function scaleFiles(namespaceCount: number): Record<string, string> {
  const files: Record<string, string> = {};
  const namespaces: Record<string, { base: string; mayBuildOn: string[] }> = { root: { base: 'root/debian', mayBuildOn: [] } };
  // the floor of the workspace check: `nx run` of a plugin executor that returns at once
  files['images/root/debian/project.json'] = JSON.stringify({ name: 'root/debian', implicitDependencies: [], targets: { 'bench-trivial': { executor: `${FLOOR_PACKAGE}:ok`, cache: false } } });
  files['images/root/debian/Dockerfile'] = 'FROM scratch\n';
  for (let n = 0; n < namespaceCount; n++) {
    const ns = `ns${n}`;
    namespaces[ns] = { base: `${ns}/base`, mayBuildOn: ['root'] };
    for (let i = 0; i < 100; i++) {
      const name = i === 0 ? `${ns}/base` : `${ns}/image${i}`;
      const depth = i === 0 ? 0 : ((i - 1) % 5) + 1; // chains of 6: base + 5
      const parent = i === 0 ? 'root/debian' : depth === 1 ? `${ns}/base` : `${ns}/image${i - 1}`;
      files[`images/${name}/project.json`] = JSON.stringify({ name, implicitDependencies: [parent], tags: [`namespace:${ns}`, 'kind:image'] });
      files[`images/${name}/Dockerfile`] = `FROM ${parent}\nRUN echo ${name}\n`;
    }
  }
  files['namespaces.json'] = JSON.stringify({ namespaces });
  return files;
}

interface ScalePoint {
  images: number;
  /** The plugin's own inference (its createNodes over every project file), in this process. */
  inference: number;
  ours: number;
  plain: number;
  affected: number;
  check: number;
}

async function scalePoint(namespaceCount: number): Promise<ScalePoint> {
  const ws = await createTestWorkspace('scale');
  try {
    const files = scaleFiles(namespaceCount);
    await ws.write(files);
    await ws.git(['add', '-A']);
    await ws.git(['commit', '-qm', 'generated']);
    const images = namespaceCount * 100 + 1;
    // The change --affected sees, there for every variant (one more file to hash for the others).
    await fs.appendFile(path.join(ws.root, 'images/ns0/base/Dockerfile'), 'ENV CHANGED=1\n');
    const nxJson = await fs.readFile(path.join(ws.root, 'nx.json'), 'utf8');
    const projectFiles = Object.keys(files).filter((file) => file.endsWith('/project.json'));
    const typed = (file: string) => JSON.stringify({ ...JSON.parse(files[file]), projectType: 'application' });
    // what the plugin infers for each project, written into its project.json (the targets merged with the file's own)
    const inferred = await inferredProjects(ws.root);
    const withTargets = (file: string) => {
      const own = JSON.parse(files[file]);
      const config = inferred.get(path.posix.dirname(file)) ?? {};
      return JSON.stringify({ ...own, ...config, targets: { ...(own.targets ?? {}), ...(config.targets ?? {}) } });
    };
    // The workspace as a variant needs it: ours (nx.json names the plugin), plain Nx (no plugin of
    // ours, the same project.json files), plain Nx with a projectType in every project.json (the
    // plugin says it for images, so Nx does not probe each image folder for one), or plain Nx with
    // everything the plugin infers written into every project.json (the same targets, no plugin:
    // what Nx's handling of the targets costs, apart from the plugin). After a switch, one command
    // fills Nx's caches, as any command after the first finds them.
    type Setup = 'ours' | 'plain' | 'plainTyped' | 'plainTargets';
    const asGenerated = (file: string) => files[file];
    // one function per content, so a switch rewrites the project files only when their content changes
    const projectFilesOf: Record<Setup, (file: string) => string> = { ours: asGenerated, plain: asGenerated, plainTyped: typed, plainTargets: withTargets };
    let current: Setup = 'ours';
    const use = async (setup: Setup) => {
      if (setup === current) return;
      const plugins = setup === 'ours' ? JSON.parse(nxJson).plugins : [];
      await fs.writeFile(path.join(ws.root, 'nx.json'), JSON.stringify({ ...JSON.parse(nxJson), plugins }));
      if (projectFilesOf[setup] !== projectFilesOf[current]) {
        await ws.write(Object.fromEntries(projectFiles.map((file) => [file, projectFilesOf[setup](file)])));
      }
      current = setup;
      await nxOk(ws, ['show', 'projects', '--json']);
    };
    const timedIn = (setup: Setup, args: string[]) => async () => {
      await use(setup);
      return timedAsync(() => nxOk(ws, args));
    };
    await nxOk(ws, ['show', 'projects', '--json']); // Nx's own caches filled, as in any command after the first
    const show = ['show', 'projects', '--json'];
    const showAffected = ['show', 'projects', '--affected', '--base=HEAD', '--json'];
    // in rounds, one of each variant a round, so that a slow moment of the machine weighs on all alike
    const { ours, affected, check, trivialRun, plain, plainAffected, plainTyped, plainTargets, plainTargetsAffected } = await interleavedTimes(images <= 1001 ? 5 : 3, {
      ours: timedIn('ours', show),
      affected: timedIn('ours', showAffected),
      check: timedIn('ours', ['run', 'image-plugin:graph-check-all', '--skip-nx-cache']),
      // the floor of the workspace check: `nx run` of a plugin executor that returns at once
      trivialRun: timedIn('ours', ['run', 'root/debian:bench-trivial', '--skip-nx-cache']),
      plain: timedIn('plain', show),
      // what Nx's own --affected costs (its git queries and file hashing), without the plugin
      plainAffected: timedIn('plain', showAffected),
      plainTyped: timedIn('plainTyped', show),
      plainTargets: timedIn('plainTargets', show),
      plainTargetsAffected: timedIn('plainTargets', showAffected),
    });
    await use('ours');
    const inference = await pluginInference(ws.root);
    const section = `${images.toLocaleString('en')} image projects, ${namespaceCount} namespaces, chains of 6`;
    add({ section, name: 'nx show projects', value: ours, unit: 's', baseline: { name: 'plain Nx, same project.json files', value: plain }, ratio: ours / plain });
    add({ section, name: 'what the plugin adds to nx show projects', value: ours - plain, unit: 's', target: images <= 1001 ? '<= 0.3 s' : undefined, met: images <= 1001 ? ours - plain <= 0.3 : undefined });
    add({ section, name: 'plain Nx, every project.json with a projectType', value: plainTyped, unit: 's', baseline: { name: 'plain Nx, same project.json files', value: plain }, ratio: plainTyped / plain });
    add({ section, name: 'nx show projects --affected', value: affected, unit: 's', baseline: { name: 'plain Nx show projects', value: plain }, ratio: affected / plain, target: 'ratio <= 1.5', met: affected / plain <= 1.5 });
    add({ section, name: 'plain Nx show projects --affected (no plugin: what --affected costs Nx itself)', value: plainAffected, unit: 's', baseline: { name: 'plain Nx show projects', value: plain }, ratio: plainAffected / plain });
    add({ section, name: 'what the plugin adds to nx show projects --affected', value: affected - plainAffected, unit: 's' });
    add({ section, name: 'plain Nx, the targets the plugin infers written into every project.json (no plugin)', value: plainTargets, unit: 's', baseline: { name: 'plain Nx show projects', value: plain }, ratio: plainTargets / plain });
    add({ section, name: 'the same, nx show projects --affected', value: plainTargetsAffected, unit: 's', baseline: { name: 'plain Nx show projects', value: plain }, ratio: plainTargetsAffected / plain });
    add({ section, name: 'ours above plain Nx with the same targets written (the plugin itself: loading and inference)', value: ours - plainTargets, unit: 's' });
    add({ section, name: '--affected: ours above plain Nx with the same targets written', value: affected - plainTargetsAffected, unit: 's' });
    add({ section, name: 'graph check of every image (nx run)', value: check, unit: 's', baseline: { name: 'plain Nx show projects', value: plain }, ratio: check / plain, target: 'ratio <= 1.5', met: check / plain <= 1.5 });
    add({ section, name: 'nx run of a trivial plugin executor (the floor of any check run as a target)', value: trivialRun, unit: 's', baseline: { name: 'plain Nx show projects', value: plain }, ratio: trivialRun / plain });
    add({ section, name: 'graph check of every image: ours above that floor', value: check - trivialRun, unit: 's' });
    add({ section, name: "the plugin's own inference (createNodes over every project file, in process)", value: inference, unit: 's' });
    return { images, inference, ours, plain, affected, check };
  } finally {
    await ws.remove();
  }
}

/**
 * The plugin's own share of a graph: its compiled createNodes (as Nx loads it) over every
 * project file of the workspace, timed in this process (median of 7, after a first call: a call is tens of ms, and the heap's collections move it).
 * The rest of what the plugin adds to a command is Nx merging, checking and caching the targets.
 */
async function pluginInference(root: string): Promise<number> {
  const infer = await pluginCreateNodes(root);
  await infer();
  return median(await sequence(7, () => timedAsync(infer)));
}

/** What the plugin infers for each project of the workspace: project root -> its configuration. */
async function inferredProjects(root: string): Promise<Map<string, { targets?: Record<string, unknown> }>> {
  const results = await (await pluginCreateNodes(root))();
  return new Map(results.flatMap(([, result]) => Object.entries(result.projects ?? {})));
}

/** The plugin's compiled createNodes (as Nx loads it), with nx.json's options for it, over every project file of the workspace. */
async function pluginCreateNodes(root: string) {
  const { createNodes } = require(path.join(root, 'tools/image-plugin/load.js'))['plugins/plugin'] as typeof import('../image-plugin/src/plugins/plugin');
  const nxJson = JSON.parse(await fs.readFile(path.join(root, 'nx.json'), 'utf8'));
  const options = nxJson.plugins.find((plugin: { plugin: string }) => plugin.plugin === './tools/image-plugin/plugin.js')?.options;
  const files = execFileSync('git', ['ls-files', '--', 'images/**/Dockerfile', 'sources/*/source.json', 'scenarios/*/scenario.json'], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 }).trim().split('\n');
  return async () => createNodes[1](files, options, { workspaceRoot: root, nxJsonConfiguration: nxJson });
}

async function scaleSection(): Promise<void> {
  const small = await scalePoint(10);
  const large = await scalePoint(50);
  const section = `growth from ${small.images.toLocaleString('en')} to ${large.images.toLocaleString('en')} images (x${(large.images / small.images).toFixed(1)})`;
  const growth = large.images / small.images;
  // plain Nx is the baseline: its growth is shown, not held to the target
  for (const [name, a, b, held] of [
    ['nx show projects', small.ours, large.ours, true],
    ['plain Nx show projects', small.plain, large.plain, false],
    ['what the plugin adds', small.ours - small.plain, large.ours - large.plain, true],
    ["the plugin's own inference", small.inference, large.inference, true],
    ['nx show projects --affected', small.affected, large.affected, true],
    ['graph check of every image', small.check, large.check, true],
  ] as const) {
    const target = held ? { target: `<= x${growth.toFixed(1)} (linear)`, met: b / a <= growth * 1.05 } : {};
    add({ section, name, value: b / a, unit: 'x', ...target });
  }
}

async function parallelSection(): Promise<void> {
  const ws = await createTestWorkspace('par');
  const ns = ws.namespace;
  try {
    const work = 'RUN i=0; while [ $i -lt 1500000 ]; do i=$((i+1)); done; echo $i > /work';
    await ws.write({
      'namespaces.json': JSON.stringify({ namespaces: { [ns]: { base: `${ns}/root`, mayBuildOn: [] } } }),
      ...busyboxRoot(`${ns}/root`),
      ...imageProject(`${ns}/a`, [`${ns}/root`], `FROM ${ns}/root\n${work}\n`),
      ...imageProject(`${ns}/b`, [`${ns}/root`], `FROM ${ns}/root\n${work}\n`),
    });
    await nxOk(ws, ['run', `${ns}/root:image`]);
    const run = (parallel: number) => timedAsync(() => nxOk(ws, ['run-many', '-t', 'image', `--projects=${ns}/a,${ns}/b`, `--parallel=${parallel}`, '--exclude-task-dependencies'], { IMAGE_NO_CACHE: 'true' }));
    const one = await run(1);
    const two = await run(2);
    add({ section: 'two independent branches', name: '--parallel=2', value: two, unit: 's', baseline: { name: '--parallel=1', value: one }, ratio: one / two, target: 'speed-up (ratio) > 1' , met: one / two > 1 });
  } finally {
    const images = await docker.listImages({ filters: { label: ['io.imgmono.managed=true'] } });
    for (const image of images) if ((image.Labels?.['io.imgmono.project'] ?? '').startsWith(`${ns}/`)) await docker.getImage(image.Id).remove({ force: true }).catch(() => undefined);
    await ws.remove();
  }
}

async function main(): Promise<void> {
  const started = new Date();
  console.log(`bench: ${started.toISOString()} on ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; engine ${(await docker.version()).Version}`);
  await writeFloorPackage();
  try {
    if (!skip.has('cold') || !skip.has('warm') || !skip.has('leaf')) await chainSections();
    if (!skip.has('stream')) await streamingSection();
    if (!skip.has('scale')) await scaleSection();
    if (!skip.has('parallel')) await parallelSection();
  } finally {
    await fs.rm(NO_SIBLINGS, { recursive: true, force: true });
    await fs.rm(floorFolder, { recursive: true, force: true });
  }

  const outDir = path.join(ROOT, 'dist/bench');
  await fs.mkdir(outDir, { recursive: true });
  const previousFile = path.join(outDir, 'latest.json');
  const previous = JSON.parse(await fs.readFile(previousFile, 'utf8').catch(() => 'null')) as { figures: Figure[]; at: string } | null;
  const report = { at: started.toISOString(), figures };
  await fs.writeFile(path.join(outDir, `bench-${started.toISOString().replace(/[:.]/g, '-')}.json`), JSON.stringify(report, null, 2));
  await fs.writeFile(previousFile, JSON.stringify(report, null, 2));

  const rows = figures.map((f) => {
    const before = previous?.figures.find((p) => p.section === f.section && p.name === f.name);
    return [
      f.section,
      f.name,
      `${fmt(f.value)} ${f.unit}`.trim(),
      f.baseline ? `${f.baseline.name}: ${fmt(f.baseline.value)}` : '',
      f.ratio !== undefined ? f.ratio.toFixed(2) : '',
      f.target ? `${f.target} ${f.met ? 'MET' : 'MISSED'}` : '',
      before ? `${fmt(before.value)} (${before.value === 0 ? '' : `${(((f.value - before.value) / before.value) * 100).toFixed(0)}%`})` : '',
    ];
  });
  const header = ['section', 'figure', 'value', 'baseline (same run)', 'ratio', 'target', previous ? `previous run ${previous.at.slice(0, 16)}` : 'previous run'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(`\n${line(header)}\n| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |\n${rows.map(line).join('\n')}`);
  console.log(`\nbench: figures written to dist/bench/latest.json (and a timestamped copy); ${figures.filter((f) => f.met === false).length} target(s) missed`);
}

main().catch((error) => {
  console.error(`bench: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
