export interface ImageExecutorOptions {
  dockerfile?: string;
  tags?: string[];
  buildArgs?: Record<string, string>;
  target?: string;
  platform?: string;
  network?: string;
  optionalSources?: string[];
  primarySource?: string;
  noCache?: boolean;
  secrets?: string[];
  /** Environment variables whose values are secret: masked in all output, refused in builds. Added to the image plugin's secretEnv option in nx.json, which the executor reads. */
  secretEnv?: string[];
}
