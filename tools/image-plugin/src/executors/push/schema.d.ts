export interface PushExecutorOptions {
  registry?: string;
  /** Tag rules instead of the workspace's (the image plugin's tagRules option in nx.json, read when the executor runs). */
  tagRules?: string[];
  /** Environment variables whose values are secret: masked in all output, refused in builds. Added to the image plugin's secretEnv option in nx.json, which the executor reads. */
  secretEnv?: string[];
}
