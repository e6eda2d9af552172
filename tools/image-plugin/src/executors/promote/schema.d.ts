export interface PromoteExecutorOptions {
  registry?: string;
  change?: string;
  removeChangeTags?: boolean;
}
