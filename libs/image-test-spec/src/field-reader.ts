/**
 * Reading spec files field by field: JSON parsing and a reader whose errors
 * name the file, the place in it and the field. Pure.
 */
import { UserError } from '@imgmono/errors';

export class TestSpecError extends UserError {
  constructor(message: string) {
    super(message);
  }
}

export type Json = Record<string, unknown>;

/** Reads fields of one object of a spec, with errors that say where. */
export class FieldReader {
  constructor(
    readonly file: string,
    readonly where: string,
    readonly value: Json,
    allowed: readonly string[],
  ) {
    for (const key of Object.keys(value)) {
      if (key === '$schema' || key === 'description') continue;
      if (!allowed.includes(key)) throw this.error(key, `is not a known field (known: ${allowed.join(', ')})`);
    }
  }

  error(field: string, problem: string): TestSpecError {
    return new TestSpecError(`${this.file}: ${this.where}${this.where ? '.' : ''}${field} ${problem}`);
  }

  string(field: string): string | undefined {
    const value = this.value[field];
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value === '') throw this.error(field, 'must be a non-empty string');
    return value;
  }

  requiredString(field: string): string {
    const value = this.string(field);
    if (value === undefined) throw this.error(field, 'is required');
    return value;
  }

  strings(field: string): string[] | undefined {
    const value = this.value[field];
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) throw this.error(field, 'must be a list of strings');
    return value as string[];
  }

  regexes(field: string): string[] {
    const list = this.strings(field) ?? [];
    for (const pattern of list) {
      try {
        new RegExp(withoutTemplates(pattern), 'm');
      } catch (error) {
        throw this.error(field, `has an invalid regular expression ${JSON.stringify(pattern)}: ${(error as Error).message}`);
      }
    }
    return list;
  }

  integer(field: string, min: number, max: number): number | undefined {
    const value = this.value[field];
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw this.error(field, `must be a whole number from ${min} to ${max}`);
    return value;
  }

  boolean(field: string): boolean | undefined {
    const value = this.value[field];
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean') throw this.error(field, 'must be true or false');
    return value;
  }

  stringMap(field: string): Record<string, string> {
    const value = this.value[field];
    if (value === undefined) return {};
    if (!isObject(value) || Object.values(value).some((item) => typeof item !== 'string')) throw this.error(field, 'must be an object of strings');
    return value as Record<string, string>;
  }

  objects(field: string): Json[] {
    const value = this.value[field];
    if (value === undefined) return [];
    if (!Array.isArray(value) || value.some((item) => !isObject(item))) throw this.error(field, 'must be a list of objects');
    return value as Json[];
  }
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `{{label:key}}` and `{{version}}` stand for values of the image under test; see expand-templates. */
export function withoutTemplates(pattern: string): string {
  return pattern.replace(/\{\{[^}]*\}\}/g, 'x');
}

export function parseJson(text: string, file: string): Json {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new TestSpecError(`${file}: not valid JSON: ${(error as Error).message}`);
  }
  if (!isObject(json)) throw new TestSpecError(`${file}: must be a JSON object`);
  return json;
}
