/**
 * Streams a source checkout as it would go into a build context
 * (`.sources/<name>/`) to a sha256, and prints one JSON line of figures:
 * files, bytes, seconds, MB/s and the process's peak memory. Used by the
 * streaming test and the benchmark; run in its own process so its peak
 * memory is its own.
 * Usage: measure-context.ts <checkout folder>
 */
import { createHash } from 'node:crypto';
import { packContext } from '@imgmono/build-context';
import { sourceContextEntries } from '@imgmono/sources';

async function main(): Promise<void> {
  const dir = process.argv[2];
  const started = process.hrtime.bigint();
  const entries = await sourceContextEntries('measured', 'example.org/measured', dir, undefined);
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of packContext(entries)) {
    bytes += (chunk as Buffer).length;
    hash.update(chunk as Buffer);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(
    JSON.stringify({
      files: entries.filter((entry) => entry.kind === 'file').length,
      bytes,
      seconds,
      mbPerSecond: bytes / 1e6 / seconds,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      sha256: hash.digest('hex'),
    }),
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
