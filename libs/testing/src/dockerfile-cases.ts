/**
 * Generated Dockerfiles with the answer beside them: global ARGs (with and
 * without defaults, overridden by build arguments or not), stages that start
 * from an image, an ARG, an earlier stage (named in any case) or scratch,
 * `COPY --from` an image or a stage, comments and in-stage ARGs that must
 * change nothing, and line continuations. The generator knows which image
 * each stage starts from and which outside images the file uses.
 */
import fc from 'fast-check';

export type StageBase = { kind: 'image'; image: string } | { kind: 'stage'; index: number } | { kind: 'scratch' };

export interface DockerfileCase {
  text: string;
  buildArgs: Record<string, string>;
  /** What each stage starts from, resolved. */
  bases: StageBase[];
  /** Every outside image the file uses (FROM and COPY --from), deduplicated. */
  images: string[];
}

interface StagePlan {
  base: { kind: 'image'; image: string; tag: boolean } | { kind: 'arg'; arg: number; form: number } | { kind: 'stage'; pick: number; upper: boolean } | { kind: 'scratch' };
  named: boolean;
  platform: boolean;
  body: Array<{ kind: 'comment' | 'label' | 'arg-distractor' } | { kind: 'copy'; from: { kind: 'image'; image: string } | { kind: 'stage'; pick: number; byIndex: boolean }; split: boolean }>;
}

export function dockerfileCaseArb(images: readonly string[]): fc.Arbitrary<DockerfileCase> {
  const image = fc.constantFrom(...images);
  const globalArg = fc.record({ default: fc.option(image, { nil: undefined }), override: fc.option(image, { nil: undefined }) });
  const body = fc.array(
    fc.oneof(
      fc.constantFrom({ kind: 'comment' as const }, { kind: 'label' as const }, { kind: 'arg-distractor' as const }),
      fc.record({
        kind: fc.constant('copy' as const),
        from: fc.oneof(fc.record({ kind: fc.constant('image' as const), image }), fc.record({ kind: fc.constant('stage' as const), pick: fc.nat(), byIndex: fc.boolean() })),
        split: fc.boolean(),
      }),
    ),
    { maxLength: 3 },
  );
  const stage = fc.record({
    base: fc.oneof(
      fc.record({ kind: fc.constant('image' as const), image, tag: fc.boolean() }),
      fc.record({ kind: fc.constant('arg' as const), arg: fc.nat(), form: fc.nat({ max: 2 }) }),
      fc.record({ kind: fc.constant('stage' as const), pick: fc.nat(), upper: fc.boolean() }),
      fc.constant({ kind: 'scratch' as const }),
    ),
    named: fc.boolean(),
    platform: fc.boolean(),
    body,
  });
  return fc
    .tuple(fc.array(globalArg, { maxLength: 3 }), fc.array(stage, { minLength: 1, maxLength: 4 }), fc.boolean())
    .map(([args, stages, comments]) => render(images, args, stages as StagePlan[], comments));
}

function render(images: readonly string[], args: Array<{ default?: string; override?: string }>, plans: StagePlan[], comments: boolean): DockerfileCase {
  const lines: string[] = [];
  const buildArgs: Record<string, string> = {};
  const argValue: Array<string | undefined> = [];
  if (comments) lines.push(`# A generated Dockerfile; FROM ${images[images.length - 1]} in a comment changes nothing`);
  args.forEach((arg, index) => {
    const name = `BASE${index}`;
    lines.push(arg.default !== undefined ? `ARG ${name}=${arg.default}` : `ARG ${name}`);
    if (arg.override !== undefined) buildArgs[name] = arg.override;
    argValue.push(arg.override ?? arg.default);
  });
  const bases: StageBase[] = [];
  const used: string[] = [];
  const use = (name: string) => {
    if (!used.includes(name)) used.push(name);
  };
  const names: Array<string | undefined> = [];
  plans.forEach((plan, index) => {
    const named = names.map((name, at) => ({ name, at })).filter((entry): entry is { name: string; at: number } => entry.name !== undefined);
    let from: string;
    let base: StageBase;
    const b = plan.base;
    const argsWithValue = argValue.map((value, at) => ({ value, at })).filter((entry): entry is { value: string; at: number } => entry.value !== undefined);
    if (b.kind === 'stage' && named.length > 0) {
      const target = named[b.pick % named.length];
      from = b.upper ? target.name.toUpperCase() : target.name;
      base = { kind: 'stage', index: target.at };
    } else if (b.kind === 'arg' && argsWithValue.length > 0) {
      const target = argsWithValue[b.arg % argsWithValue.length];
      const name = `BASE${target.at}`;
      from = [`$${name}`, `\${${name}}`, `\${${name}:-${images[0]}}`][b.form];
      base = { kind: 'image', image: target.value };
      use(target.value);
    } else if (b.kind === 'scratch') {
      from = 'scratch';
      base = { kind: 'scratch' };
    } else {
      const chosen = b.kind === 'image' ? b.image : images[index % images.length];
      from = b.kind === 'image' && b.tag ? `${chosen}:latest` : chosen;
      base = { kind: 'image', image: from };
      use(from);
    }
    const name = plan.named ? `s${index}` : undefined;
    names.push(name);
    bases.push(base);
    lines.push(`FROM ${plan.platform ? '--platform=linux/amd64 ' : ''}${from}${name !== undefined ? ` AS ${name}` : ''}`);
    for (const step of plan.body) {
      if (step.kind === 'comment') lines.push('# COPY --from=not-an-image / /nowhere');
      else if (step.kind === 'label') lines.push(`LABEL generated.stage="${index}"`);
      else if (step.kind === 'arg-distractor') lines.push(`ARG BASE0=${images[images.length - 1]}`);
      else if (step.kind === 'copy') {
        let source: string;
        if (step.from.kind === 'stage' && index > 0) {
          const earlier = step.from.pick % index;
          source = step.from.byIndex || names[earlier] === undefined ? String(earlier) : names[earlier]!;
        } else {
          source = step.from.kind === 'image' ? step.from.image : images[0];
          use(source);
        }
        lines.push(step.split ? `COPY \\\n    --from=${source} \\\n    / /copied-${index}/` : `COPY --from=${source} / /copied-${index}/`);
      }
    }
  });
  return { text: `${lines.join('\n')}\n`, buildArgs, bases, images: used };
}
