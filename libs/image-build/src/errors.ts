/**
 * A user error: bad input or a failed build, with a message that names the
 * file, the project and the fix. Anything else reaching the top is a bug.
 */
export class ImageBuildError extends Error {
  constructor(
    readonly project: string,
    message: string,
  ) {
    super(`${project}: ${message}`);
    this.name = 'ImageBuildError';
  }
}
