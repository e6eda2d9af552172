/**
 * How executors end on an error: a user error (anything extending UserError:
 * bad input, a refused build, an unreachable engine or registry) prints its
 * message plainly; anything else is a bug of the tool and asks for a report
 * with the trace.
 */
import { UserError, isUserError } from '@imgmono/errors';

/** Bad input to an executor (options, environment): printed plainly, like every user error. */
export class ExecutorInputError extends UserError {}

/** `print`: where the message goes (an executor's masked output, so no secret value is printed). */
export function reportFailure(project: string, error: unknown, print: (line: string) => void = (line) => console.error(line)): { success: false } {
  if (isUserError(error)) {
    print(`ERROR ${error.message}`);
  } else {
    print(`[${project}] internal error, please report it with this trace:`);
    print(error instanceof Error ? (error.stack ?? error.message) : String(error));
  }
  return { success: false };
}
