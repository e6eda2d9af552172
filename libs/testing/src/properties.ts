/**
 * Property-based tests (fast-check) the same way everywhere: a fixed seed in
 * CI (FC_SEED, else 20261127), a fresh one on a developer's machine; the seed
 * and the number of generated cases printed for every property, and fast-check's
 * own report (seed, path and counterexample) when one fails, so any failure
 * can be replayed with FC_SEED=<seed>.
 */
import fc from 'fast-check';

export const CI_SEED = 20261127;

export function propertySeed(env: NodeJS.ProcessEnv = process.env): number {
  if (env.FC_SEED !== undefined && env.FC_SEED !== '') return Number(env.FC_SEED);
  return env.CI === 'true' ? CI_SEED : Math.floor(Math.random() * 2 ** 31);
}

/** Runs a property; prints `property "<name>": N generated cases passed (seed S)`. */
export function assertProperty<Ts>(name: string, property: fc.IProperty<Ts>, numRuns: number): void {
  const seed = propertySeed();
  fc.assert(property, { seed, numRuns });
  console.log(`property "${name}": ${numRuns} generated cases passed (seed ${seed})`);
}

export async function assertAsyncProperty<Ts>(name: string, property: fc.IAsyncProperty<Ts>, numRuns: number): Promise<void> {
  const seed = propertySeed();
  await fc.assert(property, { seed, numRuns });
  console.log(`property "${name}": ${numRuns} generated cases passed (seed ${seed})`);
}
