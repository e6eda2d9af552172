export interface ImageTestExecutorOptions {
  /** The spec file, relative to the project folder; default image-test.json. */
  spec?: string;
}
