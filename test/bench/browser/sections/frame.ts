/**
 * Section 2: main-thread ms per 2 MB frame. One image (3 partials and the final, real 1024 px
 * PNG frames, 1.6–2.4 MB of base64) streams on a provider's schedule (250 ms of quiet before each
 * frame, 16–64 KiB pieces at 25 MB/s) and renders; a Chrome trace sums the page's main-thread
 * top-level tasks from the stream's start to the final frame on screen plus a settle time, and
 * that is divided by the frames shown.
 */

import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { rounds, writeResult } from '../../shared/env';
import {
  fmt,
  iqr,
  printHeader,
  printTable,
  range,
  ratio,
  type Summary,
  summarize,
} from '../../shared/stats';
import { encodeStream, pacedDeliveries, responseEvents } from '../../shared/wire';
import { openTab } from '../chromium';
import { FRAME_VARIANTS, type FrameConfig, type FrameResult, type FrameVariant } from '../protocol';
import { summarizeTrace, type TraceSummary, traced } from '../trace';
import { progress, rotate, type SectionContext } from './context';

const SETTLE_MS = 300;

/** Which reference each library mode is compared with. */
const REFERENCE: Partial<Record<FrameVariant, FrameVariant>> = {
  'library data-url': 'reference A (worker, data URL)',
  'library object-url': 'reference B (worker, Blob URL)',
};

function scheme(variant: FrameVariant) {
  return variant === 'library data-url' || variant === 'reference A (worker, data URL)'
    ? 'data:'
    : 'blob:';
}

interface Run {
  result: FrameResult;
  trace: TraceSummary;
  perFrame: number;
}

export async function frameSection(ctx: SectionContext) {
  const roundCount = rounds(5);
  const events = responseEvents({ frames: ctx.full.frames, nonAscii: true, textDeltas: 40 });
  const stream = encodeStream(events);
  ctx.data.set('frame', stream.bytes);
  const deliveries = pacedDeliveries(stream, {
    startAt: 20,
    bytesPerMs: 25_000,
    beforeFrame: 250,
    smallGap: 2,
    seed: 7,
  });
  // The last piece of each frame event (3 partials, then the final).
  const frameEnds = stream.events
    .filter((e) => e.kind === 'frame')
    .map((e) => deliveries.findIndex((d) => d.offset + d.length === e.end));
  const config = { data: 'frame', deliveries, frameEnds, settleMs: SETTLE_MS };

  const runs = new Map<FrameVariant, Run[]>();
  for (let round = 0; round < roundCount; round++) {
    for (const variant of rotate(FRAME_VARIANTS, round)) {
      for (let attempt = 1; ; attempt++) {
        try {
          await measureOnce(variant, round);
          break;
        } catch (error) {
          // A renderer that crashes under tracing (it happens, rarely, with 10 MB in the page)
          // costs that run, not the section: one more try in a fresh page.
          if (attempt >= 2 || !/crash/i.test(String(error))) throw error;
          progress(`frame round ${round + 1}/${roundCount} ${variant}: ${error}; again`);
        }
      }
    }
  }

  async function measureOnce(variant: FrameVariant, round: number) {
    {
      const tab = await openTab(ctx.browser, ctx.url('frame'));
      try {
        await tab.prepare({ ...config, variant } satisfies FrameConfig);
        const { value: result, trace } = await traced(ctx.browser, tab.page, () =>
          tab.run<FrameResult>(),
        );
        const problems: string[] = [];
        if (!result.shown.includes(3)) problems.push(`frames shown ${result.shown.join(',')}`);
        if (result.check.width !== 1024) problems.push(`front image ${result.check.width} px`);
        if (result.check.scheme !== scheme(variant)) problems.push(`src ${result.check.scheme}…`);
        if (result.check.front !== '3') problems.push(`front frame ${result.check.front}`);
        if (problems.length) throw new Error(`${variant}: ${problems.join('; ')}`);
        const summary = summarizeTrace(trace);
        if (process.env.BENCH_TRACE_DIR) {
          // The raw trace, for chrome://tracing or Perfetto (one file per variant, last round).
          const name = `frame-${variant.replace(/[^a-z]+/gi, '-')}.json`;
          await writeFile(path.join(process.env.BENCH_TRACE_DIR, name), trace);
        }
        const run = { result, trace: summary, perFrame: summary.busyMs / result.shown.length };
        runs.set(variant, [...(runs.get(variant) ?? []), run]);
        progress(
          `frame round ${round + 1}/${roundCount} ${variant.padEnd(31)} shown ` +
            `${result.shown.join(',')}; main ${summary.busyMs.toFixed(0)} ms ` +
            `(${run.perFrame.toFixed(1)}/frame); final ${result.finalLatencyMs.toFixed(0)} ms ` +
            'after its last byte',
        );
      } finally {
        await tab.close().catch(() => {});
      }
    }
  }

  const sizes = ctx.full.frames.map((f) => (f.length / 1e6).toFixed(2)).join(' / ');
  printHeader('2. Browser: main-thread ms per 2 MB frame (one image into <ProgressiveImage>)', [
    "Figure: the page main thread's busy time (Chrome trace, category toplevel: top-level task",
    "durations, overlaps merged) from the stream's start to the final frame on screen + " +
      `${SETTLE_MS} ms,`,
    'divided by the frames shown. Stream: 1 image, 3 partials + final of 1024x1024 PNG, ' +
      `${sizes} MB`,
    'base64, on a provider schedule (250 ms quiet before each frame, 16–64 KiB pieces at 25 MB/s).',
    'Library: usePartialImages(response) (default options) + <ProgressiveImage srcMode>. Baselines:',
    "reference A: a Worker parses (bytes transferred to it) and posts each frame's base64; the",
    'main thread sets a data URL on a hidden <img>, awaits decode(), swaps. Reference B: the',
    'Worker also decodes the base64 and posts the bytes (transferred); the main thread makes a',
    `Blob URL, awaits decode(), swaps. ${roundCount} fresh page(s) per variant, interleaved.`,
    '"lib/ref" = library ms per frame / its reference\'s (data-url vs A, object-url vs B; below 1:',
    'the library is cheaper).',
  ]);
  const rows: string[][] = [];
  const summaries: Record<string, Record<string, Summary>> = {};
  const perFrame = (variant: FrameVariant) =>
    summarize((runs.get(variant) ?? []).map((r) => r.perFrame));
  for (const variant of FRAME_VARIANTS) {
    const list = runs.get(variant) ?? [];
    const s = {
      perFrame: perFrame(variant),
      busy: summarize(list.map((r) => r.trace.busyMs)),
      frames: summarize(list.map((r) => r.result.shown.length)),
      longTasks: summarize(list.map((r) => r.result.longTasks.reduce((a, b) => a + b, 0))),
      finalLatency: summarize(list.map((r) => r.result.finalLatencyMs)),
      longest: summarize(list.map((r) => r.trace.longest?.ms ?? 0)),
    };
    summaries[variant] = s;
    const reference = REFERENCE[variant];
    rows.push([
      variant,
      fmt(s.frames.median, 0),
      fmt(s.perFrame.median),
      iqr(s.perFrame),
      range(s.perFrame),
      fmt(s.busy.median, 0),
      fmt(s.longest.median, 0),
      fmt(s.longTasks.median, 0),
      fmt(s.finalLatency.median, 0),
      reference ? ratio(s.perFrame.median, perFrame(reference).median) : '',
    ]);
  }
  printTable(
    [
      'variant',
      'frames',
      'main ms/frame',
      'p25–p75',
      'min–max',
      'main ms',
      'longest task',
      'long tasks ms',
      'final latency ms',
      'lib/ref',
    ],
    rows,
  );
  console.log(
    '  main ms = busy ms over the run; longest task from the trace; long tasks ms = sum of',
  );
  console.log(
    '  PerformanceObserver long tasks; final latency = last byte of the final event to it on screen.',
  );
  for (const variant of FRAME_VARIANTS) {
    const list = runs.get(variant) ?? [];
    const last = list.at(-1)?.trace.overall;
    if (!last) continue;
    const by = Object.entries(last.by)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${(v * 100).toFixed(0)}%`)
      .join(', ');
    console.log(`  CPU samples on the main thread, ${variant} (last run): ${by}`);
  }
  const file = await writeResult('frame', {
    rounds: roundCount,
    settleMs: SETTLE_MS,
    bytes: stream.bytes.length,
    frameLengths: ctx.full.frames.map((f) => f.length),
    summaries,
    runs: Object.fromEntries(runs),
  });
  console.log(`raw: ${file}`);
}
