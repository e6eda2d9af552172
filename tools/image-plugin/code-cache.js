/**
 * Requires a compiled bundle with V8's code cache, as Node 22's
 * module.enableCompileCache() does (Node 20 has no such switch). Parsing the
 * image executor's 0.6 MB bundle takes about 20 ms of every task process;
 * with the cache about 10.
 *
 * The cache of a bundle is dist/.code-cache/<entry>-<size, change and
 * modification times, inode of the bundle>.bin: a rebuilt bundle gets another
 * name (hashing the 0.6 MB instead cost 1.5 ms of every task process), and
 * V8 itself refuses a cache made by another V8 version or other flags, after
 * which it is made again. It is written when the process exits (so it holds
 * the functions the run compiled), whole or not at all (a temporary file
 * renamed), and a cache that cannot be written (a read-only checkout) costs
 * time only.
 */
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

const CACHE_FOLDER = path.join(__dirname, 'dist', '.code-cache');

function cacheFileOf(file, stat) {
  const relative = path.relative(path.join(__dirname, 'dist'), file).replace(/\.js$/, '').split(path.sep).join('-');
  return path.join(CACHE_FOLDER, `${relative}-${stat.size}-${stat.ctimeMs}-${stat.mtimeMs}-${stat.ino}.bin`);
}

function writeWhole(file, data) {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(temporary, data);
    fs.renameSync(temporary, file);
  } catch {
    fs.rmSync(temporary, { force: true });
  }
}

/** Loads a CommonJS file as require() would, compiling it from the code cache when there is a valid one. */
function requireWithCodeCache(file) {
  const cached = require.cache[file];
  if (cached !== undefined) return cached.exports;
  const fd = fs.openSync(file, 'r');
  let source;
  let stat;
  try {
    // the identity of the bytes read: the same open file
    stat = fs.fstatSync(fd);
    source = fs.readFileSync(fd, 'utf8');
  } finally {
    fs.closeSync(fd);
  }
  const cacheFile = cacheFileOf(file, stat);
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  const loaded = new Module(file, module);
  loaded.filename = file;
  loaded.paths = Module._nodeModulePaths(path.dirname(file));
  require.cache[file] = loaded;
  const localRequire = (id) => loaded.require(id);
  localRequire.resolve = (request, options) => Module._resolveFilename(request, loaded, false, options);
  localRequire.cache = require.cache;
  try {
    script.runInThisContext({ displayErrors: true }).call(loaded.exports, loaded.exports, localRequire, loaded, file, path.dirname(file));
  } catch (error) {
    delete require.cache[file];
    throw error;
  }
  loaded.loaded = true;
  if (cachedData === undefined || script.cachedDataRejected === true) process.once('exit', () => writeWhole(cacheFile, script.createCachedData()));
  return loaded.exports;
}

module.exports = { requireWithCodeCache, CACHE_FOLDER };
