/**
 * The relay fuzzed: `test/fuzz/relay.ts`'s properties on a time budget, each run from a new seed
 * (`FUZZ_SEED` to pick one; a failure prints the seed and path that replay it). Longer runs:
 * `npm run fuzz -- --seconds 600 --only relay`.
 */

import { describe, expect, it } from 'vitest';
import { fuzzSeed, runBudgeted } from '../fuzz/budget';
import { serverProperties } from '../fuzz/relay';

/** The relay's share of the ~30 s the fuzzers may add to `npm test`. */
const BUDGET_MS = Number(process.env.FUZZ_SERVER_MS) || 8_000;
const seed = fuzzSeed();
const perProperty = Math.floor(BUDGET_MS / serverProperties.length);

describe(`relay fuzz (FUZZ_SEED=${seed})`, () => {
  for (const property of serverProperties) {
    it(property.name, { timeout: perProperty + 120_000 }, async () => {
      const result = await runBudgeted(property, {
        seed,
        ms: perProperty,
        replay: `npx vitest run --project core test/server/fuzz.test.ts -t "${property.name}"`,
      });
      expect(result.failure).toBeNull();
      expect(result.cases).toBeGreaterThan(0);
    });
  }
});
