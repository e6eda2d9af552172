export interface TreeExecutorOptions {
  affected?: boolean;
  base?: string;
  head?: string;
}
