/**
 * Shared pieces of the relay tests: a fake upstream `fetch` for the real SDKs (it records every
 * request and its signal, and its bodies behave like undici's: they error when the request is
 * aborted, and can hang mid-stream), readers for the relayed SSE, and real-frame fixtures.
 */

import { parseSSE } from '../../src/core';
import { imageResponseEvents } from '../fixtures/events';
import { type FrameSet, smallFrames } from '../fixtures/frames';
import { bytesOf } from '../fixtures/streams';

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

/** The committed small frame sets (real PNG, WebP and JPEG bytes). */
export const FRAME_SETS: readonly FrameSet[] = smallFrames;

function frameSet(index: number): FrameSet {
  const set = FRAME_SETS[index % FRAME_SETS.length];
  if (!set) throw new Error('no frame sets');
  return set;
}

/**
 * A Responses API stream with real frames: 3 partials and a final per item, as the wire has it.
 * Every item draws from frame set `set` (one response has one output format).
 */
export function realFrameEvents(
  options: Parameters<typeof imageResponseEvents>[0] & { set?: number } = {},
): Record<string, unknown>[] {
  const { set: index = 0, ...rest } = options;
  const set = frameSet(index);
  return imageResponseEvents({
    partials: 3,
    format: set.format,
    ...rest,
    frame: (_item, k) => set.frames[Math.min(k, 3)] as string,
  });
}

/** An Images API stream (`image_generation.*`), as `POST /v1/images/generations` sends it. */
export function imagesApiEvents(set = frameSet(2)): Record<string, unknown>[] {
  const common = {
    background: 'opaque',
    created_at: 1758034395,
    output_format: set.format,
    quality: 'low',
    size: `${set.width * 4}x${set.height * 4}`,
  };
  return [
    {
      type: 'image_generation.partial_image',
      ...common,
      b64_json: set.frames[0],
      partial_image_index: 0,
    },
    {
      type: 'image_generation.partial_image',
      ...common,
      b64_json: set.frames[1],
      partial_image_index: 1,
    },
    {
      type: 'image_generation.completed',
      ...common,
      b64_json: set.frames[3],
      usage: {
        input_tokens: 12,
        output_tokens: 272,
        total_tokens: 284,
        input_tokens_details: { image_tokens: 0, text_tokens: 12 },
      },
    },
  ];
}

/** Sets `sequence_number` to 0, 1, 2, … in order. */
export function renumber(events: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  return events.map((event, i) => ({ ...event, sequence_number: i }));
}

// ---------------------------------------------------------------------------------------------
// A fake upstream
// ---------------------------------------------------------------------------------------------

/** What the fake upstream answers to one request. */
export interface FakeReply {
  /** Body chunks, sent one per read. */
  chunks?: readonly (string | Uint8Array)[];
  /** After the chunks, keep the body open (a slow model) instead of closing it. */
  hang?: boolean;
  /** After the chunks, fail the body (the network died). */
  fail?: unknown;
  status?: number;
  headers?: Record<string, string>;
}

/** One request the fake upstream received. */
export interface FakeRequest {
  url: string;
  method: string;
  headers: Headers;
  /** The signal the SDK passed to `fetch`. */
  signal: AbortSignal | null;
  /** Set when the SDK cancelled the response body, with the reason. */
  bodyCancelled: { reason: unknown } | null;
}

/** A `fetch` for the SDKs' `fetch` / `fetcher` option, serving replies from `serve`. */
export function fakeFetch(serve: (request: FakeRequest, index: number) => FakeReply) {
  const requests: FakeRequest[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request ? input : null;
    const record: FakeRequest = {
      url: request ? request.url : String(input),
      method: init?.method ?? request?.method ?? 'GET',
      headers: new Headers(init?.headers ?? request?.headers),
      signal: init?.signal ?? request?.signal ?? null,
      bodyCancelled: null,
    };
    requests.push(record);
    const reply = serve(record, requests.length - 1);
    const { signal } = record;
    if (signal?.aborted) throw new DOMException('This operation was aborted', 'AbortError');
    const chunks = reply.chunks ?? [];
    let i = 0;
    let abortBody: (() => void) | null = null;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        // Like undici: aborting the request errors a body still being read.
        abortBody = () => {
          try {
            controller.error(new DOMException('This operation was aborted', 'AbortError'));
          } catch {
            // Already closed.
          }
        };
        signal?.addEventListener('abort', abortBody, { once: true });
      },
      pull(controller) {
        const chunk = chunks[i++];
        if (chunk !== undefined) {
          controller.enqueue(typeof chunk === 'string' ? bytesOf(chunk) : chunk);
          return;
        }
        if (reply.fail !== undefined) return controller.error(reply.fail);
        if (reply.hang) return new Promise<void>(() => {});
        if (abortBody) signal?.removeEventListener('abort', abortBody);
        controller.close();
      },
      cancel(reason) {
        record.bodyCancelled = { reason };
      },
    });
    return new Response(body, {
      status: reply.status ?? 200,
      headers: reply.headers ?? { 'content-type': 'text/event-stream' },
    });
  };
  return { fetch, requests };
}

/** Resolves once `signal` aborts (at once if it already has). */
export function aborted(signal: AbortSignal | null | undefined): Promise<void> {
  if (!signal) return Promise.reject(new Error('no signal'));
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) =>
    signal.addEventListener('abort', () => resolve(), { once: true }),
  );
}

// ---------------------------------------------------------------------------------------------
// Reading the relay
// ---------------------------------------------------------------------------------------------

/** The whole relayed text. */
export async function readText(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

/** One relayed event, as a browser would read it. */
export interface RelayedEvent {
  event: string | undefined;
  data: string;
  json: unknown;
}

/** Parses the relayed stream with the core's `parseSSE` (and `JSON.parse`, except `[DONE]`). */
export async function readEvents(stream: ReadableStream<Uint8Array>): Promise<RelayedEvent[]> {
  const out: RelayedEvent[] = [];
  for await (const message of parseSSE(stream)) {
    out.push({
      event: message.event,
      data: message.data,
      json: message.data === '[DONE]' ? '[DONE]' : JSON.parse(message.data),
    });
  }
  return out;
}

/** Reads messages until `count` have arrived; returns them and the reader (still open). */
export async function readFirst(stream: ReadableStream<Uint8Array>, count: number) {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while ((text.match(/\n\n/g) ?? []).length < count) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  return { text, reader };
}
