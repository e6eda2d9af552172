/**
 * Measures a source checkout as a build context (`.zuul-siblings/<name>/`) the
 * way a build handles it: list it (git and the file system), digest it with
 * the file hash cache kept in <cache file> (then save the cache), and stream
 * it as the engine receives it. Prints one JSON line of figures, the
 * process's peak memory included. Run it twice on one cache file to see an
 * empty cache and a filled one: the digest must come out the same. The
 * stream is checked as a build checks it (the digest of what was sent must
 * equal the digest made before). Then, for scale, the system calls this
 * design makes per file (lstat, open, read, fstat, close) on one thread with
 * nothing else. With `--warm-rounds N`, the whole measure again N times in
 * the same process, the last one's figures as `warm`: what the same code
 * costs once V8 has compiled it and its heap has grown, where a build's
 * fresh task process starts cold. Used by the streaming test and the
 * benchmark; run in a process of its own so its peak memory is its own
 * (taken before any warm round).
 * Usage: measure-context.ts <checkout folder> <cache file> [--warm-rounds N]
 */
import { closeSync, fstatSync, lstatSync, openSync, readSync } from 'node:fs';
import { Writable } from 'node:stream';
import { ContextDigest, ContextEntry, FileHashCache, digestContext, packContext } from '@imgmono/build-context';
import { sourceContextEntries } from '@imgmono/sources';

const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;

interface Measured {
  entries: ContextEntry[];
  bytes: number;
  listSeconds: number;
  digestSeconds: number;
  streamSeconds: number;
  seconds: number;
  filesRead: number;
  digest: string;
  bytesAsDigested: number;
}

/** List, digest and send the checkout once, as a build does. */
async function measureOnce(dir: string, cacheFile: string): Promise<Measured> {
  let started = process.hrtime.bigint();
  // as a build does it: the cache is read while git lists the checkout
  const cacheLoading = FileHashCache.load(cacheFile);
  const entries = await sourceContextEntries('measured', 'example.org/measured', dir, undefined);
  const listSeconds = seconds(started);

  started = process.hrtime.bigint();
  const cache = await cacheLoading;
  const digest = await digestContext(entries, { cache });
  await cache.save();
  const digestSeconds = seconds(started);

  started = process.hrtime.bigint();
  let bytes = 0;
  const sent = new ContextDigest();
  // consumed as the engine's build request consumes it: piped with reuse, each chunk's buffer
  // taken again once its write callback has run, as a build's are
  await new Promise<void>((resolve, reject) => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        callback();
      },
    });
    packContext(entries, { digest: sent, knownContent: (entry) => cache.peek(entry), reuseChunks: true })
      .on('error', reject)
      .pipe(sink)
      .on('finish', resolve)
      .on('error', reject);
  });
  if (sent.digest() !== digest.sha256) throw new Error(`the digest of what was sent (${sent.digest()}) is not the digest made before (${digest.sha256})`);
  const streamSeconds = seconds(started);
  return {
    entries,
    bytes,
    listSeconds,
    digestSeconds,
    streamSeconds,
    seconds: listSeconds + digestSeconds + streamSeconds,
    filesRead: digest.filesRead,
    digest: digest.sha256,
    bytesAsDigested: digest.bytes,
  };
}

/** The floor of this design on one thread: the system calls it makes per file, and nothing else. */
function systemCallSeconds(entries: readonly ContextEntry[]): number {
  const started = process.hrtime.bigint();
  const buffer = Buffer.allocUnsafe(1 << 20);
  for (const entry of entries) {
    if (entry.kind !== 'file') continue;
    lstatSync(entry.absolutePath);
    const fd = openSync(entry.absolutePath, 'r');
    for (let position = 0, read = 1; read > 0; position += read) read = readSync(fd, buffer, 0, buffer.length, position);
    fstatSync(fd);
    closeSync(fd);
  }
  return seconds(started);
}

async function main(): Promise<void> {
  const [dir, cacheFile, ...rest] = process.argv.slice(2);
  const warmRounds = rest[0] === '--warm-rounds' ? Number(rest[1]) : 0;
  const first = await measureOnce(dir, cacheFile);
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const floor = systemCallSeconds(first.entries);
  let warm: Measured | undefined;
  for (let round = 0; round < warmRounds; round++) warm = await measureOnce(dir, cacheFile);
  const { entries, ...figures } = first;
  console.log(
    JSON.stringify({
      ...figures,
      files: entries.filter((entry) => entry.kind === 'file').length,
      mbPerSecond: first.bytes / 1e6 / first.seconds,
      streamMbPerSecond: first.bytes / 1e6 / first.streamSeconds,
      systemCallSeconds: floor,
      peakRssMb,
      warm: warm && { listSeconds: warm.listSeconds, digestSeconds: warm.digestSeconds, streamSeconds: warm.streamSeconds, seconds: warm.seconds, digest: warm.digest },
    }),
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
