export interface PushExecutorOptions {
  registry?: string;
  tagRules?: string[];
}
