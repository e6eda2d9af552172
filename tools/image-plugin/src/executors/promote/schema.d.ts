export interface PromoteExecutorOptions {
  registry?: string;
  change?: string;
  removeChangeTags?: boolean;
  /** Tag rules instead of the workspace's (the image plugin's tagRules option in nx.json, read when the executor runs): which tags are moving, and guarded. */
  tagRules?: string[];
  /** Environment variables whose values are secret: masked in all output, refused in builds. Added to the image plugin's secretEnv option in nx.json, which the executor reads. */
  secretEnv?: string[];
}
