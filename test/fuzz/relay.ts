/**
 * The fuzz properties of the server relay (`toSSEStream`, and so `toSSEResponse` and
 * `pipeSSEToNodeResponse`): what a browser reads back through the relay is what it would have
 * read from the provider; an upstream that fails becomes one safe `error` event (or a clean cut);
 * a client that goes away at any byte stops the upstream and leaves no timer. Shared by
 * `test/server/fuzz.test.ts` and `test/fuzz/run.ts`.
 */

import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { PartialImagesSource } from '../../src/core';
import { toSSEStream } from '../../src/server';
import { baseStream, type Unit } from './corpus';
import {
  baseArb,
  type ChunkPlan,
  camelRoundTrips,
  chunkOffsets,
  chunkPlanArb,
  insertJunk,
  insertsArb,
  landmarks,
  reshape,
  shapeArb,
} from './damage';
import { byteSource, cutBytes, type Delivery, frameUnits, parsedOf } from './frame';
import { runStore, snapshot } from './invariants';
import { type FuzzProperty, property, valuesOf } from './properties';

const SECRET = 'sk-proj-FUZZsecret0123456789';

/** The upstream: SSE bytes cut by `plan`, or parsed events (an SDK's stream). */
function upstreamOf(
  units: readonly Unit[],
  eol: string,
  form: 'sse' | 'values',
  delivery: Delivery,
  plan: ChunkPlan,
): () => PartialImagesSource {
  if (form === 'values') {
    const values = units.map(parsedOf);
    return () =>
      (async function* () {
        yield* values;
      })();
  }
  const { bytes, ends } = frameUnits(units, eol);
  const chunks = cutBytes(bytes, chunkOffsets(plan, bytes.length, landmarks(bytes, ends)));
  return () => byteSource(chunks, delivery);
}

/** Reads a relayed stream to its end; a relay stream must never error. */
async function drain(stream: ReadableStream<Uint8Array>): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return chunks;
    chunks.push(value);
  }
}

/**
 * Through the relay, the browser ends in the same state as reading the upstream itself: any
 * split, junk between events, CRLF, the OpenRouter SDK's camelCase, with either filter.
 */
const transparent = property(
  'the relay is transparent: the browser reads what the provider sent',
  fc.record({
    base: baseArb,
    filter: fc.constantFrom<'all' | 'images'>('all', 'images'),
    delivery: fc.constantFrom<Delivery>('response', 'byte-stream', 'text-stream'),
    plan: chunkPlanArb,
    junk: fc.option(insertsArb, { nil: undefined }),
    shapes: fc.array(shapeArb, { minLength: 1, maxLength: 16 }),
    asValues: fc.boolean(),
    eol: fc.constantFrom('same', '\r\n'),
  }),
  async ({ base: recipe, filter, delivery, plan, junk, shapes, asValues, eol }) => {
    const base = baseStream(recipe);
    let units: Unit[] = junk ? insertJunk(base.units, junk, base.form).units : [...base.units];
    let form = base.form;
    if (asValues && form === 'sse' && base.wire) {
      // An SDK's stream of parsed events, some in the OpenRouter SDK's shapes.
      const values = valuesOf(units);
      if (values !== null) {
        form = 'values';
        units = values.map((parsed, i) => {
          // A string first would make the iterable a stream of SSE text (see junkUnit).
          const value = typeof parsed === 'string' ? [parsed] : parsed;
          const shape = shapes[i % shapes.length] ?? 'wire';
          const event =
            shape === 'camel' && !camelRoundTrips(value) ? value : reshape(value, shape);
          return { kind: 'value', value: event };
        });
      }
    }
    const upstream = upstreamOf(units, eol === 'same' ? base.eol : eol, form, delivery, plan);
    const direct = await runStore(upstream());
    const relayed = await drain(toSSEStream(upstream(), { filter, keepAlive: false }));
    const run = await runStore(byteSource(relayed, 'byte-stream'));
    assert.deepEqual(run.monitor.violations, [], 'invariants broken through the relay');
    // The images preset drops payloads that are not JSON: their `malformed-json` stays upstream.
    const errors = filter === 'all';
    assert.deepEqual(snapshot(run.state, { errors }), snapshot(direct.state, { errors }));
  },
);

/** What an upstream may throw: SDK errors, dropped connections, bugs, with secrets in them. */
const failureArb = fc.constantFrom(
  'api-error',
  'terminated',
  'econnreset',
  'secret-error',
  'string',
  'http-500',
);

function failureOf(kind: string): { thrown: unknown; dropped: boolean } {
  switch (kind) {
    case 'api-error': {
      const error = Object.assign(new Error(`429 Rate limit reached for key ${SECRET}`), {
        name: 'RateLimitError',
        status: 429,
        error: {
          type: 'rate_limit_error',
          code: 'rate_limit_exceeded',
          message: `slow down ${SECRET}`,
        },
      });
      return { thrown: error, dropped: false };
    }
    case 'terminated':
      return { thrown: new TypeError('terminated'), dropped: true };
    case 'econnreset':
      return {
        thrown: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
        dropped: true,
      };
    case 'secret-error':
      return {
        thrown: new Error(`request to https://api.example/?key=${SECRET} failed`),
        dropped: false,
      };
    default:
      return { thrown: `a string with ${SECRET}`, dropped: false };
  }
}

/**
 * An upstream that fails after any event: the relay's output never errors and never carries a
 * secret; the browser ends `failed` with the provider's error, or, for a connection that dropped
 * after something was written, `stream-truncated` (so that it can resume).
 */
const failing = property(
  'an upstream failure becomes one safe error event or a clean cut',
  fc.record({
    base: baseArb,
    failAt: fc.nat(),
    kind: failureArb,
    filter: fc.constantFrom<'all' | 'images'>('all', 'images'),
  }),
  async ({ base: recipe, failAt, kind, filter }) => {
    const base = baseStream(recipe);
    const values =
      base.form === 'values' ? base.units.map(parsedOf) : (valuesOf(base.units) ?? null);
    if (values === null) return;
    const at = failAt % (values.length + 1);
    const reported: unknown[] = [];
    let upstream: () => PartialImagesSource;
    let thrown: unknown = null;
    let dropped = false;
    if (kind === 'http-500') {
      upstream = () =>
        new Response(
          JSON.stringify({ error: { message: `boom ${SECRET}`, type: 'server_error' } }),
          {
            status: 500,
            headers: { 'content-type': 'application/json' },
          },
        );
    } else {
      ({ thrown, dropped } = failureOf(kind));
      upstream = () =>
        (async function* () {
          yield* values.slice(0, at);
          throw thrown;
        })();
    }
    const relayed = await drain(
      toSSEStream(upstream(), {
        filter,
        keepAlive: false,
        onError: (error) => reported.push(error),
      }),
    );
    const text = Buffer.concat(relayed).toString('utf8');
    assert.ok(!text.includes('FUZZsecret'), 'a secret reached the browser');
    assert.ok(reported.length >= 1, 'onError was not told');
    const run = await runStore(byteSource(relayed, 'byte-stream'));
    assert.deepEqual(run.monitor.violations, [], 'invariants broken through the relay');
    const before = await runStore(valueSource(values.slice(0, kind === 'http-500' ? 0 : at)));
    const over =
      ['completed', 'incomplete', 'failed'].includes(before.state.status) &&
      before.state.error?.code !== 'stream-truncated';
    if (over) return; // the response had ended before the failure
    assert.equal(run.state.status, 'failed');
    const wrote = text.length > 0;
    const expected = dropped && wrote && at > 0 ? 'stream-truncated' : 'provider-error';
    assert.equal(run.state.error?.code, expected, `${kind} after ${at} events`);
  },
);

function valueSource(values: readonly unknown[]): PartialImagesSource {
  return (async function* () {
    yield* values;
  })();
}

/** Resolves after some event-loop turns in which nothing else happened (no clock involved). */
async function quiet(): Promise<'quiet'> {
  for (let n = 0; n < 50; n++) await new Promise((resolve) => setImmediate(resolve));
  return 'quiet';
}

/**
 * Watches the timers that the relay (src/server) starts while `run` runs: how many are still
 * pending at the end (neither fired nor cleared). Timers of anything else (the test runner, the
 * fuzzer) are told apart by the stack that created them.
 */
export async function relayTimers(run: () => Promise<void>): Promise<number> {
  const live = new Set<unknown>();
  const { setTimeout: set, clearTimeout: clear } = globalThis;
  globalThis.setTimeout = ((
    callback: (...args: unknown[]) => void,
    ms?: number,
    ...args: unknown[]
  ) => {
    const ours = /src[\\/]server[\\/]/.test(new Error().stack ?? '');
    const handle: unknown = set(
      (...inner: unknown[]) => {
        live.delete(handle);
        callback(...inner);
      },
      ms,
      ...args,
    );
    if (ours) live.add(handle);
    return handle;
  }) as typeof setTimeout;
  globalThis.clearTimeout = ((handle: Parameters<typeof clearTimeout>[0]) => {
    live.delete(handle);
    clear(handle);
  }) as typeof clearTimeout;
  try {
    await run();
  } finally {
    globalThis.setTimeout = set;
    globalThis.clearTimeout = clear;
  }
  for (const handle of live) clear(handle as Parameters<typeof clearTimeout>[0]);
  return live.size;
}

/**
 * A client that goes away after any number of bytes: the upstream's signal fires, its body is
 * cancelled (or its iterator returned), and no keep-alive timer is left behind.
 */
const cancelled = property(
  'a client that goes away at any byte stops the upstream and leaves no timer',
  fc.record({
    base: baseArb.filter((recipe) => baseStream(recipe).form === 'sse'),
    plan: chunkPlanArb,
    readBytes: fc.nat(),
    asIterator: fc.boolean(),
  }),
  async ({ base: recipe, plan, readBytes, asIterator }) => {
    const base = baseStream(recipe);
    const { bytes, ends } = frameUnits(base.units, base.eol);
    const chunks = cutBytes(bytes, chunkOffsets(plan, bytes.length, landmarks(bytes, ends)));
    let signal: AbortSignal | null = null;
    let finished = false; // the upstream handed out everything
    let released = false; // cancelled, or its iterator returned
    const left = await relayTimers(async () => {
      const relay = toSSEStream(
        (s: AbortSignal) => {
          signal = s;
          if (asIterator) {
            return (async function* () {
              try {
                for (const chunk of chunks) yield chunk;
                finished = true;
                // A slow model: the stream stays open after its last chunk.
                await new Promise((resolve) =>
                  s.addEventListener('abort', resolve, { once: true }),
                );
              } finally {
                released = true;
              }
            })();
          }
          let i = 0;
          return new ReadableStream<Uint8Array>({
            pull(controller) {
              const chunk = chunks[i++];
              if (chunk !== undefined) controller.enqueue(chunk);
              else finished = true; // stays open: the client leaves first
            },
            cancel() {
              released = true;
            },
          });
        },
        { keepAlive: 1000 },
      );
      const reader = relay.getReader();
      const limit = readBytes % (bytes.length + 2);
      let read = 0;
      while (read < limit) {
        // The upstream stays open after its last chunk: stop waiting once nothing more comes.
        const step = await Promise.race([reader.read(), quiet()]);
        if (step === 'quiet' || step.done) break;
        read += step.value.byteLength;
      }
      await reader.cancel(new Error('the client went away'));
      // Let the cancellation reach the upstream (promise jobs only, no clock).
      for (let n = 0; n < 20 && !released; n++)
        await new Promise((resolve) => setImmediate(resolve));
    });
    assert.equal(left, 0, 'a keep-alive timer outlived the relay');
    // Gone before the first pull: the upstream is never opened (nothing to stop).
    if (signal === null) return;
    assert.equal((signal as AbortSignal | null)?.aborted, true, 'the upstream signal did not fire');
    assert.ok(released, `the upstream was not released (finished: ${finished})`);
  },
);

/** Every property of the relay. */
export const serverProperties: readonly FuzzProperty<never>[] = [
  transparent,
  failing,
  cancelled,
] as unknown as FuzzProperty<never>[];
