export interface PromoteExecutorOptions {
  registry?: string;
  change?: string;
  removeChangeTags?: boolean;
  /** Environment variables whose values are secret: masked in all output, refused in builds. From the plugin's secretEnv option. */
  secretEnv?: string[];
}
