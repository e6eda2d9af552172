/**
 * What a failed command's output is reported with in a test's message: the
 * image checks that failed, each with its details (command, exit code, last
 * lines), wherever they stand in the output, then the output's last
 * characters. A long run (a scenario prints thousands of lines) would
 * otherwise keep only a tail that may not hold the failed check.
 */

/** A check's result line, as run-image-tests prints it: `[subject] FAIL kind "name" ...` (after Nx's task prefix, if any). */
const FAILED_CHECK = /\[[^\]]+\] FAIL /;
/** A detail line under a failed check: `[subject]   command: ...`, `[subject]   | output`. */
const CHECK_DETAIL = /\[[^\]]+\] {3}\S/;

export function failureReport(output: string, tailChars = 4000): string {
  const lines = output.split('\n');
  const failed: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!FAILED_CHECK.test(lines[i])) continue;
    failed.push(lines[i]);
    while (i + 1 < lines.length && CHECK_DETAIL.test(lines[i + 1])) failed.push(lines[++i]);
  }
  const tail = output.length > tailChars ? `... (the last ${tailChars} characters)\n${output.slice(-tailChars)}` : output;
  return failed.length === 0 ? tail : `failed checks:\n${failed.join('\n')}\n\noutput:\n${tail}`;
}
