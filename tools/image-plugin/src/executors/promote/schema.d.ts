export interface PromoteExecutorOptions {
  registry?: string;
  change?: string;
  removeChangeTags?: boolean;
  /** The workspace's tag rules (the plugin's tagRules option): which tags are moving, and guarded. */
  tagRules?: string[];
  /** Environment variables whose values are secret: masked in all output, refused in builds. From the plugin's secretEnv option. */
  secretEnv?: string[];
}
