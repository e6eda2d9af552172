/**
 * A user error: bad input or a failed build, with a message that names the
 * file, the project and the fix. Anything else reaching the top is a bug.
 */
import { UserError } from '@imgmono/errors';
export class ImageBuildError extends UserError {
  constructor(
    readonly project: string,
    message: string,
  ) {
    super(`${project}: ${message}`);
  }
}
