import { describe, expect, it } from 'vitest';
import { BuildOutputReader } from './build-output';

const line = (value: object) => `${JSON.stringify(value)}\r\n`;

describe('BuildOutputReader', () => {
  it('reads lines split across chunks, tracks steps and the image id', () => {
    const reader = new BuildOutputReader();
    const body = [
      line({ stream: 'Step 1/2 : FROM sha256:abc\n' }),
      line({ stream: ' ---> abc\n' }),
      line({ stream: 'Step 2/2 : RUN echo hi\n' }),
      line({ stream: 'hi\n' }),
      line({ aux: { ID: 'sha256:' + 'f'.repeat(64) } }),
      line({ stream: 'Successfully built ffffffffffff\n' }),
    ].join('');
    const events = [];
    for (let i = 0; i < body.length; i += 7) events.push(...reader.push(body.slice(i, i + 7)));
    events.push(...reader.end());
    expect(events.filter((e) => e.kind === 'output').map((e) => (e as { text: string }).text)).toEqual([
      'Step 1/2 : FROM sha256:abc',
      ' ---> abc',
      'Step 2/2 : RUN echo hi',
      'hi',
      'Successfully built ffffffffffff',
    ]);
    expect(reader.imageId).toBe('sha256:' + 'f'.repeat(64));
    expect(reader.currentStep).toEqual({ number: 2, total: 2, instruction: 'RUN echo hi' });
    expect(reader.error).toBeUndefined();
  });

  it('keeps the first error with the step that was running', () => {
    const reader = new BuildOutputReader();
    reader.push(line({ stream: 'Step 3/5 : RUN false\n' }));
    const events = reader.push(
      line({ errorDetail: { code: 1, message: "The command '/bin/sh -c false' returned a non-zero code: 1" }, error: 'ignored' }) +
        line({ error: 'second' }),
    );
    expect(events[0]).toEqual({
      kind: 'error',
      message: "The command '/bin/sh -c false' returned a non-zero code: 1",
      step: { number: 3, total: 5, instruction: 'RUN false' },
    });
    expect(reader.error?.message).toBe("The command '/bin/sh -c false' returned a non-zero code: 1");
  });

  it('reads a last line without a newline and passes non-JSON through', () => {
    const reader = new BuildOutputReader();
    expect(reader.push('not json\n')).toEqual([{ kind: 'output', text: 'not json' }]);
    reader.push(JSON.stringify({ stream: 'partial' }));
    expect(reader.end()).toEqual([{ kind: 'output', text: 'partial' }]);
  });

  it('prints pull-style status lines', () => {
    const reader = new BuildOutputReader();
    expect(reader.push(line({ status: 'Downloading', id: 'abc', progress: '[==>]' }))).toEqual([{ kind: 'output', text: 'abc: Downloading [==>]' }]);
  });
});
