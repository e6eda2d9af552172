export interface PushExecutorOptions {
  registry?: string;
  tagRules?: string[];
  /** Environment variables whose values are secret: masked in all output, refused in builds. From the plugin's secretEnv option. */
  secretEnv?: string[];
}
