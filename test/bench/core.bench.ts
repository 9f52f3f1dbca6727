/**
 * Section 5, Node: `npm run bench:core` (part of `npm run bench`; `BENCH_ONLY=core`).
 *
 * One realistic Responses API stream (real 1024x1024 PNG frames from make-frames `--full`: 3
 * partial images and the final, 1.5–2.5 MB of base64 each; the final repeated in
 * `response.completed` as OpenAI sends it; `event:` lines; the Images-API-like extra fields on
 * image events; a reasoning item; 150 text deltas), in 16–64 KiB chunks, through:
 *
 * - the library: `createPartialImagesStore().consume(byteStream)`, to a state that holds the
 *   final image (status `completed`);
 * - the baseline: eventsource-parser 4 (`createParser().feed`, fed text decoded by one streaming
 *   `TextDecoder`, no TextDecoderStream) + `JSON.parse` of every event, collecting the events;
 * - the openai SDK 7's own decoder (`Stream.fromSSEResponse` from 'openai/core/streaming').
 *
 * Two shapes: (a) non-ASCII text (an em dash, curly quotes, an emoji in the revised prompt and
 * the text deltas), (b) the same stream in ASCII only. Each variant and shape runs in fresh
 * Node processes (`--expose-gc`, a collection before every timed run), passes interleaved in
 * rotating order; each process warms up, then times BENCH_CORE_RUNS runs. Every variant's output
 * is checked (the final image's length, the revised prompt decoded right) before it is timed.
 */

import { spawn } from 'node:child_process';
import { register } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createParser } from 'eventsource-parser';
import { Stream } from 'openai/core/streaming';
import {
  fullFrames,
  LIBRARY_LABEL,
  LIBRARY_SRC,
  QUICK,
  ROOT,
  rounds,
  selected,
  writeResult,
} from './shared/env';
import {
  fmt,
  iqr,
  printHeader,
  printTable,
  range,
  ratio,
  type Summary,
  summarize,
} from './shared/stats';
import {
  encodeStream,
  type Frames,
  networkChunks,
  REVISED_PROMPT_ASCII,
  REVISED_PROMPT_NON_ASCII,
  responseEvents,
} from './shared/wire';

type Library = typeof import('../../src/core');
let library: Library | null = null;

/**
 * This checkout's library, or BENCH_SRC's (loaded in the child processes only). A BENCH_SRC
 * outside this repository resolves its packages (zod) from this repository: through NODE_PATH
 * when tsx loads it as CommonJS (no package.json of type module above it), through a resolve hook
 * when it is loaded as ES modules.
 */
async function loadLibrary(): Promise<Library> {
  if (!LIBRARY_SRC.startsWith(ROOT + path.sep)) {
    const hook = `
      const SRC = ${JSON.stringify(`${pathToFileURL(LIBRARY_SRC).href}/`)};
      const PARENT = ${JSON.stringify(pathToFileURL(path.join(ROOT, 'package.json')).href)};
      export async function resolve(specifier, context, next) {
        const bare = !/^(\\.|\\/|node:|file:|data:)/.test(specifier);
        if (bare && context.parentURL?.startsWith(SRC)) {
          return next(specifier, { ...context, parentURL: PARENT });
        }
        return next(specifier, context);
      }`;
    register(`data:text/javascript,${encodeURIComponent(hook)}`);
  }
  return (await import(pathToFileURL(path.join(LIBRARY_SRC, 'core/index.ts')).href)) as Library;
}

const VARIANTS = ['library', 'eventsource-parser', 'openai-sdk'] as const;
type Variant = (typeof VARIANTS)[number];
const LABELS: Record<Variant, string> = {
  library: 'library store.consume(byteStream)',
  'eventsource-parser': 'eventsource-parser feed + JSON.parse',
  'openai-sdk': 'openai SDK Stream.fromSSEResponse',
};
const BASELINE: Variant = 'eventsource-parser';
const SHAPES = ['non-ascii', 'ascii'] as const;
type Shape = (typeof SHAPES)[number];
const SHAPE_LABELS: Record<Shape, string> = {
  'non-ascii': '(a) non-ASCII prompt + extra fields',
  ascii: '(b) ASCII only',
};

/** Timed runs per process. */
const RUNS = Number(process.env.BENCH_CORE_RUNS ?? (QUICK ? 3 : 5));
/** Processes per variant and shape (in rotating order). */
const PASSES = rounds(4);

interface Input {
  chunks: Uint8Array[];
  bytes: number;
  events: number;
  finalLength: number;
  prompt: string;
}

function input(frames: Frames, shape: Shape): Input {
  const events = responseEvents({ frames, nonAscii: shape === 'non-ascii' });
  const { bytes } = encodeStream(events);
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const size of networkChunks(bytes.length, 42)) {
    chunks.push(bytes.slice(offset, offset + size));
    offset += size;
  }
  return {
    chunks,
    bytes: bytes.length,
    events: events.length,
    finalLength: frames[3].length,
    prompt: shape === 'non-ascii' ? REVISED_PROMPT_NON_ASCII : REVISED_PROMPT_ASCII,
  };
}

/** A byte stream that hands out the chunks as fast as they are read. */
function streamOf(chunks: readonly Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = chunks[i++];
      if (next) controller.enqueue(next);
      else controller.close();
    },
  });
}

type Json = {
  type?: string;
  item?: { result?: string; revised_prompt?: string };
};

/** What a run produced, to check that it really read the stream. */
interface Output {
  finalLength: number;
  prompt: string | null;
  events: number;
}

const run: Record<Variant, (input: Input) => Promise<Output>> = {
  async library(input) {
    const store = (library as Library).createPartialImagesStore();
    await store.consume(streamOf(input.chunks));
    const state = store.getState();
    const item = state.items[0];
    if (state.status !== 'completed') throw new Error(`library: status ${state.status}`);
    return {
      finalLength: item?.final?.b64?.length ?? -1,
      prompt: item?.revisedPrompt ?? null,
      events: input.events,
    };
  },
  async 'eventsource-parser'(input) {
    const events: Json[] = [];
    const parser = createParser({ onEvent: (message) => events.push(JSON.parse(message.data)) });
    const decoder = new TextDecoder();
    const reader = streamOf(input.chunks).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
    }
    parser.feed(decoder.decode());
    return outputOf(events);
  },
  async 'openai-sdk'(input) {
    const response = new Response(streamOf(input.chunks), {
      headers: { 'content-type': 'text/event-stream' },
    });
    const events: Json[] = [];
    for await (const event of Stream.fromSSEResponse<Json>(response, new AbortController())) {
      events.push(event);
    }
    return outputOf(events);
  },
};

function outputOf(events: Json[]): Output {
  const done = events.find((e) => e.type === 'response.output_item.done' && e.item?.result);
  return {
    finalLength: done?.item?.result?.length ?? -1,
    prompt: done?.item?.revised_prompt ?? null,
    events: events.length,
  };
}

function check(variant: Variant, input: Input, output: Output) {
  const problems: string[] = [];
  if (output.finalLength !== input.finalLength) {
    problems.push(`final image ${output.finalLength} chars, not ${input.finalLength}`);
  }
  if (output.prompt !== input.prompt)
    problems.push(`revised prompt ${JSON.stringify(output.prompt)}`);
  if (output.events !== input.events) problems.push(`${output.events} events, not ${input.events}`);
  if (problems.length) throw new Error(`${variant}: ${problems.join('; ')}`);
}

const gc = (globalThis as { gc?: () => void }).gc;

/** In a child process: check, warm up, then time RUNS runs. */
async function child(variant: Variant, shape: Shape) {
  library = await loadLibrary();
  const { frames } = await fullFrames();
  const data = input(frames, shape);
  check(variant, data, await run[variant](data));
  for (let i = 0; i < 2; i++) await run[variant](data);
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    gc?.();
    const start = performance.now();
    await run[variant](data);
    ms.push(performance.now() - start);
  }
  process.stdout.write(`\n${JSON.stringify({ ms, bytes: data.bytes, events: data.events })}\n`);
}

interface ChildResult {
  ms: number[];
  bytes: number;
  events: number;
}

function inChild(variant: Variant, shape: Shape): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const file = fileURLToPath(import.meta.url);
    const proc = spawn(process.execPath, ['--expose-gc', ...process.execArgv, file], {
      env: {
        ...process.env,
        BENCH_CORE_CHILD: `${variant}:${shape}`,
        NODE_PATH: path.join(ROOT, 'node_modules'),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    proc.stdout.on('data', (data: Buffer) => {
      out += data;
    });
    proc.on('error', reject);
    proc.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${variant} ${shape}: exit ${code}`));
      resolve(JSON.parse(out.slice(out.lastIndexOf('\n{'))) as ChildResult);
    });
  });
}

async function main() {
  const started = performance.now();
  const { set } = await fullFrames();
  const samples = new Map<string, number[]>();
  const sizes = new Map<Shape, { bytes: number; events: number }>();
  for (let pass = 0; pass < PASSES; pass++) {
    for (const [s, shape] of SHAPES.entries()) {
      for (let v = 0; v < VARIANTS.length; v++) {
        const variant = VARIANTS[(v + pass + s) % VARIANTS.length] as Variant;
        const result = await inChild(variant, shape);
        sizes.set(shape, { bytes: result.bytes, events: result.events });
        const key = `${variant}:${shape}`;
        samples.set(key, [...(samples.get(key) ?? []), ...result.ms]);
        process.stderr.write(
          `  core pass ${pass + 1}/${PASSES} ${shape.padEnd(9)} ${variant.padEnd(18)} ` +
            `${result.ms.map((m) => m.toFixed(1)).join(' ')} ms\n`,
        );
      }
    }
  }

  const bytes = sizes.get('non-ascii')?.bytes ?? 0;
  printHeader('5. Node: bytes to events/state, MB/s (core.bench.ts)', [
    `Figure: MB/s (10^6 bytes of SSE per second) from the first chunk read to the last event`,
    `parsed (the library: to a state holding the final image, status completed). Baseline:`,
    `eventsource-parser 4 createParser().feed + JSON.parse of every event (what hand-rolled`,
    `clients do); also the openai SDK 7 decoder. Stream: ${(bytes / 1e6).toFixed(2)} MB, ` +
      `${sizes.get('non-ascii')?.events} events, 16–64 KiB chunks; frames ${set.width}x${set.height} ` +
      `PNG of ${set.frames.map((f) => (f.length / 1e6).toFixed(2)).join(' / ')} MB base64.`,
    `${PASSES} fresh processes x ${RUNS} timed runs per variant and shape, interleaved; ` +
      `Node ${process.version}; library: ${LIBRARY_LABEL}. "vs baseline" = variant MB/s / baseline MB/s.`,
  ]);
  const rows: string[][] = [];
  const summaries: Record<string, { ms: Summary; mbps: Summary; bytes: number }> = {};
  for (const shape of SHAPES) {
    const shapeBytes = sizes.get(shape)?.bytes ?? 0;
    const mbps = (ms: number) => shapeBytes / 1e6 / (ms / 1000);
    const base = summarize((samples.get(`${BASELINE}:${shape}`) ?? []).map(mbps));
    for (const variant of VARIANTS) {
      const ms = samples.get(`${variant}:${shape}`) ?? [];
      const rate = summarize(ms.map(mbps));
      summaries[`${variant}:${shape}`] = { ms: summarize(ms), mbps: rate, bytes: shapeBytes };
      rows.push([
        SHAPE_LABELS[shape],
        LABELS[variant],
        fmt(rate.median, 0),
        iqr(rate, 0),
        range(rate, 0),
        fmt(summarize(ms).median, 1),
        variant === BASELINE ? '1.00x' : ratio(rate.median, base.median),
      ]);
    }
  }
  printTable(['shape', 'variant', 'MB/s', 'p25–p75', 'min–max', 'ms', 'vs baseline'], rows, 2);
  for (const shape of SHAPES) {
    const lib = summaries[`library:${shape}`]?.mbps.median ?? Number.NaN;
    const sdk = summaries[`openai-sdk:${shape}`]?.mbps.median ?? Number.NaN;
    console.log(`  ${SHAPE_LABELS[shape]}: library / openai SDK ${ratio(lib, sdk)}`);
  }
  const file = await writeResult('core', {
    passes: PASSES,
    runsPerProcess: RUNS,
    frames: { width: set.width, height: set.height, lengths: set.frames.map((f) => f.length) },
    shapes: Object.fromEntries(SHAPES.map((s) => [s, sizes.get(s)])),
    samples: Object.fromEntries(samples),
    summaries,
  });
  console.log(`raw: ${file}; ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

const childOf = process.env.BENCH_CORE_CHILD;
if (childOf) {
  const [variant, shape] = childOf.split(':') as [Variant, Shape];
  await child(variant, shape);
} else if (selected('core')) {
  await main();
} else {
  console.log('core: skipped (BENCH_ONLY)');
}
