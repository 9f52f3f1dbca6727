/**
 * `npm run fuzz -- --seconds N`: the fuzz properties of the core and the relay for longer than
 * `npm test` gives them, round after round with a new seed each, printing cases per second.
 *
 * Options: `--seconds N` (default 60), `--seed S` (the first round's seed; default `FUZZ_SEED`
 * or the clock), `--only TEXT` (properties whose name contains it), `--round-ms N` (the time a
 * property gets per round, default 5000). Exits 1 on the first failure, with the seed and path
 * that replay it: `FUZZ_SEED=… FUZZ_PATH=… npm run fuzz -- --only "<name>"`.
 */

import { fuzzSeed, runBudgeted } from './budget';
import { coreProperties, type FuzzProperty } from './properties';
import { serverProperties } from './relay';

function option(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? undefined : process.argv[at + 1];
}

const seconds = Number(option('seconds') ?? 60);
const roundMs = Number(option('round-ms') ?? 5000);
const only = option('only');
let seed = option('seed') !== undefined ? Number(option('seed')) | 0 : fuzzSeed();

const all: readonly FuzzProperty<never>[] = [...coreProperties, ...serverProperties];
const chosen = all.filter((property) => only === undefined || property.name.includes(only));
if (chosen.length === 0) {
  console.error(
    `No property matches "${only}". Properties:\n${all.map((p) => `  ${p.name}`).join('\n')}`,
  );
  process.exit(2);
}

const totals = new Map<string, { cases: number; ms: number }>();
const deadline = Date.now() + seconds * 1000;
const started = Date.now();
let round = 0;
console.log(`fuzz: ${chosen.length} properties, ${seconds} s, first seed ${seed}`);
while (Date.now() < deadline) {
  round++;
  for (const property of chosen) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    const result = await runBudgeted(property, { seed, ms: Math.min(roundMs, left) });
    const total = totals.get(property.name) ?? { cases: 0, ms: 0 };
    total.cases += result.cases;
    total.ms += result.ms;
    totals.set(property.name, total);
    if (result.failure) {
      console.error(`\nFAILED in round ${round}: ${property.name}\n${result.failure}`);
      process.exit(1);
    }
    if (process.env.FUZZ_PATH) break;
  }
  if (process.env.FUZZ_PATH) break;
  seed = (seed + 0x9e3779b1) | 0;
}

let cases = 0;
console.log(`\n${'property'.padEnd(80)} ${'cases'.padStart(9)} ${'cases/s'.padStart(9)}`);
for (const [name, total] of totals) {
  cases += total.cases;
  const rate = total.ms > 0 ? (total.cases * 1000) / total.ms : 0;
  console.log(
    `${name.padEnd(80)} ${String(total.cases).padStart(9)} ${rate.toFixed(1).padStart(9)}`,
  );
}
const wall = (Date.now() - started) / 1000;
console.log(
  `\n${round} rounds, ${cases} cases in ${wall.toFixed(1)} s: ${(cases / wall).toFixed(1)} cases/s, no failure`,
);
