/**
 * Reads the JSON-lines progress stream of a push or pull to its end: every
 * line, failing on the first error line with the engine's own message, and
 * collecting the `aux` records (a push's digest). Pure over its input.
 */
export interface ProgressResult {
  aux: Array<Record<string, unknown>>;
  error?: string;
}

export function readProgressLines(text: string): ProgressResult {
  const result: ProgressResult = { aux: [] };
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(trimmed);
    } catch {
      continue;
    }
    const detail = message.errorDetail as { message?: string } | undefined;
    if ((message.error !== undefined || detail !== undefined) && result.error === undefined) {
      result.error = String(detail?.message ?? message.error).trim();
    }
    if (typeof message.aux === 'object' && message.aux !== null) result.aux.push(message.aux as Record<string, unknown>);
  }
  return result;
}

export function collectStream(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    stream.on('end', () => resolve(text));
    stream.on('error', reject);
  });
}
