/**
 * A small YAML writer for Zuul configuration: block style only, keys in the
 * order given, strings quoted only when YAML would read them otherwise, and
 * anchors (`&name`) and aliases (`*name`) for the docker_images block the
 * build, upload and promote jobs of an image share. The same data always
 * gives the same bytes. Pure.
 */

export type YamlValue = string | number | boolean | YamlValue[] | YamlMap | YamlAnchor | YamlAlias;
export interface YamlMap {
  [key: string]: YamlValue | undefined;
}
/** A value given an anchor where it is first written. */
export interface YamlAnchor {
  anchor: string;
  value: YamlValue;
}
/** A reference to an anchored value. */
export interface YamlAlias {
  alias: string;
}

const isAnchor = (value: unknown): value is YamlAnchor => typeof value === 'object' && value !== null && !Array.isArray(value) && 'anchor' in value && 'value' in value && Object.keys(value).length === 2;
const isAlias = (value: unknown): value is YamlAlias => typeof value === 'object' && value !== null && !Array.isArray(value) && 'alias' in value && Object.keys(value).length === 1;

/** A scalar as YAML reads it back unchanged. */
export function scalar(value: string | number | boolean): string {
  if (typeof value !== 'string') return String(value);
  const plain =
    value !== '' &&
    /^[A-Za-z0-9_./][A-Za-z0-9_./ :=@+-]*$/.test(value) &&
    !/[: ]$/.test(value) &&
    !/: |\s#/.test(value) &&
    !/^(true|false|yes|no|on|off|null|~|y|n)$/i.test(value) &&
    !/^[-+]?(\d[\d_]*(\.\d*)?([eE][-+]?\d+)?|\.\d+|0x[0-9a-fA-F]+|0o[0-7]+)$/.test(value);
  return plain ? value : `'${value.replace(/'/g, "''")}'`;
}

function write(value: YamlValue, indent: number, lines: string[], prefix: string): void {
  const pad = ' '.repeat(indent);
  if (isAlias(value)) {
    lines.push(`${prefix}*${value.alias}`);
    return;
  }
  let anchor = '';
  if (isAnchor(value)) {
    anchor = `&${value.anchor}`;
    value = value.value;
  }
  if (Array.isArray(value)) {
    if (value.length === 0) {
      lines.push(`${prefix}${anchor ? `${anchor} ` : ''}[]`);
      return;
    }
    if (prefix.trim() !== '' || anchor) lines.push(`${prefix}${anchor}`.trimEnd());
    for (const item of value) {
      const itemPrefix = `${pad}- `;
      if (typeof item === 'object' && !isAlias(item) && !Array.isArray(item) && !isAnchor(item)) writeMap(item, indent + 2, lines, itemPrefix);
      else write(item, indent + 2, lines, itemPrefix);
    }
    return;
  }
  if (typeof value === 'object') {
    if (prefix.trim() !== '' || anchor) lines.push(`${prefix}${anchor}`.trimEnd());
    writeMap(value as YamlMap, indent, lines, pad);
    return;
  }
  lines.push(`${prefix}${anchor ? `${anchor} ` : ''}${scalar(value)}`);
}

/** A map; its first key goes on the line `firstPrefix` starts (after `- ` in a list). */
function writeMap(map: YamlMap, indent: number, lines: string[], firstPrefix: string): void {
  const pad = ' '.repeat(indent);
  let first = true;
  for (const [key, value] of Object.entries(map)) {
    if (value === undefined) continue;
    const prefix = first ? firstPrefix : pad;
    first = false;
    const keyText = `${prefix}${scalar(key)}:`;
    const nested = (typeof value === 'object' && !isAlias(value)) ? (isAnchor(value) ? value.value : value) : undefined;
    if (nested !== undefined && typeof nested === 'object' && (!Array.isArray(nested) || nested.length > 0)) {
      write(value, indent + 2, lines, `${keyText} `);
    } else {
      write(value, indent + 2, lines, `${keyText} `);
    }
  }
}

/** A YAML document: a list of top-level items (Zuul's `- job:` ... `- project:`), with comment lines above. */
export function renderYaml(items: YamlValue[], header: string[] = []): string {
  const lines: string[] = header.map((line) => (line === '' ? '#' : `# ${line}`));
  for (const item of items) {
    if (lines.length > 0) lines.push('');
    write([item], 0, lines, '');
  }
  return `${lines.join('\n')}\n`;
}
