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
  'EngineSettingsError',
  'BuildFailedError',
  'RegistryTransferError',
  'EngineRequestError',
  'RecordError',
  'GeneratorInputError',
  'TestSpecError',
]);

export function isUserError(error: unknown): boolean {
  return error instanceof Error && USER_ERRORS.has(error.name);
}

/** `print`: where the message goes (an executor's masked output, so no secret value is printed). */
export function reportFailure(project: string, error: unknown, print: (line: string) => void = (line) => console.error(line)): { success: false } {
  if (isUserError(error)) {
    print(`ERROR ${(error as Error).message}`);
  } else {
    print(`[${project}] internal error, please report it with this trace:`);
    print(error instanceof Error ? (error.stack ?? error.message) : String(error));
  }
  return { success: false };
}
