import { UserError } from '@imgmono/errors';
/** Errors of the engine client, each carrying what a user needs to act on it. */
export class EngineUnavailableError extends UserError {
  /** `during`: what was under way when the engine went away (a build, a push), if anything. */
  constructor(
    readonly host: string,
    cause: string,
    during?: string,
  ) {
    super(
      during === undefined
        ? `no Docker engine answers at ${host} (${cause}); start one with 'bash tools/scripts/engine-setup.sh', or point DOCKER_HOST at a running engine`
        : `the Docker engine at ${host} stopped answering during ${during} (${cause}); nothing was tagged: start it again with 'bash tools/scripts/engine-setup.sh' (or point DOCKER_HOST at a running engine) and run again`,
    );
  }
}

/** DOCKER_HOST, DOCKER_TLS_VERIFY or DOCKER_CERT_PATH name an engine no client can be made for. */
export class EngineSettingsError extends UserError {
  constructor(message: string) {
    super(message);
  }
}

export class BuildFailedError extends UserError {
  constructor(
    readonly engineMessage: string,
    readonly step?: { number: number; total: number; instruction: string },
  ) {
    super(step ? `Step ${step.number}/${step.total} (${step.instruction}) failed: ${engineMessage}` : engineMessage);
  }
}

export class EngineRequestError extends UserError {
  constructor(message: string) {
    super(message);
  }
}

/** Error codes that mean the engine could not be reached (or went away), not that it refused a request. */
const CONNECTION_CODES = ['ECONNREFUSED', 'ENOENT', 'EACCES', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH'];

/** The error as an EngineUnavailableError when it is a connection failure; undefined when it is anything else. */
export function engineConnectionError(error: unknown, host: string, during?: string): EngineUnavailableError | undefined {
  const err = error as NodeJS.ErrnoException | undefined;
  if (!CONNECTION_CODES.includes(err?.code ?? '') && err?.message !== 'aborted') return undefined;
  return new EngineUnavailableError(host, `${err?.code ?? 'connection closed'}: ${err?.message}`, during);
}
