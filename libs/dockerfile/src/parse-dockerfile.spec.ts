import { describe, expect, it } from 'vitest';
import { parseDockerfile, splitFlags } from './parse-dockerfile';

describe('parseDockerfile', () => {
  it('joins continuations and keeps the lines each instruction spans', () => {
    const parsed = parseDockerfile('FROM a\n\n# comment\nRUN apt-get update \\\n  # inner comment\n  && apt-get install x\nCMD ["sh"]\n');
    expect(parsed.instructions).toEqual([
      { keyword: 'FROM', args: 'a', line: 1, endLine: 1 },
      { keyword: 'RUN', args: 'apt-get update && apt-get install x', line: 4, endLine: 6 },
      { keyword: 'CMD', args: '["sh"]', line: 7, endLine: 7 },
    ]);
  });

  it('honours the escape directive', () => {
    const parsed = parseDockerfile('# escape=`\nFROM a\nRUN dir `\n  c:\\\\\n');
    expect(parsed.escapeChar).toBe('`');
    expect(parsed.instructions[1]).toMatchObject({ keyword: 'RUN', args: 'dir c:\\\\', line: 3, endLine: 4 });
  });

  it('upper-cases keywords and handles CRLF', () => {
    const parsed = parseDockerfile('from a as b\r\nrun true\r\n');
    expect(parsed.instructions.map((i) => i.keyword)).toEqual(['FROM', 'RUN']);
  });

  it('rejects a bad escape directive with its line', () => {
    expect(() => parseDockerfile('# escape=x\nFROM a')).toThrow(/invalid escape directive 'x'/);
  });
});

describe('splitFlags', () => {
  it.each([
    ['--platform=linux/amd64 img AS x', { platform: 'linux/amd64' }, 'img AS x'],
    ['--from=builder --chown=1:1 a b', { from: 'builder', chown: '1:1' }, 'a b'],
    ['img', {}, 'img'],
  ])('%s', (args, flags, rest) => {
    expect(splitFlags(args)).toEqual({ flags, rest });
  });
});
