/**
 * How executors stop on Ctrl-C or a supervisor's SIGTERM: the body gets an
 * AbortSignal and cleans up (cancel the build, remove containers). The
 * handlers stay installed until the body has ended, because a task process
 * gets the signal more than once (from the terminal's process group, then
 * forwarded by Nx), and a second one must not kill it half-way through its
 * clean-up. For the same reason, writes to a pipe Nx has already closed are
 * ignored once interrupted.
 */
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export async function withInterrupts<T>(announce: (signal: NodeJS.Signals) => void, body: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const abort = new AbortController();
  const ignore = () => undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (abort.signal.aborted) return;
    process.stdout.on('error', ignore);
    process.stderr.on('error', ignore);
    try {
      announce(signal);
    } catch {
      // nowhere to say it
    }
    abort.abort();
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  try {
    return await body(abort.signal);
  } finally {
    for (const signal of SIGNALS) process.off(signal, onSignal);
  }
}
