/**
 * Section 1: time from the bytes to the state, in a page. The full-size stream (1 image: 3
 * partials and the final, real 1024 px PNG frames, the final repeated in `response.completed`)
 * is in the page's memory; a `Response` over a ReadableStream hands out 16–64 KiB chunks as fast
 * as they are read. Each variant and shape runs in fresh pages, rounds interleaved; each page
 * times a cold run (the page's first) and warm runs after it.
 */

import { QUICK, rounds, writeResult } from '../../shared/env';
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
import {
  encodeStream,
  REVISED_PROMPT_ASCII,
  REVISED_PROMPT_NON_ASCII,
  responseEvents,
} from '../../shared/wire';
import { openTab } from '../chromium';
import {
  THROUGHPUT_VARIANTS,
  type ThroughputConfig,
  type ThroughputResult,
  type ThroughputVariant,
} from '../protocol';
import { progress, rotate, type SectionContext } from './context';

const SHAPES = ['non-ascii', 'ascii'] as const;
type Shape = (typeof SHAPES)[number];
const BASELINE: ThroughputVariant = 'eventsource-parser + JSON.parse';

export async function throughputSection(ctx: SectionContext) {
  const roundCount = rounds(5);
  const runsPerPage = QUICK ? 2 : 4;
  // The page builds each run's stream from the frames; here only its size and what to expect.
  ctx.data.set('full-frames', new TextEncoder().encode(JSON.stringify(ctx.full.frames)));
  const inputs = new Map<Shape, { config: Omit<ThroughputConfig, 'variant'>; bytes: number }>();
  for (const shape of SHAPES) {
    const nonAscii = shape === 'non-ascii';
    const events = responseEvents({ frames: ctx.full.frames, nonAscii });
    const { bytes } = encodeStream(events);
    inputs.set(shape, {
      bytes: bytes.length,
      config: {
        frames: 'full-frames',
        nonAscii,
        runs: runsPerPage,
        expect: {
          finalLength: ctx.full.frames[3].length,
          prompt: nonAscii ? REVISED_PROMPT_NON_ASCII : REVISED_PROMPT_ASCII,
          events: events.length,
          bytes: bytes.length,
        },
      },
    });
  }

  const cold = new Map<string, number[]>();
  const warm = new Map<string, number[]>();
  const add = (map: Map<string, number[]>, key: string, values: readonly number[]) =>
    map.set(key, [...(map.get(key) ?? []), ...values]);
  for (let round = 0; round < roundCount; round++) {
    for (const [s, shape] of SHAPES.entries()) {
      for (const variant of rotate(THROUGHPUT_VARIANTS, round + s)) {
        const input = inputs.get(shape);
        if (!input) continue;
        const tab = await openTab(ctx.browser, ctx.url('throughput'));
        try {
          await tab.prepare({ ...input.config, variant } satisfies ThroughputConfig);
          const { ms } = await tab.run<ThroughputResult>();
          add(cold, `${variant}|${shape}`, ms.slice(0, 1));
          add(warm, `${variant}|${shape}`, ms.slice(1));
          progress(
            `throughput round ${round + 1}/${roundCount} ${shape.padEnd(9)} ${variant.padEnd(31)} ` +
              `${ms.map((m) => m.toFixed(1)).join(' ')} ms`,
          );
        } finally {
          await tab.close();
        }
      }
    }
  }

  const mb = (inputs.get('non-ascii')?.bytes ?? 0) / 1e6;
  printHeader('1. Browser: time from the bytes to the state (~10 MB stream in the page)', [
    'Figure: ms from the first chunk read to the state holding the final image (status',
    'completed); for the baseline, to every event parsed and collected. The bytes are in the',
    'page; a Response over a ReadableStream hands out 16–64 KiB chunks as fast as they are read.',
    `Stream: ${mb.toFixed(2)} MB: 1 image, 3 partials + final of 1024x1024 PNG, the final repeated`,
    'in response.completed as OpenAI sends it; 150 text deltas; extra fields on image events.',
    'Each run reads a stream of its own (its own ids). Baseline: eventsource-parser 4',
    'createParser fed by a streaming TextDecoder + JSON.parse of every event, collecting them.',
    '"cold" = the first run in a fresh page (a Worker, if any, starts in it); "warm" = the later',
    `runs. ${roundCount} round(s) of fresh pages per variant and text, interleaved; ${runsPerPage - 1} warm run(s)`,
    'per page. "base/lib" = baseline ms / library ms (above 1: the library is faster).',
  ]);
  const rows: string[][] = [];
  const summaries: Record<string, { cold: Summary; warm: Summary; bytes: number }> = {};
  for (const shape of SHAPES) {
    const bytes = inputs.get(shape)?.bytes ?? 0;
    const baseWarm = summarize(warm.get(`${BASELINE}|${shape}`) ?? []).median;
    const baseCold = summarize(cold.get(`${BASELINE}|${shape}`) ?? []).median;
    for (const variant of THROUGHPUT_VARIANTS) {
      const key = `${variant}|${shape}`;
      const c = summarize(cold.get(key) ?? []);
      const w = summarize(warm.get(key) ?? []);
      summaries[key] = { cold: c, warm: w, bytes };
      const library = variant !== BASELINE;
      rows.push([
        shape === 'non-ascii' ? 'non-ASCII' : 'ASCII',
        variant,
        fmt(c.median),
        iqr(c),
        fmt(w.median),
        iqr(w),
        range(w),
        fmt(bytes / 1e6 / (w.median / 1000), 0),
        library ? ratio(baseCold, c.median) : '',
        library ? ratio(baseWarm, w.median) : '',
      ]);
    }
  }
  printTable(
    [
      'text',
      'variant',
      'cold ms',
      'p25–p75',
      'warm ms',
      'p25–p75',
      'min–max',
      'MB/s',
      'base/lib cold',
      'base/lib warm',
    ],
    rows,
    2,
  );
  const file = await writeResult('throughput', {
    rounds: roundCount,
    runsPerPage,
    bytes: Object.fromEntries([...inputs].map(([s, i]) => [s, i.bytes])),
    cold: Object.fromEntries(cold),
    warm: Object.fromEntries(warm),
    summaries,
  });
  console.log(`raw: ${file}`);
}
