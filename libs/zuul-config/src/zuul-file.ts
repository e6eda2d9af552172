/** The Zuul file as text, the check on it, and the check pipeline's job graph drawn for people. Pure. */
import { YamlMap, renderYaml } from './yaml-writer';
import { zuulJobs } from './zuul-jobs';
import { DEFAULT_ZUUL_OPTIONS, ZuulExportOptions, ZuulWorkspace } from './zuul-workspace';

/** The Zuul file: jobs, then the project stanza, with a header saying how it is made. */
export function renderZuulConfig(workspace: ZuulWorkspace, options: ZuulExportOptions = DEFAULT_ZUUL_OPTIONS): string {
  const set = zuulJobs(workspace, options);
  return renderYaml([...set.jobs, set.project], [
    `Generated from the Nx project graph by 'nx g @imgmono/image-plugin:zuul'; do not edit.`,
    `Regenerate after changing images, sources or scenarios; 'nx run zuul-config:zuul-check' fails while it is stale.`,
  ]);
}

/** The first line where two texts differ (1-based), with both lines; undefined when they are equal. */
export function firstDifference(actual: string, expected: string): { line: number; expected: string; actual: string } | undefined {
  if (actual === expected) return undefined;
  const a = actual.split('\n');
  const e = expected.split('\n');
  for (let index = 0; index < Math.max(a.length, e.length); index++) {
    if (a[index] !== e[index]) return { line: index + 1, expected: e[index] ?? '(end of file)', actual: a[index] ?? '(end of file)' };
  }
  return undefined;
}

/**
 * The check pipeline's job graph as text, each job under the job it depends on (the registry job
 * at the top), with what runs it: for a README and for the generator to print.
 */
export function jobGraphLines(workspace: ZuulWorkspace, options: ZuulExportOptions = DEFAULT_ZUUL_OPTIONS): string[] {
  const set = zuulJobs(workspace, options);
  const jobs = set.jobs.map((item) => item.job as YamlMap);
  const checkJobs = new Set(((set.project.project as YamlMap)[options.pipelines.check] as { jobs: string[] }).jobs);
  const byName = new Map(jobs.filter((job) => checkJobs.has(job.name as string)).map((job) => [job.name as string, job]));
  const parentOf = (job: YamlMap): string => {
    const deps = ((job.dependencies ?? []) as Array<{ name: string }>).map((dep) => dep.name).filter((dep) => byName.has(dep));
    return deps.length > 0 ? deps[deps.length - 1] : options.registryJob;
  };
  const children = new Map<string, string[]>();
  for (const [name, job] of byName) {
    const parent = parentOf(job);
    children.set(parent, [...(children.get(parent) ?? []), name]);
  }
  const what = (job: YamlMap): string => {
    const vars = (job.vars ?? {}) as YamlMap;
    const others = ((job.dependencies ?? []) as Array<{ name: string }>).map((dep) => dep.name).filter((dep) => byName.has(dep) && dep !== parentOf(job));
    const also = others.length > 0 ? `; also after ${others.join(', ')}` : '';
    if (typeof vars.nx_target === 'string') return `nx run ${vars.nx_target}${also}`;
    const images = ((vars.docker_images as { value?: YamlMap[] })?.value ?? []) as YamlMap[];
    const siblings = images.flatMap((image) => (image.siblings ?? []) as string[]);
    return `${job.parent as string}${siblings.length > 0 ? `, siblings ${[...new Set(siblings)].join(' ')}` : ''}${also}`;
  };
  const lines = [options.registryJob];
  const draw = (name: string, prefix: string) => {
    const kids = (children.get(name) ?? []).sort((a, b) => (a.includes('-image-test-') === b.includes('-image-test-') ? a.localeCompare(b) : a.includes('-image-test-') ? 1 : -1));
    kids.forEach((kid, index) => {
      const last = index === kids.length - 1;
      lines.push(`${prefix}${last ? '└── ' : '├── '}${kid}  (${what(byName.get(kid)!)})`);
      draw(kid, `${prefix}${last ? '    ' : '│   '}`);
    });
  };
  draw(options.registryJob, '');
  return lines;
}
