/**
 * The one line between a user's mistake and a bug. An error a user can fix
 * (bad input, a refused build, an engine or registry that does not answer, a
 * source that cannot be had) extends UserError: it carries what went wrong and
 * the fix, and is printed plainly. Anything else is an internal error, printed
 * with its trace and a request to report it. The lowest layer: every lib may
 * use it. Pure.
 */
export class UserError extends Error {
  /** Marks the error across bundles, where `instanceof` may see two copies of this class. */
  readonly userError = true;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof Error && (error as { userError?: unknown }).userError === true;
}
