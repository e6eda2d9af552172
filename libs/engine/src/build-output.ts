/**
 * Reads the JSON lines the engine streams back from a build. Pure: chunks
 * in, events out. Every line is read; an `error` line ends the build with
 * the engine's own message and the step that was running. Chunks are bytes
 * cut anywhere by the transport, in the middle of a character too: they are
 * decoded as one UTF-8 stream, never chunk by chunk.
 */
import { StringDecoder } from 'node:string_decoder';

export interface BuildStep {
  number: number;
  total: number;
  /** The instruction as the engine printed it (`RUN apt-get update`). */
  instruction: string;
}

export type BuildEvent =
  | { kind: 'output'; text: string }
  | { kind: 'step'; step: BuildStep }
  | { kind: 'image'; imageId: string }
  | { kind: 'error'; message: string; step?: BuildStep };

const STEP = /^Step (\d+)\/(\d+) : (.*)$/;
const BUILT = /^Successfully built ([0-9a-f]{12,64})$/;

export class BuildOutputReader {
  private buffer = '';
  private readonly decoder = new StringDecoder('utf8');
  private step: BuildStep | undefined;
  private pendingText = '';
  imageId: string | undefined;
  error: { message: string; step?: BuildStep } | undefined;

  get currentStep(): BuildStep | undefined {
    return this.step;
  }

  /** Feeds a chunk of the HTTP body; returns the events of the complete lines in it. */
  push(chunk: Buffer | string): BuildEvent[] {
    this.buffer += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    const events: BuildEvent[] = [];
    let newline = this.buffer.indexOf('\n');
    while (newline >= 0) {
      const line = this.buffer.slice(0, newline).trim();
      this.buffer = this.buffer.slice(newline + 1);
      if (line !== '') events.push(...this.readLine(line));
      newline = this.buffer.indexOf('\n');
    }
    return events;
  }

  /** Call when the stream ended: reads a last unterminated line and flushes partial output. */
  end(): BuildEvent[] {
    this.buffer += this.decoder.end();
    const events = this.buffer.trim() !== '' ? this.readLine(this.buffer.trim()) : [];
    this.buffer = '';
    if (this.pendingText !== '') {
      events.push({ kind: 'output', text: this.pendingText });
      this.pendingText = '';
    }
    return events;
  }

  private readLine(line: string): BuildEvent[] {
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return this.text(`${line}\n`);
    }
    if (typeof message.error === 'string' || typeof message.errorDetail === 'object') {
      const detail = message.errorDetail as { message?: string } | undefined;
      const text = String(detail?.message ?? message.error).trim();
      const event = { kind: 'error' as const, message: text, step: this.step };
      if (this.error === undefined) this.error = { message: text, step: this.step };
      return [event];
    }
    const aux = message.aux as { ID?: string } | undefined;
    if (aux?.ID !== undefined) {
      this.imageId = aux.ID;
      return [{ kind: 'image', imageId: aux.ID }];
    }
    if (typeof message.stream === 'string') return this.text(message.stream);
    if (typeof message.status === 'string') {
      const progress = typeof message.progress === 'string' ? ` ${message.progress}` : '';
      const id = typeof message.id === 'string' ? `${message.id}: ` : '';
      return this.text(`${id}${message.status}${progress}\n`);
    }
    return [];
  }

  private text(text: string): BuildEvent[] {
    const events: BuildEvent[] = [];
    const combined = this.pendingText + text;
    const lines = combined.split('\n');
    this.pendingText = lines.pop() ?? '';
    for (const raw of lines) {
      const line = raw.replace(/\r/g, '');
      const step = STEP.exec(line);
      if (step) {
        this.step = { number: Number(step[1]), total: Number(step[2]), instruction: step[3] };
        events.push({ kind: 'step', step: this.step });
      }
      const built = BUILT.exec(line);
      if (built && this.imageId === undefined) this.imageId = built[1];
      events.push({ kind: 'output', text: line });
    }
    return events;
  }
}
