/**
 * `pipeSSEToNodeResponse()`: the relay for Node's `http.ServerResponse` (Express, Fastify's
 * `reply.raw`, Koa's `ctx.res`, Next.js pages API routes).
 *
 * Typed structurally, so this module imports nothing from Node and the entry stays loadable on
 * every runtime. It waits for `'drain'` whenever `write()` returns `false`, so a slow client
 * holds at most one event in memory, and it aborts the upstream when the response closes before
 * the relay is done (the client disconnected).
 */

import { SSE_HEADERS } from './response';
import type { RelaySource } from './source';
import { type ToSSEStreamOptions, toSSEStream } from './stream';

/**
 * The part of Node's `http.ServerResponse` (or `http2.Http2ServerResponse`, or Express's
 * `Response`) that {@link pipeSSEToNodeResponse} uses.
 */
export interface NodeResponseLike {
  /** Set before the headers go out. */
  statusCode: number;
  /** `true` once the headers were sent; they are then left alone. */
  readonly headersSent: boolean;
  /** `true` after `end()`. */
  readonly writableEnded?: boolean | undefined;
  /** `true` once the socket is gone. */
  readonly destroyed?: boolean | undefined;
  /** The request, for its HTTP version (`connection: keep-alive` is sent on HTTP/1.x only). */
  readonly req?: { readonly httpVersionMajor?: number | undefined } | undefined;
  setHeader(name: string, value: string): unknown;
  /** Sends the headers at once, so the client knows the stream started. */
  flushHeaders?: (() => void) | undefined;
  /** Returns `false` when the chunk was buffered; `'drain'` follows. */
  write(chunk: Uint8Array): boolean;
  end(): unknown;
  /** Added by the `compression` middleware: pushes buffered output out. */
  flush?: (() => void) | undefined;
  on(event: 'close' | 'drain' | 'error', listener: () => void): unknown;
  removeListener(event: 'close' | 'drain' | 'error', listener: () => void): unknown;
}

/** Options of {@link pipeSSEToNodeResponse}. */
export interface PipeSSEOptions extends ToSSEStreamOptions {
  /**
   * The status code, when the headers were not sent yet.
   * @defaultValue 200
   */
  status?: number | undefined;
  /** Extra response headers, set after (so over) the {@link SSE_HEADERS}. */
  headers?: Readonly<Record<string, string>> | undefined;
}

/** Resolves on `'drain'`, or when the response closes or errors, or the signal fires. */
function drained(res: NodeResponseLike, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.removeListener('drain', done);
      res.removeListener('close', done);
      res.removeListener('error', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
    res.on('error', done);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Relays `events` (see `toSSEStream`) into a Node response: sets the status and the
 * {@link SSE_HEADERS} (plus `connection: keep-alive` on HTTP/1.x), writes each event as the
 * client can take it, waiting for `'drain'` when `write()` returns `false`, and ends the response.
 * When the response closes early (the client disconnected, `res.destroy()`), or `signal` fires,
 * the upstream is aborted and the response is ended.
 *
 * @param events - What `toSSEStream` accepts; prefer `(signal) => client.….create(…, { signal })`.
 * @param res - `http.ServerResponse`, Express's `res`, `http2.Http2ServerResponse`, …
 * @param options - `status`, `headers`, and the `toSSEStream` options.
 * @returns A promise that resolves once the relay is over and `res` is ended. Upstream failures
 *   do not reject it (they are relayed as an `error` event); it rejects only with a `TypeError`,
 *   before anything is written, when `events` is none of the accepted kinds.
 *
 * @example
 * ```ts
 * app.post('/api/image', async (req, res) => {
 *   await pipeSSEToNodeResponse(
 *     (signal) => openai.responses.create({ …, stream: true }, { signal }),
 *     res,
 *     { filter: 'images', onError: (error) => console.error(error) },
 *   )
 * })
 * ```
 */
export async function pipeSSEToNodeResponse(
  events: RelaySource,
  res: NodeResponseLike,
  options: PipeSSEOptions = {},
): Promise<void> {
  const { status, headers, signal: outer, ...streamOptions } = options;
  const relay = new AbortController();
  let over = false;
  const onClose = () => {
    if (!over) relay.abort(new Error('The client closed the connection.'));
  };
  const onOuterAbort = () => relay.abort(outer?.reason);
  // Throws (TypeError) before anything is written when `events` is not a source.
  const stream = toSSEStream(events, { ...streamOptions, signal: relay.signal });
  res.on('close', onClose);
  res.on('error', onClose);
  if (outer?.aborted) relay.abort(outer.reason);
  else outer?.addEventListener('abort', onOuterAbort, { once: true });
  if (res.destroyed || res.writableEnded) relay.abort(new Error('The response is already closed.'));

  if (!res.headersSent && !relay.signal.aborted) {
    res.statusCode = status ?? 200;
    for (const [name, value] of Object.entries(SSE_HEADERS)) res.setHeader(name, value);
    // A connection-specific header is an error on HTTP/2, and the default on HTTP/1.1; it only
    // matters to HTTP/1.0 clients and the proxies between.
    if (res.req?.httpVersionMajor === 1) res.setHeader('connection', 'keep-alive');
    for (const [name, value] of Object.entries(headers ?? {})) res.setHeader(name, value);
    res.flushHeaders?.();
  }

  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || relay.signal.aborted || res.destroyed) break;
      const ok = res.write(value);
      res.flush?.();
      if (!ok) await drained(res, relay.signal);
    }
  } finally {
    over = true;
    res.removeListener('close', onClose);
    res.removeListener('error', onClose);
    outer?.removeEventListener('abort', onOuterAbort);
    // Cancels the upstream if the loop left early; a no-op once the stream ended.
    await reader.cancel().catch(() => {});
    if (!res.writableEnded && !res.destroyed) res.end();
  }
}
