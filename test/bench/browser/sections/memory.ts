/**
 * Section 4: the memory of a chat of many images (500 by default, BENCH_RESPONSES). The page
 * streams the responses one after another (a store each, shown by `<PartialImageGallery store>`,
 * small real frames: 2 or 3 previews in turn, then the final), then the runner forces garbage
 * collections (CDP `HeapProfiler.collectGarbage`; the page also runs with `--expose-gc`) and
 * reads the heap (CDP `Runtime.getHeapUsage`) and the renderer process's private memory
 * (/proc/<pid>/smaps_rollup). The same page with no chat is subtracted. When the heap per image
 * is far above the final image's base64, heap snapshots say which image strings are alive, in
 * which representation, and what retains them.
 */

import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CDPSession } from 'playwright';
import { OUT_DIR, QUICK, ROOT, rounds, writeResult } from '../../shared/env';
import { fmt, printHeader, printTable, ratio, summarize } from '../../shared/stats';
import { openTab, processMemory, rendererPid } from '../chromium';
import { analyzeSnapshot, type StringClass } from '../heap';
import {
  MEMORY_VARIANTS,
  type MemoryConfig,
  type MemoryResult,
  type MemoryVariant,
} from '../protocol';
import { summarizeTrace, traced } from '../trace';
import { progress, rotate, type SectionContext } from './context';

/** `Runtime.getHeapUsage`, and the renderer's private memory (NaN where /proc is unreadable). */
interface Measured {
  usedSize: number;
  totalSize: number;
  embedderHeapUsedSize: number;
  backingStorageSize: number;
  rendererPrivate: number;
  /** Main-thread busy ms over IDLE_MS of rest after the chat, and its top-level tasks. */
  idleBusyMs: number;
  idleTasks: number;
}

interface Snapshot {
  file: string;
  classes: StringClass[];
  reason: string;
}

/** How long the page is watched at rest after the chat. */
const IDLE_MS = 1000;

/** A heap per image this many times the final image's base64 is "far above" it. */
const FAR_ABOVE = 1.5;

async function collectGarbage(cdp: CDPSession) {
  for (let i = 0; i < 3; i++) {
    await cdp.send('HeapProfiler.collectGarbage');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function takeSnapshot(cdp: CDPSession, file: string): Promise<void> {
  const out = createWriteStream(file);
  const onChunk = ({ chunk }: { chunk: string }) => out.write(chunk);
  cdp.on('HeapProfiler.addHeapSnapshotChunk', onChunk);
  await cdp.send('HeapProfiler.enable');
  await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  cdp.off('HeapProfiler.addHeapSnapshotChunk', onChunk);
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
}

export async function memorySection(ctx: SectionContext) {
  const roundCount = rounds(2);
  const responses = Number(process.env.BENCH_RESPONSES ?? (QUICK ? 100 : 500));
  const snapshotEnv = process.env.BENCH_SNAPSHOT;
  const size = `${ctx.small.set.width}x${ctx.small.set.height}`;
  const frames = ctx.small.frames;
  const finalLength = frames[3].length;

  // The page builds each response from the frames (its own ids, 2 or 3 previews in turn).
  ctx.data.set('memory-frames', new TextEncoder().encode(JSON.stringify(frames)));
  // What keepHistory keeps on top, per image: the previews' base64 (2 and 3 in turn).
  let previewChars = 0;
  for (let i = 0; i < responses; i++) {
    for (let k = 0; k < (i % 2 === 0 ? 2 : 3); k++) previewChars += frames[k]?.length ?? 0;
  }
  const previewPerImage = previewChars / Math.max(1, responses);

  const measured = new Map<MemoryVariant, Measured[]>();
  const results = new Map<MemoryVariant, MemoryResult[]>();
  const snapshots = new Map<MemoryVariant, Snapshot>();
  for (let round = 0; round < roundCount; round++) {
    // The first round measures the page without a chat first: the snapshot decision needs it.
    for (const variant of round === 0 ? MEMORY_VARIANTS : rotate(MEMORY_VARIANTS, round)) {
      const tab = await openTab(ctx.browser, ctx.url('memory'));
      try {
        await tab.prepare({
          variant,
          frames: 'memory-frames',
          ascii: variant.includes('ASCII'),
          size,
          responses,
          finalLength,
        } satisfies MemoryConfig);
        const result = await tab.run<MemoryResult>();
        if (
          variant !== 'no chat' &&
          (result.completed !== responses || result.onScreen !== responses)
        ) {
          throw new Error(
            `${variant}: of ${responses} responses, ${result.completed} completed and ` +
              `${result.onScreen} showed their final image`,
          );
        }
        const cdp = await tab.page.context().newCDPSession(tab.page);
        await collectGarbage(cdp);
        const heap = (await cdp.send('Runtime.getHeapUsage')) as Pick<
          Measured,
          'usedSize' | 'totalSize' | 'embedderHeapUsedSize' | 'backingStorageSize'
        >;
        const proc = await processMemory(await rendererPid(ctx.browser, tab.page));
        // What the page costs while nothing happens: a chat at rest should cost nothing.
        const { trace } = await traced(ctx.browser, tab.page, () =>
          tab.page.evaluate(
            (ms) =>
              new Promise<void>((resolve) => {
                performance.mark('bench:t0');
                setTimeout(() => {
                  performance.mark('bench:end');
                  resolve();
                }, ms);
              }),
            IDLE_MS,
          ),
        );
        const idle = summarizeTrace(trace);
        const m: Measured = {
          ...heap,
          rendererPrivate: proc?.privateBytes ?? Number.NaN,
          idleBusyMs: idle.busyMs,
          idleTasks: idle.tasks,
        };
        measured.set(variant, [...(measured.get(variant) ?? []), m]);
        results.set(variant, [...(results.get(variant) ?? []), result]);
        progress(
          `memory round ${round + 1}/${roundCount} ${variant.padEnd(30)} ${result.completed} ` +
            `responses in ${(result.durationMs / 1000).toFixed(1)} s, ${result.framesKept} ` +
            `frames kept; used ${(m.usedSize / 1e6).toFixed(1)} MB, backing ` +
            `${(m.backingStorageSize / 1e6).toFixed(1)} MB, renderer private ` +
            `${(m.rendererPrivate / 1e6).toFixed(0)} MB; at rest ${m.idleBusyMs.toFixed(0)} ms busy ` +
            `in ${IDLE_MS} ms (${m.idleTasks} tasks)`,
        );

        const empty = measured.get('no chat')?.[0];
        if (variant !== 'no chat' && !snapshots.has(variant) && snapshotEnv !== '0' && empty) {
          const perImage =
            (m.usedSize + m.backingStorageSize - empty.usedSize - empty.backingStorageSize) /
            responses;
          const far = perImage > FAR_ABOVE * finalLength;
          // keepHistory: true is looked into when keepHistory: false was: where do previews go?
          const reason =
            snapshotEnv === '1'
              ? 'BENCH_SNAPSHOT=1'
              : variant === 'keepHistory: false' && far
                ? `JS heap per image ${(perImage / finalLength).toFixed(2)}x the final image's base64`
                : variant !== 'keepHistory: false' && snapshots.has('keepHistory: false')
                  ? 'to compare with keepHistory: false'
                  : null;
          if (reason) {
            progress(`memory: taking a heap snapshot of ${variant} (${reason})`);
            const name = `memory-${variant.replace(/\W+/g, '-').replace(/-$/, '')}.heapsnapshot`;
            const file = path.join(OUT_DIR, name);
            await takeSnapshot(cdp, file);
            const classes = analyzeSnapshot(await readFile(file, 'utf8'), [
              { label: 'partial 0', b64: frames[0] },
              { label: 'partial 1', b64: frames[1] },
              { label: 'partial 2', b64: frames[2] },
              { label: 'final', b64: frames[3] },
            ]);
            snapshots.set(variant, { file: path.relative(ROOT, file), classes, reason });
          }
        }
        await cdp.detach();
      } finally {
        await tab.close();
      }
    }
  }

  const median = (variant: MemoryVariant, pick: (m: Measured) => number) =>
    summarize((measured.get(variant) ?? []).map(pick)).median;
  const perImage = (variant: MemoryVariant, pick: (m: Measured) => number) =>
    variant === 'no chat'
      ? Number.NaN
      : (median(variant, pick) - median('no chat', pick)) / responses;
  const used = (m: Measured) => m.usedSize;
  const backing = (m: Measured) => m.backingStorageSize;
  const embedder = (m: Measured) => m.embedderHeapUsedSize;
  const jsHeap = (m: Measured) => m.usedSize + m.backingStorageSize;
  const renderer = (m: Measured) => m.rendererPrivate;

  printHeader(`4. Browser: memory of a ${responses}-image chat`, [
    `Figure: the page's memory after ${responses} responses streamed one after another (a store`,
    'each, shown by <PartialImageGallery store>, data-url mode; 256x256 PNG frames, 2 or 3 previews',
    'in turn, then the final; non-ASCII text in the streams unless "ASCII text"), after forced GC',
    '(CDP HeapProfiler.collectGarbage x3). used = V8 heap used, backing = ArrayBuffer and external',
    "string backing store (both CDP Runtime.getHeapUsage); embedder = Blink's Oilpan heap;",
    "renderer = the renderer process's private memory (/proc smaps_rollup: every allocator, decoded",
    'image bitmaps included). Baseline: the same page with no chat, subtracted; per image =',
    '(chat - no chat) / images. "x final" = JS heap (used + backing) per image / the final image\'s',
    `base64 length (${finalLength} chars: ${(finalLength / 1e3).toFixed(0)} kB as a one-byte string). keepHistory keeps the`,
    `previews on top: ${(previewPerImage / 1e3).toFixed(0)} kB of base64 per image here. "at rest" = the main thread's`,
    `busy ms and top-level tasks (trace) over ${IDLE_MS} ms with nothing happening, after the chat.`,
    `${roundCount} fresh page(s) per variant, interleaved; medians.`,
  ]);
  const rows = MEMORY_VARIANTS.map((variant) => [
    variant,
    fmt(median(variant, used) / 1e6),
    fmt(median(variant, backing) / 1e6),
    fmt(median(variant, embedder) / 1e6),
    fmt(median(variant, renderer) / 1e6, 0),
    fmt(perImage(variant, used) / 1e3, 0),
    fmt(perImage(variant, backing) / 1e3, 0),
    fmt(perImage(variant, renderer) / 1e3, 0),
    variant === 'no chat' ? '' : ratio(perImage(variant, jsHeap), finalLength),
    variant === 'no chat' ? '' : ratio(perImage(variant, renderer), finalLength),
    fmt(
      median(variant, (m) => m.idleBusyMs),
      0,
    ),
    fmt(
      median(variant, (m) => m.idleTasks),
      0,
    ),
  ]);
  printTable(
    [
      'variant',
      'used MB',
      'backing MB',
      'embedder MB',
      'renderer MB',
      'used kB/img',
      'backing kB/img',
      'renderer kB/img',
      'JS heap x final',
      'renderer x final',
      'at rest: busy ms',
      'tasks',
    ],
    rows,
  );
  const onOff = (pick: (m: Measured) => number) =>
    perImage('keepHistory: true', pick) - perImage('keepHistory: false', pick);
  console.log(
    `  keepHistory on - off, per image: JS heap ${fmt(onOff(jsHeap) / 1e3, 0)} kB, renderer ` +
      `${fmt(onOff(renderer) / 1e3, 0)} kB, against ${fmt(previewPerImage / 1e3, 0)} kB of preview ` +
      `base64 (${ratio(onOff(jsHeap), previewPerImage)} and ${ratio(onOff(renderer), previewPerImage)}).`,
  );
  const ascii = (pick: (m: Measured) => number) =>
    perImage('keepHistory: false', pick) - perImage('keepHistory: false, ASCII text', pick);
  console.log(
    `  non-ASCII - ASCII text (keepHistory off), per image: JS heap ${fmt(ascii(jsHeap) / 1e3, 0)} kB, ` +
      `renderer ${fmt(ascii(renderer) / 1e3, 0)} kB.`,
  );
  for (const [variant, snapshot] of snapshots) {
    console.log('');
    console.log(`  heap snapshot of ${variant} (${snapshot.reason}): ${snapshot.file}`);
    console.log(
      '  image strings alive, by frame, form and V8 string type (B/char: self size per character:',
    );
    console.log(
      '  1 = one-byte, 2 = two-byte, ~0 = external, its characters outside the V8 heap), and their',
    );
    console.log(
      "  retainers (the shortest strong path from the GC roots, last steps, the string's own",
    );
    console.log(
      "  retainer last; [n] = any index). The bench page's own copy of the frames is left out.",
    );
    // The page keeps the frames it builds the responses from (in the baseline as well).
    const classes = snapshot.classes.filter(
      (c) => !c.paths.every((p) => p.path.includes('__bench')),
    );
    if (classes.length === 0) console.log('  - none found');
    for (const cls of classes) {
      console.log(
        `  - ${cls.frame}, ${cls.form}, ${cls.type}: ${cls.count} strings, ` +
          `${(cls.selfBytes / 1e6).toFixed(1)} MB self size` +
          (cls.type === 'string' ? `, ${cls.bytesPerChar.toFixed(2)} B/char` : ''),
      );
      for (const p of cls.paths) console.log(`      ${p.count}x ${p.path}`);
    }
  }
  if (snapshots.size === 0) {
    console.log(
      snapshotEnv === '0'
        ? '  no heap snapshot (BENCH_SNAPSHOT=0)'
        : '  no heap snapshot: the JS heap per image is not far above the final image ' +
            '(BENCH_SNAPSHOT=1 forces them)',
    );
  }
  const file = await writeResult('memory', {
    responses,
    rounds: roundCount,
    finalLength,
    previewPerImage,
    measured: Object.fromEntries(measured),
    results: Object.fromEntries(results),
    perImage: Object.fromEntries(
      MEMORY_VARIANTS.map((v) => [
        v,
        {
          used: perImage(v, used),
          backing: perImage(v, backing),
          embedder: perImage(v, embedder),
          renderer: perImage(v, renderer),
        },
      ]),
    ),
    snapshots: Object.fromEntries(snapshots),
  });
  console.log(`raw: ${file}`);
}
