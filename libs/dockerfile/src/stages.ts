/**
 * The build stages of a Dockerfile and the images they start from, after
 * ARG substitution. Pure.
 */
import { DockerfileSyntaxError, Instruction, ParsedDockerfile, splitFlags } from './parse-dockerfile';

export interface Stage {
  /** 0-based position of the stage. */
  index: number;
  /** The `AS name`, lower-cased as Docker does, if any. */
  name?: string;
  /** The FROM argument after ARG substitution. */
  image: string;
  /** The FROM argument as written. */
  rawImage: string;
  /** `--platform` as written after substitution, if given. */
  platform?: string;
  /** The stage this FROM builds on, when it names an earlier stage rather than an image. */
  fromStage?: number;
  /** The FROM instruction. */
  instruction: Instruction;
}

/** An image a Dockerfile needs from outside: a FROM or a `COPY --from` that is not a stage. */
export interface ImageReference {
  image: string;
  line: number;
  via: 'FROM' | 'COPY --from';
}

export function resolveStages(dockerfile: ParsedDockerfile, buildArgs: Record<string, string> = {}): Stage[] {
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const instruction of dockerfile.instructions) {
    if (instruction.keyword === 'ARG' && stages.length === 0) {
      for (const [name, value] of parseArgDeclarations(instruction)) {
        globalArgs[name] = name in buildArgs ? buildArgs[name] : value ?? '';
      }
      continue;
    }
    if (instruction.keyword !== 'FROM') continue;
    const { flags, rest } = splitFlags(instruction.args);
    const words = rest.split(/\s+/).filter(Boolean);
    if (words.length !== 1 && !(words.length === 3 && words[1].toUpperCase() === 'AS')) {
      throw new DockerfileSyntaxError(`FROM takes an image and an optional 'AS name': got '${instruction.args}'`, instruction.line);
    }
    const image = substitute(words[0], globalArgs, instruction.line);
    if (image === '') {
      throw new DockerfileSyntaxError(`FROM '${words[0]}' is empty after ARG substitution: give the ARG a default or pass it as a build argument`, instruction.line);
    }
    const name = words.length === 3 ? words[2].toLowerCase() : undefined;
    const earlier = stages.find((stage) => stage.name !== undefined && stage.name === image.toLowerCase());
    stages.push({
      index: stages.length,
      name,
      image,
      rawImage: words[0],
      platform: flags.platform !== undefined ? substitute(flags.platform, globalArgs, instruction.line) : undefined,
      fromStage: earlier?.index,
      instruction,
    });
  }
  if (stages.length === 0) {
    throw new DockerfileSyntaxError('no FROM instruction: a Dockerfile must start a stage with FROM', 1);
  }
  return stages;
}

/** Images the Dockerfile pulls in from outside, in order: FROM of every stage and `COPY --from` of an image. */
export function imageReferences(dockerfile: ParsedDockerfile, stages: Stage[]): ImageReference[] {
  const refs: ImageReference[] = [];
  for (const stage of stages) {
    if (stage.fromStage === undefined && stage.image.toLowerCase() !== 'scratch') {
      refs.push({ image: stage.image, line: stage.instruction.line, via: 'FROM' });
    }
  }
  for (const instruction of dockerfile.instructions) {
    if (instruction.keyword !== 'COPY') continue;
    const from = splitFlags(instruction.args).flags.from;
    if (from === undefined) continue;
    const stageIndex = /^\d+$/.test(from) ? Number(from) : undefined;
    const isStage =
      (stageIndex !== undefined && stageIndex < stages.length) || stages.some((stage) => stage.name === from.toLowerCase());
    if (!isStage) refs.push({ image: from, line: instruction.line, via: 'COPY --from' });
  }
  return refs;
}

/** `opendev/python-base:3.11` and `opendev/python-base@sha256:..` both name the repository `opendev/python-base`. */
export function repositoryOf(image: string): string {
  let ref = image;
  const at = ref.indexOf('@');
  if (at >= 0) ref = ref.slice(0, at);
  const lastSlash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > lastSlash) ref = ref.slice(0, colon);
  return ref;
}

function parseArgDeclarations(instruction: Instruction): Array<[string, string | undefined]> {
  const out: Array<[string, string | undefined]> = [];
  for (const word of instruction.args.split(/\s+/).filter(Boolean)) {
    const eq = word.indexOf('=');
    if (eq < 0) out.push([word, undefined]);
    else out.push([word.slice(0, eq), unquote(word.slice(eq + 1))]);
  }
  return out;
}

function unquote(value: string): string {
  if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.endsWith(value[0])) return value.slice(1, -1);
  return value;
}

/** Shell-style `$VAR`, `${VAR}`, `${VAR:-default}` and `${VAR:+alt}`, as the Dockerfile reference defines them. */
export function substitute(text: string, vars: Record<string, string>, line: number): string {
  return text.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::([-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))|\$\{[^}]*\}?/g, (whole, braced, op, word, bare) => {
    const name: string | undefined = braced ?? bare;
    if (name === undefined) {
      throw new DockerfileSyntaxError(`bad substitution '${whole}'`, line);
    }
    const value = vars[name];
    if (op === '-') return value !== undefined && value !== '' ? value : word;
    if (op === '+') return value !== undefined && value !== '' ? word : '';
    return value ?? '';
  });
}
