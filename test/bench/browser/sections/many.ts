/**
 * Section 3: many streams at once on one page (50 by default, BENCH_STREAMS), each its own
 * store and image, small real frames (256x256 PNG, 100–160 KB of base64), each on its own
 * provider schedule (starts staggered over 400 ms, 300–400 ms of quiet before each frame,
 * 2 MB/s per stream).
 */

import { prng } from '../../../fixtures/random';
import { QUICK, rounds, writeResult } from '../../shared/env';
import { fmt, printHeader, printTable, summarize } from '../../shared/stats';
import { encodeStream, pacedDeliveries, responseEvents } from '../../shared/wire';
import { openTab } from '../chromium';
import { MANY_VARIANTS, type ManyConfig, type ManyResult, type ManyVariant } from '../protocol';
import { describeAttribution, summarizeTrace, type TraceSummary, traced } from '../trace';
import { progress, rotate, type SectionContext } from './context';

interface Run {
  result: ManyResult;
  trace: TraceSummary;
}

export async function manySection(ctx: SectionContext) {
  const roundCount = rounds(3);
  const streams = Number(process.env.BENCH_STREAMS ?? (QUICK ? 10 : 50));
  // Each stream has its own ids (its own bytes), and its own schedule.
  const random = prng(99);
  let bytesPerStream = 0;
  const deliveries = Array.from({ length: streams }, (_, k) => {
    const events = responseEvents({
      frames: ctx.small.frames,
      nonAscii: true,
      textDeltas: 60,
      size: `${ctx.small.set.width}x${ctx.small.set.height}`,
      n: k,
    });
    const stream = encodeStream(events);
    ctx.data.set(`many-${k}`, stream.bytes);
    bytesPerStream = stream.bytes.length;
    return pacedDeliveries(stream, {
      startAt: Math.floor(random() * 400),
      bytesPerMs: 2_000,
      beforeFrame: 300 + Math.floor(random() * 100),
      smallGap: 8,
      seed: k + 1,
    });
  });

  const runs = new Map<ManyVariant, Run[]>();
  for (let round = 0; round < roundCount; round++) {
    for (const variant of rotate(MANY_VARIANTS, round)) {
      const tab = await openTab(ctx.browser, ctx.url('many'));
      try {
        const config: ManyConfig = {
          variant,
          data: 'many',
          streams,
          deliveries,
          timeoutMs: 60_000,
        };
        await tab.prepare(config);
        const { value: result, trace } = await traced(ctx.browser, tab.page, () =>
          tab.run<ManyResult>(),
        );
        const summary = summarizeTrace(trace);
        runs.set(variant, [...(runs.get(variant) ?? []), { result, trace: summary }]);
        progress(
          `many round ${round + 1}/${roundCount} ${variant.padEnd(43)} ${result.completed}/` +
            `${result.streams} final on screen, ${result.longTasks.length} long tasks, longest ` +
            `task ${fmt(summary.longest?.ms ?? 0, 0)} ms, busy ` +
            `${((summary.busyMs / summary.windowMs) * 100).toFixed(0)}%`,
        );
      } finally {
        await tab.close();
      }
    }
  }

  printHeader(`3. Browser: ${streams} streams at once on one page`, [
    `Figure: ${streams} streams start within 400 ms, each its own store (usePartialImages) and`,
    '<ProgressiveImage>, or for the baseline a hand-rolled cell: eventsource-parser + JSON.parse on',
    'the main thread, every event appended to a useState array, the latest frame found by',
    'scanning it, <img src="data:…">. Frames: 256x256 PNG (3 partials + final), 300–400 ms apart,',
    '2 MB/s per stream. "done" = streams whose final frame reached the screen (state completed).',
    "Long tasks: PerformanceObserver (count, sum, longest). Longest task: the trace's longest",
    'top-level task, and what its CPU samples ran (innermost bundle chunk on the stack: library =',
    'src/ + zod, react, page; (program) = native work). fps = requestAnimationFrame callbacks per',
    's over the run; busy = main-thread busy share of the run (trace).',
    `${roundCount} fresh page(s) per variant, interleaved; medians (longest task: the worst run).`,
  ]);
  const rows: string[][] = [];
  const out: Record<string, unknown> = {};
  for (const variant of MANY_VARIANTS) {
    const list = runs.get(variant) ?? [];
    const s = {
      completed: summarize(list.map((r) => r.result.completed)),
      stateCompleted: summarize(list.map((r) => r.result.stateCompleted)),
      longTaskCount: summarize(list.map((r) => r.result.longTasks.length)),
      longTaskMs: summarize(
        list.map((r) => r.result.longTasks.reduce((a, t) => a + t.duration, 0)),
      ),
      longTaskMax: summarize(
        list.map((r) => Math.max(0, ...r.result.longTasks.map((t) => t.duration))),
      ),
      fps: summarize(list.map((r) => r.result.animationFrames / (r.result.durationMs / 1000))),
      busy: summarize(list.map((r) => r.trace.busyMs / r.trace.windowMs)),
      durationMs: summarize(list.map((r) => r.result.durationMs)),
    };
    out[variant] = s;
    const worst = list.reduce<Run | null>(
      (a, r) => (!a || (r.trace.longest?.ms ?? 0) > (a.trace.longest?.ms ?? 0) ? r : a),
      null,
    );
    const all = list.every((r) => r.result.completed === r.result.streams);
    rows.push([
      variant,
      `${fmt(s.completed.median, 0)}/${streams}${all ? '' : ' (NOT ALL)'}`,
      fmt(s.longTaskCount.median, 0),
      fmt(s.longTaskMs.median, 0),
      fmt(s.longTaskMax.median, 0),
      fmt(worst?.trace.longest?.ms ?? Number.NaN, 0),
      worst?.trace.longest ? `${(worst.trace.longest.what.libraryOnStack * 100).toFixed(0)}%` : '-',
      fmt(s.fps.median, 0),
      `${fmt(s.busy.median * 100, 0)}%`,
      fmt(s.durationMs.median, 0),
    ]);
  }
  printTable(
    [
      'variant',
      'done',
      'long tasks',
      'LT sum ms',
      'LT max ms',
      'longest (trace) ms',
      'library on stack',
      'fps',
      'busy',
      'run ms',
    ],
    rows,
  );
  for (const variant of MANY_VARIANTS) {
    const list = runs.get(variant) ?? [];
    const worst = list.reduce<Run | null>(
      (a, r) => (!a || (r.trace.longest?.ms ?? 0) > (a.trace.longest?.ms ?? 0) ? r : a),
      null,
    );
    const longest = worst?.trace.longest;
    if (!longest) continue;
    console.log(
      `  ${variant}: longest task ${longest.ms.toFixed(0)} ms at ${longest.start.toFixed(0)} ms, ` +
        `${longest.what.samples} samples: ${describeAttribution(longest.what)}`,
    );
    console.log(
      `    top self: ${longest.what.top.map((t) => `${t.fn} ${(t.share * 100).toFixed(0)}%`).join('; ')}`,
    );
    console.log(
      `    trace events in it (inclusive ms): ${longest.events.map((e) => `${e.name} ${e.ms.toFixed(1)}`).join('; ')}`,
    );
    const overall = worst.trace.overall;
    console.log(`    whole run: ${describeAttribution(overall)}`);
  }
  const file = await writeResult('many', {
    streams,
    rounds: roundCount,
    bytesPerStream,
    summaries: out,
    runs: Object.fromEntries(runs),
  });
  console.log(`raw: ${file}`);
}
