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
}
