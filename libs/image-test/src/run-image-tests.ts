/**
 * Runs an image's checks against one image id: each command in a fresh
 * container (no network unless asked, a time limit, labels of the run),
 * each path read from the image without running it, the metadata from the
 * image config. One line a check; a failing command prints the command, its
 * exit code and the last lines of its output; a summary at the end.
 */
import type { ContainerClient } from '@imgmono/engine';
import { LABEL, sourceLabel } from '@imgmono/image-meta';
import { ImageFacts, RecordFacts, Verdict, commandApplies, judgeCommand, judgeFileContent, judgeFileExistence, judgeMetadata } from '@imgmono/image-test-spec';
import { readFiles } from './container-files';
import type { ImageCheck } from '@imgmono/image-test-spec';

export interface CheckResult {
  kind: ImageCheck['kind'];
  name: string;
  verdict: Verdict;
  seconds: number;
}

export interface ImageTestRun {
  /** Who is tested, for the output: the project name. */
  subject: string;
  image: ImageFacts;
  record: RecordFacts;
  checks: ImageCheck[];
  /** Labels every container of this run carries (the workspace's and the run's). */
  labels: Record<string, string>;
  /** Reads a file of the spec's folder, for a command test's `files`. */
  readSpecFile: (relative: string) => Promise<Buffer>;
  signal?: AbortSignal;
}

export const OUTPUT_TAIL_LINES = 20;

export function lastLines(text: string, count: number): string[] {
  const lines = text.replace(/\s+$/, '').split('\n');
  return lines.slice(Math.max(0, lines.length - count));
}

export function formatCheckLine(subject: string, result: CheckResult): string {
  const word = result.verdict.status === 'pass' ? 'PASS' : result.verdict.status === 'fail' ? 'FAIL' : 'SKIP';
  const why = result.verdict.status === 'pass' ? '' : `: ${result.verdict.reason}`;
  return `[${subject}] ${word} ${result.kind} "${result.name}" (${result.seconds.toFixed(1)} s)${why}`;
}

export async function runImageTests(run: ImageTestRun, containers: ContainerClient, log: (line: string) => void): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of run.checks) {
    if (run.signal?.aborted) break;
    const started = Date.now();
    let verdict: Verdict;
    let details: string[] = [];
    switch (check.kind) {
      case 'command': {
        const applies = commandApplies(check, run.image);
        if (applies.status !== 'pass') {
          verdict = applies;
          break;
        }
        const outcome = await containers.run(
          {
            image: run.image.id,
            command: [check.command, ...check.args],
            env: check.envVars,
            labels: run.labels,
            networkMode: check.network,
            files: await readFiles(check.files, run.readSpecFile),
          },
          check.timeoutSeconds * 1000,
          run.signal,
        );
        verdict = judgeCommand(check, outcome, run.image, run.record);
        if (verdict.status === 'fail') {
          details = [
            `  command: ${[check.command, ...check.args].map((part) => (/[\s"']/.test(part) ? JSON.stringify(part) : part)).join(' ')}`,
            `  exit code: ${outcome.timedOut ? 'none (stopped at the time limit)' : outcome.exitCode}`,
            `  last lines of its output:`,
            ...lastLines(outcome.output, OUTPUT_TAIL_LINES).map((line) => `  | ${line}`),
          ];
        }
        break;
      }
      case 'file-existence': {
        const found = await containers.readPath(run.image.id, check.path, run.labels);
        verdict = judgeFileExistence(check, found);
        break;
      }
      case 'file-content': {
        const found = await containers.readPath(run.image.id, check.path, run.labels);
        verdict = judgeFileContent(check, found?.content?.toString('utf8'), run.image, run.record);
        break;
      }
      case 'metadata':
        verdict = judgeMetadata(check, run.image, run.record, { baseDigest: LABEL.baseDigest, sourceRevision: (name) => sourceLabel(name, 'revision') });
        break;
    }
    const result: CheckResult = { kind: check.kind, name: check.name, verdict, seconds: (Date.now() - started) / 1000 };
    results.push(result);
    log(formatCheckLine(run.subject, result));
    for (const line of details) log(`[${run.subject}] ${line}`);
  }
  return results;
}


export function summarise(subject: string, results: CheckResult[], seconds: number, what: string): string {
  const count = (status: Verdict['status']) => results.filter((result) => result.verdict.status === status).length;
  const skipped = count('skip');
  return `[${subject}] image-test: ${count('pass')} passed, ${count('fail')} failed${skipped ? `, ${skipped} skipped` : ''} in ${seconds.toFixed(1)} s (${what})`;
}
