/**
 * Running the fuzz properties on a time budget, seeded differently each run: from `FUZZ_SEED`
 * when it is set, else from the clock. A failure says how to replay it: fast-check's `seed` and
 * `path` (`FUZZ_SEED=… FUZZ_PATH=…` replays exactly the shrunk counterexample).
 */

import fc from 'fast-check';
import type { FuzzProperty } from './properties';

/** The seed of this run: `FUZZ_SEED`, else the clock. */
export function fuzzSeed(): number {
  const fromEnv = Number(process.env.FUZZ_SEED);
  return Number.isSafeInteger(fromEnv) && process.env.FUZZ_SEED !== ''
    ? fromEnv | 0
    : (Date.now() % 0x7fffffff) | 0;
}

/** What one budgeted run of a property did. */
export interface BudgetResult {
  name: string;
  seed: number;
  cases: number;
  ms: number;
  failure: string | null;
}

const MAX_MESSAGE = 6000;

/**
 * Runs `property` until `ms` have passed (or it fails), from `seed`. With `FUZZ_PATH` set, only
 * the counterexample at that path is replayed. Never throws: a failure is in the result, with
 * the command that replays it.
 */
export async function runBudgeted(
  property: FuzzProperty<never>,
  options: { seed: number; ms: number; replay?: string | undefined },
): Promise<BudgetResult> {
  const started = Date.now();
  const path = process.env.FUZZ_PATH || undefined;
  const details = await fc.check(
    fc.asyncProperty(property.arbitrary, (input) => property.check(input)),
    {
      seed: options.seed,
      path,
      numRuns: path ? 1 : 2_000_000_000,
      interruptAfterTimeLimit: options.ms,
      // Shrinking gets its own time: a counterexample found late is still made small.
      markInterruptAsFailure: false,
      includeErrorInReport: true,
    },
  );
  const ms = Date.now() - started;
  let failure: string | null = null;
  if (details.failed) {
    const report = fc.defaultReportMessage(details) ?? 'failed';
    const replay =
      `Replay: FUZZ_SEED=${details.seed} FUZZ_PATH=${details.counterexamplePath} ` +
      `${options.replay ?? 'npm run fuzz --'} (property "${property.name}")`;
    failure = `${replay}\n${report.length > MAX_MESSAGE ? `${report.slice(0, MAX_MESSAGE)}…` : report}`;
  }
  return { name: property.name, seed: details.seed, cases: details.numRuns, ms, failure };
}
