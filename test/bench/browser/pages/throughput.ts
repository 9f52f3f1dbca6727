/**
 * Section 1 page: time from the bytes to the state. The stream's bytes are already in memory;
 * a `Response` over a ReadableStream hands out 16–64 KiB chunks as fast as they are read; the
 * clock stops when the state holds the final image (status `completed`), or, for the baseline,
 * when every event is parsed and collected.
 */

import { createParser } from 'eventsource-parser';
import { createPartialImagesStore } from '../../../../src/core';
import { encodeStream, type Frames, networkChunks, responseEvents } from '../../shared/wire';
import type { ThroughputConfig, ThroughputResult, ThroughputVariant } from '../protocol';
import {
  type BenchStoreOptions,
  collect,
  deferred,
  expose,
  fetchBytes,
  pieces,
  pulledResponse,
  sleep,
} from './page';

let config: ThroughputConfig;
/** One stream per run, built in `prepare`. */
let streams: Uint8Array[] = [];

type Json = { type?: string; item?: { result?: string; revised_prompt?: string } };

interface Output {
  finalLength: number;
  prompt: string | null;
  events: number | null;
}

/** One timed run: returns the ms and what it produced. */
async function once(
  variant: ThroughputVariant,
  bytes: Uint8Array,
): Promise<{ ms: number; output: Output }> {
  // The chunks are copied before the clock starts.
  const response = pulledResponse(pieces(bytes, networkChunks(bytes.length, 42)));
  if (variant === 'eventsource-parser + JSON.parse') {
    const start = performance.now();
    const events: Json[] = [];
    const parser = createParser({ onEvent: (message) => events.push(JSON.parse(message.data)) });
    const decoder = new TextDecoder();
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
    }
    parser.feed(decoder.decode());
    const ms = performance.now() - start;
    const done = events.find((e) => e.type === 'response.output_item.done' && e.item?.result);
    return {
      ms,
      output: {
        finalLength: done?.item?.result?.length ?? -1,
        prompt: done?.item?.revised_prompt ?? null,
        events: events.length,
      },
    };
  }
  const options: BenchStoreOptions = variant === 'library worker: false' ? { worker: false } : {};
  const start = performance.now();
  const store = createPartialImagesStore(options);
  const reached = deferred<number>();
  const unsubscribe = store.subscribe((state) => {
    if (state.status === 'completed' && state.items[0]?.final) reached.resolve(performance.now());
  });
  const consumed = store.consume(response);
  const end = await Promise.race([reached.promise, consumed.then(() => Number.NaN)]);
  await consumed;
  unsubscribe();
  const state = store.getState();
  const item = state.items[0];
  if (state.status !== 'completed') throw new Error(`${variant}: status ${state.status}`);
  return {
    ms: (Number.isNaN(end) ? performance.now() : end) - start,
    output: {
      finalLength: item?.final?.b64?.length ?? -1,
      prompt: item?.revisedPrompt ?? null,
      events: null,
    },
  };
}

function check(output: Output) {
  const { expect } = config;
  const problems: string[] = [];
  if (output.finalLength !== expect.finalLength) {
    problems.push(`final image ${output.finalLength} chars, not ${expect.finalLength}`);
  }
  if (output.prompt !== expect.prompt)
    problems.push(`revised prompt ${JSON.stringify(output.prompt)}`);
  if (output.events !== null && output.events !== expect.events) {
    problems.push(`${output.events} events, not ${expect.events}`);
  }
  if (problems.length) throw new Error(`${config.variant}: ${problems.join('; ')}`);
}

expose<ThroughputConfig, ThroughputResult>({
  async prepare(next) {
    config = next;
    const frames = JSON.parse(new TextDecoder().decode(await fetchBytes(config.frames))) as Frames;
    // A stream of its own per run (its own ids, as every real response has), so that no run
    // reads the very bytes another did.
    streams = Array.from({ length: config.runs }, (_, n) => {
      const { bytes } = encodeStream(responseEvents({ frames, nonAscii: config.nonAscii, n }));
      return bytes;
    });
  },
  async run() {
    const ms: number[] = [];
    for (let i = 0; i < config.runs; i++) {
      collect();
      await sleep(50);
      const result = await once(config.variant, streams[i] as Uint8Array);
      check(result.output);
      ms.push(result.ms);
    }
    return { ms };
  },
});
