/**
 * Core throughput benchmark: `npm run bench:core` (part of `npm run bench`).
 *
 * Streams a realistic response (2 images, 3 partial frames and a final each, about 1.4 MB of
 * base64 per frame, plus a few hundred small text events), cut into network-sized chunks, through
 * (a) this library (`store.consume`: the SSE scanner + the JSON fast path + `normalizeEvent` +
 * the reducer), (b) the same pieces composed by hand from public API (`parseSSE` + `JSON.parse` +
 * `store.dispatch`), (c) eventsource-parser + `JSON.parse`, the usual hand-rolled client, and
 * (d) the openai SDK's own SSE decoder. Every variant runs in the same process, interleaved, and
 * the result is reported as MB/s and as ratios against (c). Each variant runs in fresh processes.
 */

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { EventSourceParserStream } from 'eventsource-parser/stream';
import { Stream } from 'openai/core/streaming';
import { createPartialImagesStore, parseSSE } from '../../src/core';
import { fakeBase64, prng } from '../fixtures/streams';

const FRAME_CHARS = 1_400_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);

function buildStream(): string {
  let seq = 0;
  let out = '';
  const push = (event: Record<string, unknown>) => {
    const withSeq = { ...event, sequence_number: seq++ };
    out += `event: ${event.type}\ndata: ${JSON.stringify(withSeq)}\n\n`;
  };
  const tools = [{ type: 'image_generation', output_format: 'png', size: '1024x1024' }];
  push({ type: 'response.created', response: { id: 'resp_bench', status: 'in_progress', tools } });
  push({ type: 'response.in_progress', response: { id: 'resp_bench', status: 'in_progress' } });
  for (let t = 0; t < 150; t++) {
    push({
      type: 'response.output_text.delta',
      item_id: 'msg_0',
      output_index: 0,
      delta: `Some wörds ${t} `,
    });
  }
  for (let item = 0; item < 2; item++) {
    const item_id = `ig_${item}`;
    const output_index = item + 1;
    push({
      type: 'response.output_item.added',
      output_index,
      item: { id: item_id, type: 'image_generation_call', status: 'in_progress' },
    });
    push({ type: 'response.image_generation_call.in_progress', output_index, item_id });
    push({ type: 'response.image_generation_call.generating', output_index, item_id });
    for (let k = 0; k < 3; k++) {
      push({
        type: 'response.image_generation_call.partial_image',
        output_index,
        item_id,
        partial_image_index: k,
        partial_image_b64: fakeBase64(FRAME_CHARS, 'iVBORw0KGgoAAAANSUhEUg', item * 10 + k + 1),
        size: '1024x1024',
        quality: 'high',
        background: 'opaque',
        output_format: 'png',
      });
    }
    push({ type: 'response.image_generation_call.completed', output_index, item_id });
    push({
      type: 'response.output_item.done',
      output_index,
      item: {
        id: item_id,
        type: 'image_generation_call',
        status: 'completed',
        result: fakeBase64(FRAME_CHARS, 'iVBORw0KGgoAAAANSUhEUg', item * 10 + 9),
        revised_prompt: 'A lighthouse at dusk, painted in oils',
        output_format: 'png',
        size: '1024x1024',
      },
    });
    for (let t = 0; t < 100; t++) {
      push({
        type: 'response.output_text.delta',
        item_id: 'msg_0',
        output_index: 0,
        delta: `More text ${t} `,
      });
    }
  }
  push({
    type: 'response.completed',
    response: { id: 'resp_bench', status: 'completed', output: [] },
  });
  return out;
}

/** Network-like chunks: 1 to 64 KiB, seeded. */
function chunk(bytes: Uint8Array, seed: number): Uint8Array[] {
  const random = prng(seed);
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; ) {
    const size = 1024 + Math.floor(random() * 63 * 1024);
    out.push(bytes.slice(i, i + size));
    i += size;
  }
  return out;
}

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

type Variant = (chunks: readonly Uint8Array[]) => Promise<number>;

const variants: Record<string, Variant> = {
  'react-partial-images (consume)': async (chunks) => {
    const store = createPartialImagesStore();
    await store.consume(streamOf(chunks));
    return store.getState().items.length;
  },
  'parseSSE + JSON.parse + dispatch': async (chunks) => {
    const store = createPartialImagesStore();
    for await (const message of parseSSE(streamOf(chunks)))
      store.dispatch(JSON.parse(message.data));
    return store.getState().items.length;
  },
  'eventsource-parser + JSON.parse': async (chunks) => {
    const reader = streamOf(chunks)
      .pipeThrough(new TextDecoderStream() as unknown as ReadableWritablePair<string, Uint8Array>)
      .pipeThrough(new EventSourceParserStream())
      .getReader();
    let n = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (JSON.parse(value.data)) n++;
    }
    return n;
  },
  'openai SDK Stream.fromSSEResponse': async (chunks) => {
    const response = new Response(streamOf(chunks), {
      headers: { 'content-type': 'text/event-stream' },
    });
    let n = 0;
    for await (const event of Stream.fromSSEResponse(response, new AbortController()))
      if (event) n++;
    return n;
  },
};

const BASELINE = 'eventsource-parser + JSON.parse';

async function timeOnce(variant: Variant, chunks: readonly Uint8Array[]): Promise<number> {
  const start = performance.now();
  await variant(chunks);
  return performance.now() - start;
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] as number;
}

const median = (values: number[]) => quantile(values, 0.5);

interface Measured {
  whole: number[];
  frame: number[];
}

/** Runs one variant in this process: warm-up, then ROUNDS timed runs of each input. */
async function measure(name: string, chunks: Uint8Array[], frameChunks: Uint8Array[]) {
  const variant = variants[name] as Variant;
  const out: Measured = { whole: [], frame: [] };
  for (let i = 0; i < 3; i++) {
    await timeOnce(variant, chunks);
    await timeOnce(variant, frameChunks);
  }
  for (let round = 0; round < ROUNDS; round++) {
    out.whole.push(await timeOnce(variant, chunks));
    out.frame.push(await timeOnce(variant, frameChunks));
  }
  return out;
}

/**
 * Runs `name` in a fresh Node process, so that no variant pays for another's garbage, heap
 * growth or compiler state (in one process the figures swung by 2x from run to run).
 */
function measureInChild(name: string): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
      env: { ...process.env, BENCH_VARIANT: name },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (data: Buffer) => {
      out += data;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${name}: exit ${code}`));
      resolve(JSON.parse(out.slice(out.lastIndexOf('\n{'))) as Measured);
    });
  });
}

function inputs() {
  const text = buildStream();
  const bytes = new TextEncoder().encode(text);
  const chunks = chunk(bytes, 42);
  // The largest frame alone, as it would arrive: for the per-frame figure.
  const events = text.split('\n\n').filter(Boolean);
  const largest = events.reduce((a, b) => (b.length > a.length ? b : a));
  const frameBytes = new TextEncoder().encode(`${largest}\n\n`);
  return { bytes, chunks, events, frameBytes, frameChunks: chunk(frameBytes, 7) };
}

/** The interquartile range, e.g. "6.1-12.9": collections landing in a run make it bimodal. */
function spread(values: number[]): string {
  return `${quantile(values, 0.25).toFixed(1)}-${quantile(values, 0.75).toFixed(1)}`;
}

async function main() {
  const child = process.env.BENCH_VARIANT;
  const { bytes, chunks, events, frameBytes, frameChunks } = inputs();
  if (child) {
    const result = await measure(child, chunks, frameChunks);
    process.stdout.write(`\n${JSON.stringify(result)}\n`);
    return;
  }
  const mb = bytes.length / 1e6;
  console.log(
    `stream: ${mb.toFixed(1)} MB, ${events.length} events, ${chunks.length} chunks; ` +
      `largest event ${(frameBytes.length / 1e6).toFixed(2)} MB; ${ROUNDS} rounds x 2 processes ` +
      'per variant, median',
  );
  // The library must really have read the stream, not skipped it.
  const check = createPartialImagesStore();
  await check.consume(streamOf(chunks));
  const state = check.getState();
  if (
    state.status !== 'completed' ||
    state.items.some((item) => item.final?.b64?.length !== FRAME_CHARS)
  ) {
    throw new Error(`the library did not read the stream right: ${state.status}`);
  }
  const names = Object.keys(variants);
  const whole: Record<string, number[]> = {};
  const frame: Record<string, number[]> = {};
  // Two passes in opposite orders, each variant in its own process.
  for (const order of [names, [...names].reverse()]) {
    for (const name of order) {
      const result = await measureInChild(name);
      whole[name] = [...(whole[name] ?? []), ...result.whole];
      frame[name] = [...(frame[name] ?? []), ...result.frame];
    }
  }
  const base = median(whole[BASELINE] as number[]);
  const baseFrame = median(frame[BASELINE] as number[]);
  console.log('');
  console.log(
    `${'variant'.padEnd(36)} ${'ms'.padStart(8)} ${'p25-p75'.padStart(11)} ${'MB/s'.padStart(7)} ${'vs base'.padStart(8)}   ${'1 frame ms'.padStart(10)} ${'vs base'.padStart(8)}`,
  );
  for (const name of names) {
    const ms = median(whole[name] as number[]);
    const fms = median(frame[name] as number[]);
    console.log(
      `${name.padEnd(36)} ${ms.toFixed(1).padStart(8)} ${spread(whole[name] as number[]).padStart(11)} ${(mb / (ms / 1000)).toFixed(0).padStart(7)} ${(base / ms).toFixed(2).padStart(7)}x   ${fms.toFixed(2).padStart(10)} ${(baseFrame / fms).toFixed(2).padStart(7)}x`,
    );
  }
}

await main();
