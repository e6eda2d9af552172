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
 * nothing else. Used by
 * the streaming test and the benchmark; run in a process of its own so its
 * peak memory is its own.
 * Usage: measure-context.ts <checkout folder> <cache file>
 */
import { closeSync, fstatSync, lstatSync, openSync, readSync } from 'node:fs';
import { Writable } from 'node:stream';
import { ContextDigest, FileHashCache, digestContext, packContext } from '@imgmono/build-context';
import { sourceContextEntries } from '@imgmono/sources';

const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;

async function main(): Promise<void> {
  const [dir, cacheFile] = process.argv.slice(2);
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

  const total = listSeconds + digestSeconds + streamSeconds;

  // the floor of this design on one thread: the system calls it makes per file, and nothing else
  started = process.hrtime.bigint();
  const buffer = Buffer.allocUnsafe(1 << 20);
  for (const entry of entries) {
    if (entry.kind !== 'file') continue;
    lstatSync(entry.absolutePath);
    const fd = openSync(entry.absolutePath, 'r');
    for (let position = 0, read = 1; read > 0; position += read) read = readSync(fd, buffer, 0, buffer.length, position);
    fstatSync(fd);
    closeSync(fd);
  }
  const systemCallSeconds = seconds(started);
  console.log(
    JSON.stringify({
      files: entries.filter((entry) => entry.kind === 'file').length,
      bytes,
      listSeconds,
      digestSeconds,
      filesRead: digest.filesRead,
      streamSeconds,
      seconds: total,
      mbPerSecond: bytes / 1e6 / total,
      streamMbPerSecond: bytes / 1e6 / streamSeconds,
      systemCallSeconds,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      digest: digest.sha256,
      bytesAsDigested: digest.bytes,
    }),
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
