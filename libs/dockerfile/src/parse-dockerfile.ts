/**
 * A Dockerfile as a list of instructions with the lines they came from.
 * Pure: text in, data out. Follows the Dockerfile reference: parser
 * directives (`# escape=`), comments, line continuations with the escape
 * character, and empty continuation lines.
 */
import { UserError } from '@imgmono/errors';
export interface Instruction {
  /** Upper-case keyword: FROM, RUN, COPY, ... */
  keyword: string;
  /** Everything after the keyword, continuations joined with a space. */
  args: string;
  /** 1-based line where the instruction starts. */
  line: number;
  /** 1-based line where the instruction ends (after continuations). */
  endLine: number;
}

export interface ParsedDockerfile {
  escapeChar: string;
  instructions: Instruction[];
}

export class DockerfileSyntaxError extends UserError {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

const DIRECTIVE = /^#\s*([a-zA-Z][a-zA-Z0-9_-]*)\s*=\s*(.*?)\s*$/;

export function parseDockerfile(text: string): ParsedDockerfile {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let escapeChar = '\\';
  let index = 0;

  // Parser directives: only at the very top, before any comment, blank line or instruction.
  for (; index < lines.length; index++) {
    const match = DIRECTIVE.exec(lines[index]);
    if (!match) break;
    if (match[1].toLowerCase() === 'escape') {
      if (match[2] !== '\\' && match[2] !== '`') {
        throw new DockerfileSyntaxError(`invalid escape directive '${match[2]}': use \\ or \``, index + 1);
      }
      escapeChar = match[2];
    }
  }

  const instructions: Instruction[] = [];
  let pending: { parts: string[]; line: number } | undefined;

  for (; index < lines.length; index++) {
    const raw = lines[index];
    const trimmed = raw.trim();
    if (pending === undefined) {
      if (trimmed === '' || trimmed.startsWith('#')) continue;
    } else if (trimmed.startsWith('#')) {
      continue; // comments inside a continued instruction are dropped
    }
    const trimmedEnd = raw.replace(/\s+$/, '');
    const continues = trimmedEnd.endsWith(escapeChar) && !trimmedEnd.endsWith(escapeChar + escapeChar);
    const body = continues ? trimmedEnd.slice(0, -1) : trimmedEnd;
    if (pending === undefined) {
      pending = { parts: [body.trim()], line: index + 1 };
    } else if (body.trim() !== '') {
      pending.parts.push(body.trim());
    }
    if (!continues) {
      instructions.push(toInstruction(pending.parts.join(' '), pending.line, index + 1));
      pending = undefined;
    }
  }
  if (pending !== undefined) {
    instructions.push(toInstruction(pending.parts.join(' '), pending.line, lines.length));
  }
  return { escapeChar, instructions };
}

function toInstruction(text: string, line: number, endLine: number): Instruction {
  const match = /^(\S+)\s*(.*)$/s.exec(text.trim());
  if (!match) throw new DockerfileSyntaxError('empty instruction', line);
  return { keyword: match[1].toUpperCase(), args: match[2].trim(), line, endLine };
}

/** Splits `--name=value` flags off the front of an instruction's arguments. */
export function splitFlags(args: string): { flags: Record<string, string>; rest: string } {
  const flags: Record<string, string> = {};
  let rest = args.trim();
  for (;;) {
    const match = /^--([a-zA-Z][a-zA-Z0-9-]*)(?:=(\S*))?(?:\s+|$)/.exec(rest);
    if (!match) break;
    flags[match[1].toLowerCase()] = match[2] ?? 'true';
    rest = rest.slice(match[0].length);
  }
  return { flags, rest };
}
