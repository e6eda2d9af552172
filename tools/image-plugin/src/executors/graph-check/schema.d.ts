export interface GraphCheckExecutorOptions {
  /** Check every image project, not only this one. */
  all?: boolean;
}
