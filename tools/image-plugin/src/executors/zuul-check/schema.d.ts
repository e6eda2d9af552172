export type ZuulCheckExecutorOptions = Record<string, never>;
