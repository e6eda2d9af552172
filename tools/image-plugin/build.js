/**
 * Compiles the plugin (target inference, executors, generators) and the
 * libraries it uses into dist/ with esbuild: Nx then loads plain JavaScript
 * instead of registering a TypeScript compiler in every plugin worker and
 * task process (about 1.5 s a task). load.js uses dist/ only while it is
 * newer than every source file, so a stale build is never run.
 * Usage: node tools/image-plugin/build.js [--if-stale]
 *   --if-stale: only when an entry's build is missing or older than a source (the set-up's way)
 */
const fs = require('node:fs');
const path = require('node:path');
const { ENTRIES, INPUTS_FILE, compiled } = require('./load'); // derived from executors.json and generators.json

// Nx finds the plugin as an installed package (see node-modules-entry.js), built or not
const entry = require('./node-modules-entry').writeNodeModulesEntry();
if (entry.written > 0) console.log(`image-plugin: wrote ${entry.written} file(s) of node_modules/@imgmono/image-plugin`);
if (process.argv.includes('--if-stale') && ENTRIES.every((entry) => compiled(entry).fresh)) {
  // looked at now: the set-up (bootstrap.sh) asks again only about files changed after this
  const now = new Date();
  fs.utimesSync(INPUTS_FILE, now, now);
  process.exit(0);
}
// loaded only when there is something to build: the set-up's check stays a plain node start
const { build } = require('esbuild');

const root = path.resolve(__dirname, '../..');

/**
 * dockerode loads BuildKit's session support (gRPC and protobuf), gzip, and
 * docker-modem the SSH client and HTTPS when they are loaded, although a build
 * through the classic builder over a socket uses none of them: about 65 ms of
 * every task process. Bundled, with these two requires made lazy (on first call), a task
 * pays only for what it uses. Each rewrite must match the pinned versions'
 * text, or the build stops and says which file changed.
 */
const lazyModule = (name) => `new Proxy({}, { get: function (_, key) { return require('${name}')[key]; } })`;
const LAZY_REQUIRES = [
  { file: /dockerode[\\/]lib[\\/]docker\.js$/, from: "withSession = require('./session')", to: "withSession = function () { return require('./session').apply(this, arguments); }" },
  { file: /docker-modem[\\/]lib[\\/]modem\.js$/, from: "ssh = require('./ssh')", to: "ssh = function () { return require('./ssh').apply(this, arguments); }" },
  // HTTPS (and with it TLS, about 10 ms) only for an engine reached over TLS; gzip only for a gzipped context
  { file: /docker-modem[\\/]lib[\\/]http\.js$/, from: "nativeHttps = require('https')", to: `nativeHttps = ${lazyModule('https')}` },
  { file: /dockerode[\\/]lib[\\/]util\.js$/, from: "zlib = require('zlib')", to: `zlib = ${lazyModule('zlib')}` },
  // tar-fs (with tar-stream, streamx, bl) packs a folder the client names: this plugin streams its own context
  { file: /dockerode[\\/]lib[\\/]util\.js$/, from: "tar = require('tar-fs')", to: `tar = ${lazyModule('tar-fs')}` },
  // the request's options, inspected to every depth for a debug line even when DEBUG is off
  { file: /docker-modem[\\/]lib[\\/]modem\.js$/, from: "debug('Sending: %s', util.inspect(options, {", to: "debug.enabled && debug('Sending: %s', util.inspect(options, {" },
  // readable-stream's Duplex, for hijacked connections (attach with stdin), which no target opens
  { file: /docker-modem[\\/]lib[\\/]modem\.js$/, from: "HttpDuplex = require('./http_duplex')", to: "HttpDuplex = function (req, res) { var Duplex = require('./http_duplex'); return new Duplex(req, res); }" },
];
const lazyRequires = {
  name: 'lazy-requires',
  setup(build) {
    // one loader for every file a rule names, applying all of that file's rules
    const files = new RegExp(LAZY_REQUIRES.map((rule) => rule.file.source).join('|'));
    build.onLoad({ filter: files }, (args) => {
      let text = fs.readFileSync(args.path, 'utf8');
      for (const rule of LAZY_REQUIRES.filter((candidate) => candidate.file.test(args.path))) {
        if (!text.includes(rule.from)) throw new Error(`${args.path} no longer contains "${rule.from}": update LAZY_REQUIRES in tools/image-plugin/build.js for the new version`);
        text = text.replace(rule.from, rule.to);
      }
      return { contents: text, loader: 'js' };
    });
  },
};
/**
 * Packages that do nothing when loaded but define functions: a bundle that
 * uses none of them leaves them out. semver is used by the tag rules of push
 * and promote, not by a build, whose task process would otherwise evaluate its
 * 60 modules and their regular expressions (about 1.7 ms) for nothing.
 */
const SIDE_EFFECT_FREE = ['semver'];
const sideEffectFree = {
  name: 'side-effect-free',
  setup(build) {
    const names = new RegExp(`^(${SIDE_EFFECT_FREE.join('|')})$`);
    build.onResolve({ filter: names }, (args) => ({ path: require.resolve(args.path, { paths: [args.resolveDir] }), sideEffects: false }));
  },
};
/** Entry -> the workspace files its bundle is built from (not node_modules), with tsconfig.base.json (its paths decide what @imgmono/* is). */
function bundleInputs(metafile) {
  const out = {};
  for (const [file, output] of Object.entries(metafile.outputs)) {
    if (!file.endsWith('.js')) continue;
    const entry = path.relative(path.join(__dirname, 'dist'), path.resolve(root, file)).replace(/\.js$/, '').split(path.sep).join('/');
    const inputs = Object.keys(output.inputs).filter((input) => !input.split('/').includes('node_modules'));
    out[entry] = ['tsconfig.base.json', ...inputs.map((input) => path.relative(root, path.resolve(root, input)).split(path.sep).join('/')).sort()];
  }
  return out;
}
const started = Date.now();
// the code caches of the bundles about to be replaced (code-cache.js) are of no more use
fs.rmSync(require('./code-cache').CACHE_FOLDER, { recursive: true, force: true });
build({
  entryPoints: Object.fromEntries(ENTRIES.map((entry) => [entry, path.join(__dirname, 'src', `${entry}.ts`)])),
  outdir: path.join(__dirname, 'dist'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // a map file beside each bundle (node --enable-source-maps reads it): the bundles stay small to load
  sourcemap: 'linked',
  plugins: [lazyRequires, sideEffectFree],
  tsconfig: path.join(root, 'tsconfig.base.json'),
  // Nx, packages with native parts, and what the lazy requires above load only when used,
  // are loaded from node_modules as they are
  external: ['nx', '@nx/*', 'ssh2', 'cpu-features', '@grpc/*', 'protobufjs', 'esbuild', 'typescript'],
  logLevel: 'error',
  metafile: true,
}).then(
  (result) => {
    // which workspace files each bundle is built from: load.js compares their times with the bundle's
    fs.writeFileSync(INPUTS_FILE, `${JSON.stringify(bundleInputs(result.metafile), null, 1)}\n`);
    console.log(`image-plugin: compiled ${ENTRIES.length} entry points to tools/image-plugin/dist in ${Date.now() - started} ms`);
  },
  (error) => {
    console.error(`image-plugin: the build failed: ${error.message}`);
    process.exit(1);
  },
);
