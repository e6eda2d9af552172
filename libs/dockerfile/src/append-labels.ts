/**
 * Adds one LABEL instruction at the end of the stage that is built. The
 * classic builder turns every label passed through the API into a step of
 * its own; one instruction is one step. Line numbers before it are kept. Pure.
 */
import { Stage } from './stages';

/** A label value as a Dockerfile double-quoted string: JSON escapes, and `$` escaped so it is not substituted. */
export function quoteLabelValue(value: string): string {
  return JSON.stringify(value).replace(/\$/g, '\\$');
}

export function appendLabels(text: string, builtStages: Stage[], allStages: Stage[], labels: Record<string, string>): string {
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return text;
  const instruction = `LABEL ${keys.map((key) => `${quoteLabelValue(key)}=${quoteLabelValue(labels[key])}`).join(' ')}`;
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const last = builtStages[builtStages.length - 1];
  const next = allStages[last.index + 1];
  if (next === undefined) {
    while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
    lines.push(instruction, '');
  } else {
    lines.splice(next.instruction.line - 1, 0, instruction);
  }
  return lines.join('\n');
}
