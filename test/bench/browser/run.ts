/**
 * Browser benchmark: `npx tsx test/bench/browser/run.ts` (about 3 minutes).
 *
 * In real Chromium, on one page build and in one run, the same stream is rendered by
 * (a) the hand-rolled chat UI: `fetch` → `TextDecoderStream` → eventsource-parser → `JSON.parse`
 * → `setEvents(prev => [...prev, event])`, each image an `<img src={"data:image/png;base64," +
 * b64}>` found by scanning the events; (b) `<PartialImageGallery>` in the default data-url mode;
 * (c) the same in object-url mode. The stream is a Responses API stream with 300 text deltas and
 * one 1024x1024 PNG image (3 partial frames and the final, 1.5–2.5 MB of base64 each, real
 * frames from make-frames), delivered on a network-like schedule (16–64 KiB pieces at 25 MB/s,
 * quiet time around each frame). With 10 and 100 images on the page, N-1 complete images (small
 * real frames) are already there and one more streams.
 *
 * Per variant and scale it reports, as medians over BENCH_ROUNDS (default 3) fresh pages run
 * interleaved: long tasks (PerformanceObserver; the sum, and the sum of the excess over 50 ms,
 * "blocking"), main-thread busy time from a Chrome trace (all tasks, short ones too), React
 * commits (a Profiler around the gallery) by the event whose window they fall in, renders of
 * the images already on the page, and how long the final frame takes to reach the screen. Every
 * run checks on screen that every image is shown and the streaming one is at its final frame.
 *
 * The page is a production build (React's profiling build, so that `<Profiler onRender>` fires)
 * served by a small static server on 127.0.0.1; the stream is a `Response` made in the page
 * (standing in for `fetch`), so no real network is involved. Files: `index.html` and `main.tsx`
 * (the page and its three variants), `stream.ts` (the response and its delivery schedule),
 * `protocol.ts` (what page and runner exchange), this runner.
 *
 * Environment: CHROMIUM_PATH (default Debian's), BENCH_ROUNDS, BENCH_SCALES (e.g. `1,100`),
 * BENCH_TRACE=0 (no trace: no main-thread columns), BENCH_TRACE_DIR (keep each run's trace and
 * result), BENCH_TRACE_CATEGORIES (e.g. add `devtools.timeline,v8` to look into one),
 * BENCH_PROFILE_DIR (keep a CPU profile of each run; unminified build).
 */

import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { type Browser, type BrowserContext, chromium } from 'playwright';
import { build } from 'vite';
import type { FrameSet } from '../../fixtures/frames/make-frames';
import { type RunResult, VARIANTS, type Variant } from './protocol';
import type { BenchFrames, EventKind } from './stream';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const cache = path.join(root, 'node_modules/.cache/react-partial-images');
const FULL_FRAMES = path.join(cache, 'frames-full/frames.json');
const SMALL_FRAMES = path.join(root, 'test/fixtures/frames/small/frames.json');
const OUT_DIR = path.join(cache, 'bench-browser');

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SCALES: readonly number[] = (process.env.BENCH_SCALES ?? '1,10,100').split(',').map(Number);
const TRACE = process.env.BENCH_TRACE !== '0';
/** Set to a folder to keep a CPU profile of each run (.cpuprofile, for DevTools). */
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR;
/** Set to a folder to keep each run's trace (open in chrome://tracing or Perfetto). */
const TRACE_DIR = process.env.BENCH_TRACE_DIR;
const TRACE_CATEGORIES = (process.env.BENCH_TRACE_CATEGORIES ?? 'toplevel,blink.user_timing').split(
  ',',
);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/lib/chromium/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  // gc() between runs, so that no run pays for the previous one's garbage.
  '--js-flags=--expose-gc',
];
const BASELINE: Variant = 'hand-rolled';
const KINDS: readonly EventKind[] = ['frame', 'text', 'other'];

// -------------------------------------------------------------------------------------------
// Frames, page, server

/** The full-size frames (made once, ~16 s, where make-frames --full writes them). */
async function fullFrames(): Promise<FrameSet[]> {
  if (existsSync(FULL_FRAMES)) return JSON.parse(await readFile(FULL_FRAMES, 'utf8'));
  console.log(`making full-size frames (once, ~16 s) into ${path.relative(root, FULL_FRAMES)}`);
  const { makeFrames } = await import('../../fixtures/frames/make-frames');
  const sets = await makeFrames({ scale: 1 });
  await mkdir(path.dirname(FULL_FRAMES), { recursive: true });
  await writeFile(FULL_FRAMES, `${JSON.stringify(sets, null, 2)}\n`);
  return sets;
}

function pngSet(sets: readonly FrameSet[], what: string): FrameSet {
  const set = sets.find((s) => s.format === 'png');
  if (!set) throw new Error(`no PNG frame set in the ${what} frames`);
  return set;
}

async function buildPage(): Promise<void> {
  await build({
    configFile: false,
    root: here,
    mode: 'production',
    logLevel: 'warn',
    plugins: [react()],
    resolve: {
      // React's profiling build: production React in which <Profiler onRender> still fires.
      alias: [{ find: /^react-dom\/client$/, replacement: 'react-dom/profiling' }],
    },
    build: {
      outDir: OUT_DIR,
      emptyOutDir: true,
      target: 'es2022',
      reportCompressedSize: false,
      // Readable function names in profiles (BENCH_PROFILE_DIR).
      minify: !PROFILE_DIR,
    },
  });
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
};

/** Serves the built page, and the frames as `/bench-data.json`. */
async function serve(data: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(async (request, response) => {
    const pathname = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (pathname === '/bench-data.json') {
      response.writeHead(200, { 'content-type': TYPES['.json'] });
      response.end(data);
      return;
    }
    const file = path.join(OUT_DIR, pathname === '/' ? 'index.html' : pathname);
    if (!file.startsWith(OUT_DIR) || !existsSync(file)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, {
      'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
    });
    response.end(await readFile(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

// -------------------------------------------------------------------------------------------
// One measurement

/** Main-thread busy time from a trace, in total and in each kind of event window. */
interface MainThread {
  totalMs: number;
  byKind: Record<EventKind, number>;
  /** Each frame event's window. */
  frames: number[];
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
}

function mainThread(trace: Buffer, result: RunResult): MainThread {
  const parsed = JSON.parse(trace.toString('utf8')) as { traceEvents: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(parsed) ? parsed : parsed.traceEvents;
  const mark = events.find((e) => e.name === 'bench:t0');
  if (!mark) throw new Error('the trace has no bench:t0 mark');
  // Top-level tasks of the page's main thread (the one that made the mark), merged, in ms
  // from the mark.
  const spans = events
    .filter(
      (e) =>
        e.pid === mark.pid &&
        e.tid === mark.tid &&
        e.ph === 'X' &&
        (e.name === 'ThreadControllerImpl::RunTask' || e.name === 'RunTask'),
    )
    .map((e) => [(e.ts - mark.ts) / 1000, (e.ts - mark.ts + (e.dur ?? 0)) / 1000] as const)
    .sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [start, end] of spans) {
    const last = merged.at(-1);
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  const busy = (from: number, to: number) =>
    merged.reduce((sum, [s, e]) => sum + Math.max(0, Math.min(e, to) - Math.max(s, from)), 0);
  const byKind = { frame: 0, text: 0, other: 0 };
  const frames: number[] = [];
  for (const window of result.windows) {
    const ms = busy(window.start, window.end);
    byKind[window.kind] += ms;
    if (window.kind === 'frame') frames.push(ms);
  }
  return { totalMs: busy(0, result.durationMs), byKind, frames };
}

interface Measured extends RunResult {
  setupMs: number;
  main: MainThread | null;
}

/** What must hold for a run to count: the final image is on screen, and every other one. */
function verify(result: RunResult): string[] {
  const problems: string[] = [];
  const { check } = result;
  if (check.items !== result.scale) problems.push(`${check.items} images, not ${result.scale}`);
  if (!check.allShown) problems.push('not every image is on screen (complete, naturalWidth > 0)');
  if (check.finalIndex !== '3') problems.push(`the front frame is ${check.finalIndex}, not 3`);
  if (check.finalWidth !== 1024) problems.push(`the final is ${check.finalWidth} px wide`);
  const scheme = result.variant === 'library object-url' ? 'blob:' : 'data:';
  if (check.srcScheme !== scheme) problems.push(`src is ${check.srcScheme}…, not ${scheme}…`);
  if (result.byKind.frame.events !== 4) problems.push(`${result.byKind.frame.events} frames`);
  if (result.objectUrls.liveAfterUnmount !== 0) {
    problems.push(`${result.objectUrls.liveAfterUnmount} object URLs not revoked after unmount`);
  }
  return problems;
}

async function measure(
  browser: Browser,
  context: BrowserContext,
  url: string,
  variant: Variant,
  scale: number,
): Promise<Measured> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  try {
    await page.goto(url);
    await page.waitForFunction(() => window.__bench !== undefined);
    const { setupMs } = await page.evaluate(
      ([v, s]) => (window.__bench as NonNullable<Window['__bench']>).prepare(v, s),
      [variant, scale] as const,
    );
    if (TRACE) await browser.startTracing(page, { categories: TRACE_CATEGORIES });
    const cdp = PROFILE_DIR ? await page.context().newCDPSession(page) : null;
    if (cdp) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
    }
    const result = await page.evaluate(() =>
      (window.__bench as NonNullable<Window['__bench']>).run(),
    );
    if (cdp && PROFILE_DIR) {
      const { profile } = await cdp.send('Profiler.stop');
      await mkdir(PROFILE_DIR, { recursive: true });
      const name = `${variant.replace(/\W+/g, '-')}-${scale}-${Date.now()}.cpuprofile`;
      await writeFile(path.join(PROFILE_DIR, name), JSON.stringify(profile));
    }
    const trace = TRACE ? await browser.stopTracing() : null;
    if (trace && TRACE_DIR) {
      await mkdir(TRACE_DIR, { recursive: true });
      const name = `${variant.replace(/\W+/g, '-')}-${scale}-${Date.now()}.json`;
      await writeFile(path.join(TRACE_DIR, name), trace);
      await writeFile(
        path.join(TRACE_DIR, name.replace(/json$/, 'result.json')),
        JSON.stringify(result),
      );
    }
    const problems = [...verify(result), ...errors];
    if (problems.length > 0) {
      throw new Error(`${variant}, ${scale} images: ${problems.join('; ')}`);
    }
    return { ...result, setupMs, main: trace ? mainThread(trace, result) : null };
  } finally {
    await page.close();
  }
}

// -------------------------------------------------------------------------------------------
// Report

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

interface Row {
  longTaskMs: number;
  blockingMs: number;
  longTaskPerFrame: number;
  mainMs: number;
  mainPerFrame: number;
  reactPerFrame: number;
  mainPerText: number;
  commitsPerFrame: number;
  textCommits: number;
  otherCommits: number;
  otherEvents: number;
  otherItemRenders: number;
  finalLatency: number;
  toFinal: number;
  setupMs: number;
}

function summarize(runs: readonly Measured[]): Row {
  const m = (pick: (run: Measured) => number) => median(runs.map(pick));
  const perEvent = (run: Measured, kind: EventKind) => run.byKind[kind].events || 1;
  return {
    longTaskMs: m((r) => r.longTaskMs),
    blockingMs: m((r) => r.blockingMs),
    longTaskPerFrame: m((r) => r.byKind.frame.longTaskMs / perEvent(r, 'frame')),
    mainMs: m((r) => r.main?.totalMs ?? Number.NaN),
    // The median frame window of a run: one window with a major GC does not decide it.
    mainPerFrame: m((r) => median(r.main?.frames ?? [])),
    reactPerFrame: m((r) => r.byKind.frame.renderMs / perEvent(r, 'frame')),
    mainPerText: m((r) => (r.main?.byKind.text ?? Number.NaN) / perEvent(r, 'text')),
    commitsPerFrame: m((r) => r.byKind.frame.commits / perEvent(r, 'frame')),
    textCommits: m((r) => r.byKind.text.commits),
    otherCommits: m((r) => r.byKind.other.commits),
    otherEvents: m((r) => r.byKind.other.events),
    otherItemRenders: m((r) => r.otherItemRenders),
    finalLatency: m((r) => r.frameLatencyMs[3] ?? Number.NaN),
    toFinal: m((r) => r.toFinalMs),
    setupMs: m((r) => r.setupMs),
  };
}

const fixed = (value: number, digits = 0) => (Number.isNaN(value) ? '-' : value.toFixed(digits));

function table(rows: Map<string, Row>) {
  const head = [
    ['variant', 20],
    ['N', 4],
    ['LT ms', 7],
    ['block', 7],
    ['LT/fr', 6],
    ['main ms', 8],
    ['main/fr', 8],
    ['react/fr', 9],
    ['main/txt', 9],
    ['commits/fr', 11],
    ['c.text', 7],
    ['c.other', 8],
    ['old renders', 12],
    ['final ms', 9],
    ['to final', 9],
  ] as const;
  console.log(
    head.map(([name, width], i) => (i === 0 ? name.padEnd(width) : name.padStart(width))).join(''),
  );
  for (const scale of SCALES) {
    for (const variant of VARIANTS) {
      const row = rows.get(key(variant, scale));
      if (!row) continue;
      const cells = [
        variant,
        String(scale),
        fixed(row.longTaskMs),
        fixed(row.blockingMs),
        fixed(row.longTaskPerFrame),
        fixed(row.mainMs),
        fixed(row.mainPerFrame, 1),
        fixed(row.reactPerFrame, 2),
        fixed(row.mainPerText, 2),
        fixed(row.commitsPerFrame, 2),
        fixed(row.textCommits),
        `${fixed(row.otherCommits)}/${fixed(row.otherEvents)}`,
        fixed(row.otherItemRenders),
        fixed(row.finalLatency),
        fixed(row.toFinal),
      ];
      console.log(
        cells
          .map((c, i) => (i === 0 ? c.padEnd(head[i]?.[1] ?? 0) : c.padStart(head[i]?.[1] ?? 0)))
          .join(''),
      );
    }
  }
}

const key = (variant: Variant, scale: number) => `${variant}@${scale}`;

function ratio(value: number, base: number) {
  if (Number.isNaN(value) || Number.isNaN(base)) return '-';
  if (base === 0) return value === 0 ? '=' : 'inf';
  return `${(value / base).toFixed(2)}x`;
}

function ratios(rows: Map<string, Row>) {
  console.log('');
  console.log('library / hand-rolled, same run (lower is better):');
  console.log(
    `${'variant'.padEnd(20)}${'N'.padStart(4)}${'LT ms'.padStart(8)}${'block'.padStart(8)}${'main ms'.padStart(9)}${'main/fr'.padStart(9)}${'main/txt'.padStart(9)}${'final ms'.padStart(9)}`,
  );
  for (const scale of SCALES) {
    const base = rows.get(key(BASELINE, scale));
    if (!base) continue;
    for (const variant of VARIANTS) {
      const row = rows.get(key(variant, scale));
      if (!row || variant === BASELINE) continue;
      console.log(
        `${variant.padEnd(20)}${String(scale).padStart(4)}${ratio(row.longTaskMs, base.longTaskMs).padStart(8)}${ratio(row.blockingMs, base.blockingMs).padStart(8)}${ratio(row.mainMs, base.mainMs).padStart(9)}${ratio(row.mainPerFrame, base.mainPerFrame).padStart(9)}${ratio(row.mainPerText, base.mainPerText).padStart(9)}${ratio(row.finalLatency, base.finalLatency).padStart(9)}`,
      );
    }
  }
}

function goals(rows: Map<string, Row>) {
  console.log('');
  console.log('goals:');
  const verdict = (ok: boolean) => (ok ? 'met   ' : 'MISSED');
  const value = (variant: Variant, scale: number, pick: (row: Row) => number) => {
    const row = rows.get(key(variant, scale));
    return row ? pick(row) : Number.NaN;
  };
  const list = (format: (scale: number) => string) =>
    SCALES.map((scale) => `N=${scale}: ${format(scale)}`).join(', ');
  for (const variant of VARIANTS) {
    if (variant === BASELINE) continue;
    const blocking = (v: Variant, s: number) => value(v, s, (r) => r.blockingMs);
    const main = (v: Variant, s: number) => value(v, s, (r) => r.mainMs);
    // Less blocking: never more, and less wherever the hand-rolled page blocks at all.
    const lessBlocking = SCALES.every((s) => {
      const lib = blocking(variant, s);
      const base = blocking(BASELINE, s);
      return base === 0 ? lib === 0 : lib < base;
    });
    const ties = SCALES.filter((s) => blocking(BASELINE, s) === 0 && blocking(variant, s) === 0);
    console.log(
      `  ${verdict(lessBlocking)} ${variant}: less blocking than hand-rolled (${list(
        (s) => `${fixed(blocking(variant, s))} vs ${fixed(blocking(BASELINE, s))} ms`,
      )}${ties.length ? `; tie at N=${ties.join(', ')}: neither blocks` : ''})`,
    );
    const lessMain = SCALES.every((s) => main(variant, s) < main(BASELINE, s));
    console.log(
      `  ${verdict(lessMain)} ${variant}: less main-thread time than hand-rolled (${list(
        (s) => `${fixed(main(variant, s))} vs ${fixed(main(BASELINE, s))} ms`,
      )})`,
    );
    const perFrame = (s: number) => value(variant, s, (r) => r.commitsPerFrame);
    const others = (s: number) => value(variant, s, (r) => r.otherItemRenders);
    console.log(
      `  ${verdict(SCALES.every((s) => perFrame(s) === 1))} ${variant}: one commit per frame ` +
        `(${list((s) => fixed(perFrame(s), 2))})`,
    );
    console.log(
      `  ${verdict(SCALES.every((s) => others(s) === 0))} ${variant}: only the changed item ` +
        `renders (renders of the other images: ${list((s) => fixed(others(s)))})`,
    );
    const text = (s: number) => value(variant, s, (r) => r.textCommits);
    console.log(
      `  ${verdict(SCALES.every((s) => text(s) === 0))} ${variant}: no commit for text events ` +
        `(${list((s) => fixed(text(s)))})`,
    );
    console.log(
      `  info   ${variant}: commits during lifecycle events (item added, in progress, ` +
        `generating, completed, response created / completed): ${list(
          (s) =>
            `${fixed(value(variant, s, (r) => r.otherCommits))} for ${fixed(value(variant, s, (r) => r.otherEvents))}`,
        )}`,
    );
    const frame = (s: number) => value(variant, s, (r) => r.mainPerFrame);
    const first = SCALES[0] as number;
    const lastScale = SCALES.at(-1) as number;
    const flat = SCALES.every((s) => frame(s) <= frame(first) * 1.25 + 2);
    console.log(
      `  ${verdict(flat)} ${variant}: main-thread ms per frame flat as the gallery grows ` +
        `(${list((s) => fixed(frame(s), 1))}: ${ratio(frame(lastScale), frame(first))}; ` +
        `limit 1.25x + 2 ms; React render per frame ${list((s) =>
          fixed(
            value(variant, s, (r) => r.reactPerFrame),
            2,
          ),
        )} ms)`,
    );
  }
  const hand = (s: number, pick: (row: Row) => number) => value(BASELINE, s, pick);
  console.log(
    `  info   hand-rolled: main ms per frame ${list((s) =>
      fixed(
        hand(s, (r) => r.mainPerFrame),
        1,
      ),
    )}; ` +
      `per text event ${list((s) =>
        fixed(
          hand(s, (r) => r.mainPerText),
          2,
        ),
      )}; ` +
      `renders of the other images ${list((s) => fixed(hand(s, (r) => r.otherItemRenders)))}`,
  );
}

// -------------------------------------------------------------------------------------------

async function main() {
  const started = performance.now();
  const full = pngSet(await fullFrames(), 'full-size');
  const small = pngSet(JSON.parse(await readFile(SMALL_FRAMES, 'utf8')) as FrameSet[], 'small');
  const data: BenchFrames = { full: full.frames, small: small.frames };
  await buildPage();
  const server = await serve(JSON.stringify(data));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    headless: true,
  });
  const version = browser.version();
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  const runs = new Map<string, Measured[]>();
  try {
    console.log(
      `Chromium ${version}; streaming image ${full.width}x${full.height} PNG, frames of ` +
        `${full.frames.map((f) => (f.length / 1e6).toFixed(2)).join(' / ')} MB base64; ` +
        `older images ${small.width}x${small.height}; ${ROUNDS} rounds, median; ` +
        `trace ${TRACE ? 'on' : 'off'}`,
    );
    // Warm-up: one discarded run of each variant.
    for (const variant of VARIANTS) await measure(browser, context, server.url, variant, 1);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [s, scale] of SCALES.entries()) {
        // Interleaved, in a rotating order.
        for (let v = 0; v < VARIANTS.length; v++) {
          const variant = VARIANTS[(v + round + s) % VARIANTS.length] as Variant;
          const result = await measure(browser, context, server.url, variant, scale);
          const list = runs.get(key(variant, scale)) ?? [];
          list.push(result);
          runs.set(key(variant, scale), list);
          process.stderr.write(
            `  round ${round + 1} ${variant.padEnd(18)} N=${String(scale).padEnd(3)} ` +
              `LT ${fixed(result.longTaskMs).padStart(5)} ms, main ${fixed(result.main?.totalMs ?? Number.NaN).padStart(5)} ms, ` +
              `commits ${KINDS.map((k) => `${k} ${result.byKind[k].commits}`).join(' ')}, ` +
              `frames shown ${result.check.shownFrames.join(',')}` +
              `${result.objectUrls.created ? `, object URLs ${result.objectUrls.created} made ${result.objectUrls.revoked} revoked ${result.objectUrls.liveAfterUnmount} left` : ''}\n`,
          );
        }
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }

  const rows = new Map<string, Row>();
  for (const [name, list] of runs) rows.set(name, summarize(list));
  const all = [...runs.values()].flat();
  const objectRuns = all.filter((r) => r.variant === 'library object-url');
  console.log('');
  console.log(
    `checked on screen after each of the ${all.length} runs: all N images shown (complete, ` +
      'naturalWidth > 0), the streaming one at its final frame (1024 px wide, front <img>), ' +
      'data: or blob: src as the variant says.',
  );
  if (objectRuns.length > 0) {
    const spread = (pick: (r: Measured) => number) => {
      const values = objectRuns.map(pick);
      const low = Math.min(...values);
      const high = Math.max(...values);
      return low === high ? String(low) : `${low}-${high}`;
    };
    console.log(
      `object-url: ${spread((r) => r.objectUrls.created)} URLs made per stream, ` +
        `${spread((r) => r.objectUrls.revoked)} revoked as frames were replaced, ` +
        `${spread((r) => r.objectUrls.liveAtEnd)} alive at the end (the frame on screen), ` +
        `${spread((r) => r.objectUrls.liveAfterUnmount)} after unmount; older images shown ` +
        `by blob: URL: ${spread((r) => r.check.olderBlobUrls)} of N-1 (they mounted with their ` +
        'frame).',
    );
  }
  console.log('');
  console.log(
    'LT = long tasks over 50 ms (sum); block = sum of their excess over 50 ms; LT/fr = long-task ms in frame windows, per',
  );
  console.log(
    'frame; main = main-thread busy ms (trace, every task); main/fr = median frame window; main/txt = per text event;',
  );
  console.log(
    'react/fr = React render ms (Profiler actualDuration) per frame; commits/fr = React commits per image frame event;',
  );
  console.log(
    'c.text = commits during the 300 text events; c.other = commits / lifecycle events; old renders = renders of the',
  );
  console.log(
    'N-1 images already there; final ms = last byte of the final to it painted; to final = from the stream start.',
  );
  console.log('');
  table(rows);
  ratios(rows);
  goals(rows);
  console.log('');
  console.log(`total ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

await main();
