import { describe, expect, it } from 'vitest';
import { readProgressLines } from './progress-stream';

describe('readProgressLines', () => {
  it('collects aux records and reads to the end', () => {
    const text = [
      { status: 'The push refers to repository [127.0.0.1:5000/a/b]' },
      { status: 'Pushed', id: 'abc' },
      { status: 'x: digest: sha256:1 size: 1' },
      { aux: { Tag: 'x', Digest: 'sha256:1', Size: 1 } },
    ]
      .map((line) => JSON.stringify(line))
      .join('\r\n');
    expect(readProgressLines(text)).toEqual({ aux: [{ Tag: 'x', Digest: 'sha256:1', Size: 1 }] });
  });

  it("keeps the first error, in the engine's own words", () => {
    const text = `${JSON.stringify({ errorDetail: { message: 'unauthorized: authentication required' }, error: 'unauthorized' })}\n${JSON.stringify({ error: 'later' })}`;
    expect(readProgressLines(text).error).toBe('unauthorized: authentication required');
  });
});
