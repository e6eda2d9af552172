import { describe, expect, it } from 'vitest';
import { failureReport } from './run-output';

describe('failureReport', () => {
  const failedCheck = ['[scenarios/a] FAIL command "boots a server" (12.0 s): exit code 1, expected 0', '[scenarios/a]   command: nodepool request', '[scenarios/a]   exit code: 1', '[scenarios/a]   | Traceback'];

  it('keeps a failed check and its details that stand far before the tail', () => {
    const output = [...failedCheck, ...Array.from({ length: 2000 }, (_, i) => `[scenarios/a] progress line ${i}`), '[scenarios/a] image-test: 20 passed, 1 failed'].join('\n');
    const report = failureReport(output, 500);
    expect(report).toContain(failedCheck.join('\n'));
    expect(report).toContain('image-test: 20 passed, 1 failed');
    expect(report).not.toContain('progress line 0\n');
    expect(report.length).toBeLessThan(1000);
  });

  it('does not take the lines after the details, nor a passed check, for a failed one', () => {
    const output = ['[x] PASS command "fine" (1.0 s)', ...failedCheck, '[scenarios/a] PASS command "next" (1.0 s)'].join('\n');
    expect(failureReport(output, 10).split('\n\noutput:')[0]).toBe(`failed checks:\n${failedCheck.join('\n')}`);
  });

  it('finds them behind the task prefix Nx puts before a line of a task run beside others', () => {
    const prefixed = failedCheck.map((line) => `scenarios/a:image-test: ${line}`);
    expect(failureReport(['x', ...prefixed, 'scenarios/a:image-test: [scenarios/a] PASS command "next" (1.0 s)'].join('\n'), 10)).toContain(`failed checks:\n${prefixed.join('\n')}\n\n`);
  });

  it('is the whole output when it is short and nothing failed as a check', () => {
    expect(failureReport('error: the engine is not running', 4000)).toBe('error: the engine is not running');
  });
});
