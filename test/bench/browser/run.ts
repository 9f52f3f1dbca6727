/**
 * The browser benchmarks, sections 1–4: `npm run bench:browser` (part of `npm run bench`).
 *
 * Builds the pages in `pages/` with vite (production React, the library in its own chunk, not
 * minified), serves them and the stream data on 127.0.0.1, and drives Debian's Chromium with
 * Playwright; every measurement runs in a fresh page (its own browser context), variants
 * interleaved in rotating order.
 *
 * 1. `throughput`: time from the bytes to the state, ~10 MB stream, the library (default options
 *    and `worker: false`) against eventsource-parser + `JSON.parse`, non-ASCII and ASCII text.
 * 2. `frame`: main-thread ms per 2 MB frame while one image streams into `<ProgressiveImage>`
 *    (data-url, object-url), against two Worker-based reference pages (Chrome trace).
 * 3. `many`: 50 streams at once, each its own store and image: completion, long tasks, the
 *    longest task and what ran in it, frames per second, main-thread busy share.
 * 4. `memory`: the JS heap of a 500-image chat after GC, per image and against the final image's
 *    base64, `keepHistory` off and on; a heap snapshot's retainer paths when it is far above.
 *
 * Environment: BENCH_QUICK=1 (smoke run), BENCH_ROUNDS, BENCH_ONLY (e.g. `memory,frame`),
 * BENCH_STREAMS (section 3, default 50), BENCH_RESPONSES (section 4, default 500),
 * BENCH_SNAPSHOT (1: always take the heap snapshots, 0: never), BENCH_TRACE_DIR (section 2's raw
 * traces), BENCH_SRC (another copy of the library's src/ to measure), CHROMIUM_PATH. Raw results:
 * node_modules/.cache/react-partial-images/bench/<section>.json.
 */

import { fullFrames, LIBRARY_LABEL, type Section, selected, smallPngFrames } from '../shared/env';
import { buildPages, serve } from './build';
import { launch } from './chromium';
import type { SectionContext } from './sections/context';
import { frameSection } from './sections/frame';
import { manySection } from './sections/many';
import { memorySection } from './sections/memory';
import { throughputSection } from './sections/throughput';

const SECTIONS: [Section, (ctx: SectionContext) => Promise<void>][] = [
  ['throughput', throughputSection],
  ['frame', frameSection],
  ['many', manySection],
  ['memory', memorySection],
];

async function main() {
  const chosen = SECTIONS.filter(([name]) => selected(name));
  if (chosen.length === 0) {
    console.log('browser: skipped (BENCH_ONLY)');
    return;
  }
  const started = performance.now();
  const full = await fullFrames();
  const small = smallPngFrames();
  await buildPages();
  const data = new Map<string, Uint8Array>();
  const server = await serve(data);
  try {
    for (const [name, section] of chosen) {
      // A fresh browser per section: no section inherits another's processes or caches.
      const browser = await launch();
      try {
        if (name === chosen[0]?.[0]) {
          console.log(
            `Chromium ${browser.version()}, headless; Node ${process.version}; library: ${LIBRARY_LABEL}`,
          );
        }
        await section({ browser, url: server.url, data, full, small });
      } finally {
        await browser.close();
      }
    }
  } finally {
    await server.close();
  }
  console.log(`\nbrowser sections: ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

await main();
