/** Strict mode: a source that cannot be obtained is an error. On with CI=true; IMAGE_SOURCES_STRICT overrides either way. */
export function strictSources(env: NodeJS.ProcessEnv): boolean {
  return env.IMAGE_SOURCES_STRICT !== undefined ? env.IMAGE_SOURCES_STRICT === 'true' : env.CI === 'true';
}
