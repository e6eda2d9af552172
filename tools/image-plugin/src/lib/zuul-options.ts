/**
 * The Zuul export's settings, as users give them in the image plugin's
 * options in nx.json (`"zuul": { "jobPrefix": ..., "perChain": true }`),
 * normalised once for the generator and the drift check.
 */
import { DEFAULT_ZUUL_OPTIONS, ZUUL_FILE, ZuulExportOptions } from '@imgmono/zuul-config';

export interface ZuulUserOptions extends Partial<Omit<ZuulExportOptions, 'pipelines'>> {
  pipelines?: Partial<ZuulExportOptions['pipelines']>;
  /** Where the Zuul configuration is written; default zuul.d/images.yaml. */
  file?: string;
}

export function normaliseZuulOptions(user: ZuulUserOptions | undefined): { file: string; options: ZuulExportOptions } {
  const { file, pipelines, ...rest } = user ?? {};
  const known = Object.keys(DEFAULT_ZUUL_OPTIONS);
  for (const key of Object.keys(rest)) {
    if (!known.includes(key)) throw new Error(`the image plugin's "zuul" option "${key}" is not known (known: file, ${known.join(', ')}): fix it in nx.json`);
  }
  return {
    file: file ?? ZUUL_FILE,
    options: { ...DEFAULT_ZUUL_OPTIONS, ...rest, pipelines: { ...DEFAULT_ZUUL_OPTIONS.pipelines, ...pipelines } },
  };
}
