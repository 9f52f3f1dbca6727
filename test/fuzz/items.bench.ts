/**
 * Per-event cost against the number of images in the response (a benchmark, not a test: no
 * timing is asserted anywhere). A fuzzer found the old reducer slowing down as items piled up;
 * this measures the time of one preview event in a state of 1, 10, 50 and 100 items, and of
 * events for the images refused past the 100-item limit, through the pure reducer and through
 * a store reading SSE bytes, and prints the ratios to the 1-item case.
 *
 * Run: `npx tsx test/fuzz/items.bench.ts` (`BENCH_ROUNDS`, default 7).
 */

import {
  createPartialImagesStore,
  initialPartialImagesState,
  normalizeEvent,
  type PartialImageEvent,
  type PartialImagesState,
  reducePartialImages,
} from '../../src/core';
import { smallFrames } from '../fixtures/frames';
import { bytesOf, chunksOf, sse } from '../fixtures/streams';

const ROUNDS = Number(process.env.BENCH_ROUNDS) || 7;
/** Events measured per round (about). */
const COUNT = 4000;
const b64 = smallFrames[1]?.frames[0] as string; // a real 1,376-character WebP preview

function partial(seq: number, item: number, index: number) {
  return {
    type: 'response.image_generation_call.partial_image',
    sequence_number: seq,
    output_index: item,
    item_id: `ig_${item}`,
    partial_image_index: index,
    partial_image_b64: b64,
  };
}

/**
 * After `items` images exist (a preview each), a batch of 3 more previews for each of `spread`
 * images from `first` on, interleaved: how a real response goes, at most a few previews an image
 * (more would measure the growth of one item's frame list instead).
 */
function workload(items: number, first = 0, spread = items) {
  const setup = Array.from({ length: items }, (_, i) => partial(i, i, 0));
  const batch = Array.from({ length: 3 * spread }, (_, j) =>
    partial(items + j, first + (j % spread), 1 + Math.floor(j / spread)),
  );
  return { setup, batch };
}

function median(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** How many batches make about `COUNT` events. */
const repeats = (batch: readonly unknown[]) => Math.max(1, Math.ceil(COUNT / batch.length));

/** ns per event through `reducePartialImages` (events normalised beforehand). */
function reducerCost(items: number, first = 0, spread = items): number {
  const { setup, batch } = workload(items, first, spread);
  let start: PartialImagesState = initialPartialImagesState;
  for (const raw of setup)
    start = reducePartialImages(start, normalizeEvent(raw) as PartialImageEvent);
  const normalized = batch.map((raw) => normalizeEvent(raw) as PartialImageEvent);
  const times = repeats(batch);
  const samples: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const t0 = process.hrtime.bigint();
    for (let r = 0; r < times; r++) {
      let state = start;
      for (const event of normalized) state = reducePartialImages(state, event);
      if (state === start && first < 100) throw new Error('the events changed nothing');
    }
    samples.push(Number(process.hrtime.bigint() - t0) / (normalized.length * times));
  }
  return median(samples);
}

/** ns per event through a store consuming SSE bytes (scanner, JSON, decoder, reducer). */
async function storeCost(items: number, first = 0, spread = items): Promise<number> {
  const { setup, batch } = workload(items, first, spread);
  const head = bytesOf(sse(setup));
  const body = chunksOf(bytesOf(sse(batch)), 16 * 1024);
  const times = repeats(batch);
  const samples: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    let total = 0n;
    for (let r = 0; r < times; r++) {
      const store = createPartialImagesStore({ worker: false });
      let t0 = 0n;
      // An async iterable is asked for its next chunk only once the last one is read (a
      // ReadableStream would be pulled ahead): the clock starts once the setup is applied.
      async function* chunks() {
        yield head;
        t0 = process.hrtime.bigint();
        yield* body;
      }
      await store.consume(chunks());
      total += process.hrtime.bigint() - t0;
    }
    samples.push(Number(total) / (batch.length * times));
  }
  return median(samples);
}

// Warm-up: the first case measured would otherwise pay for the JIT.
reducerCost(10);
await storeCost(10);
const rows: [string, number, number][] = [];
for (const items of [1, 10, 50, 100]) {
  rows.push([`${items} items`, reducerCost(items), await storeCost(items)]);
}
// Past the limit: 100 images shown, previews of 50 more that are refused.
rows.push([
  'refused (100 shown, 50 more)',
  reducerCost(100, 100, 50),
  await storeCost(100, 100, 50),
]);

const [, reducerBase, storeBase] = rows[0] as [string, number, number];
console.log(
  `Per preview event (about ${COUNT} events a round, median of ${ROUNDS} rounds; ratio to 1 item)\n` +
    `${'state'.padEnd(30)} ${'reducer ns'.padStart(11)} ${'ratio'.padStart(6)} ` +
    `${'store ns'.padStart(10)} ${'ratio'.padStart(6)}`,
);
for (const [label, reducer, store] of rows) {
  console.log(
    `${label.padEnd(30)} ${reducer.toFixed(0).padStart(11)} ${(reducer / reducerBase).toFixed(2).padStart(6)} ` +
      `${store.toFixed(0).padStart(10)} ${(store / storeBase).toFixed(2).padStart(6)}`,
  );
}
