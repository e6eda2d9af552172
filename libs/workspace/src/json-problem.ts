/** What is wrong with a JSON text, with the line and column, for an error that points at the place. Pure. */

/** Undefined for valid JSON; else the parser's complaint with `line L, column C` where it knows the position. */
export function jsonProblem(text: string): string | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (error) {
    const message = (error as Error).message;
    const at = /at position (\d+)/.exec(message);
    const offset = at !== null ? Number(at[1]) : message.includes('end of JSON input') ? text.length : undefined;
    if (offset === undefined) return message;
    const before = text.slice(0, offset).split('\n');
    const reason = message.replace(/ (in JSON )?at position \d+.*$/, '');
    return `${reason} at line ${before.length}, column ${before[before.length - 1].length + 1}`;
  }
}
