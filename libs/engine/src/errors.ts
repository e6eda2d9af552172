/** Errors of the engine client, each carrying what a user needs to act on it. */
export class EngineUnavailableError extends Error {
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
    this.name = 'EngineUnavailableError';
  }
}

export class BuildFailedError extends Error {
  constructor(
    readonly engineMessage: string,
    readonly step?: { number: number; total: number; instruction: string },
  ) {
    super(step ? `Step ${step.number}/${step.total} (${step.instruction}) failed: ${engineMessage}` : engineMessage);
    this.name = 'BuildFailedError';
  }
}

export class EngineRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EngineRequestError';
  }
}
