/**
 * How executors end on an error: a user error (bad input, a refused build, an
 * unreachable engine or registry) prints its message plainly; anything else
 * is a bug of the tool and asks for a report with the trace.
 */
/** Bad input to an executor (options, environment): printed plainly, like every user error. */
export class ExecutorInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExecutorInputError';
  }
}

const USER_ERRORS = new Set([
  'ExecutorInputError',
  'ImageBuildError',
  'PublishError',
  'RegistryError',
  'RegistryAuthError',
  'CredentialsError',
  'TagRuleError',
  'VersionError',
  'EngineUnavailableError',
  'BuildFailedError',
  'RegistryTransferError',
  'EngineRequestError',
  'RecordError',
  'GeneratorInputError',
]);

export function isUserError(error: unknown): boolean {
  return error instanceof Error && USER_ERRORS.has(error.name);
}

export function reportFailure(project: string, error: unknown): { success: false } {
  if (isUserError(error)) {
    console.error(`ERROR ${(error as Error).message}`);
  } else {
    console.error(`[${project}] internal error, please report it with this trace:`);
    console.error(error);
  }
  return { success: false };
}
