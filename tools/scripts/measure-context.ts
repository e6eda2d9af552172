/**
 * Measures a source checkout as a build context (`.zuul-siblings/<name>/`) the
 * way a build handles it: list it (git and the file system), digest it with
 * the file hash cache kept in <cache file> (then save the cache), and stream
 * it as the engine receives it. Prints one JSON line of figures, the
 * process's peak memory included. Run it twice on one cache file to see an
 * empty cache and a filled one: the digest must come out the same. Used by
 * the streaming test and the benchmark; run in a process of its own so its
 * peak memory is its own.
 * Usage: measure-context.ts <checkout folder> <cache file>
 */
import { FileHashCache, digestContext, packContext } from '@imgmono/build-context';
import { sourceContextEntries } from '@imgmono/sources';

const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;

async function main(): Promise<void> {
  const [dir, cacheFile] = process.argv.slice(2);
  let started = process.hrtime.bigint();
  const entries = await sourceContextEntries('measured', 'example.org/measured', dir, undefined);
  const listSeconds = seconds(started);

  started = process.hrtime.bigint();
  const cache = await FileHashCache.load(cacheFile);
  const digest = await digestContext(entries, { cache });
  await cache.save();
  const digestSeconds = seconds(started);

  started = process.hrtime.bigint();
  let bytes = 0;
  for await (const chunk of packContext(entries)) bytes += (chunk as Buffer).length;
  const streamSeconds = seconds(started);

  const total = listSeconds + digestSeconds + streamSeconds;
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
