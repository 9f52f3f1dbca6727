/**
 * `toSSEResponse()`: {@link toSSEStream} wrapped in a fetch `Response` with the headers an event
 * stream needs, for route handlers on any fetch-API runtime (Next.js, Remix, Hono, Bun, Deno,
 * Cloudflare Workers, Vercel Edge).
 */

import type { RelaySource } from './source';
import { type ToSSEStreamOptions, toSSEStream } from './stream';

/**
 * The response headers of an event stream:
 * - `content-type: text/event-stream; charset=utf-8`;
 * - `cache-control: no-cache, no-transform`: no cache may store it, and no proxy may compress or
 *   otherwise transform it (a compressing proxy buffers);
 * - `x-accel-buffering: no`: nginx (and the hosts built on it) must not buffer it.
 *
 * There is deliberately no `connection: keep-alive`: connection-specific headers are forbidden
 * in HTTP/2 and HTTP/3 (RFC 9113 § 8.2.2; Node's `http2` throws on them), a fetch `Response`
 * cannot know which protocol will carry it, and HTTP/1.1 keeps connections alive by default.
 * {@link pipeSSEToNodeResponse}, which can see the protocol, adds it on HTTP/1.x.
 */
export const SSE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
});

/** Options of {@link toSSEResponse}: a `ResponseInit` plus {@link ToSSEStreamOptions}. */
export interface SSEResponseInit extends ResponseInit, ToSSEStreamOptions {}

/**
 * Relays `events` as a streaming `Response` with the {@link SSE_HEADERS}.
 *
 * The status is 200 even when the upstream fails: the failure is only known once the stream is
 * running, and it arrives as an `error` event (see {@link toSSEStream}).
 *
 * @param events - What {@link toSSEStream} accepts; prefer the function form
 *   `(signal) => client.responses.create({ …, stream: true }, { signal })`.
 * @param init - `status`, `statusText` and `headers` (merged over the defaults; yours win), plus
 *   `signal`, `filter`, `keepAlive` and `onError`.
 * @throws `TypeError` at once when `events` is none of the accepted kinds.
 *
 * @example
 * ```ts
 * // app/api/image/route.ts (Next.js App Router)
 * export async function POST(request: Request) {
 *   const { prompt } = await request.json()
 *   return toSSEResponse(
 *     (signal) => openai.responses.create({ model: 'gpt-5', input: prompt, stream: true,
 *       tools: [{ type: 'image_generation', partial_images: 2 }] }, { signal }),
 *     { signal: request.signal, filter: 'images' },
 *   )
 * }
 * ```
 */
export function toSSEResponse(events: RelaySource, init: SSEResponseInit = {}): Response {
  const { signal, filter, keepAlive, onError, uploadFinalImage, headers, status, statusText } =
    init;
  const merged = new Headers(SSE_HEADERS);
  if (headers !== undefined) {
    for (const [key, value] of new Headers(headers)) merged.set(key, value);
  }
  const body = toSSEStream(events, { signal, filter, keepAlive, onError, uploadFinalImage });
  const responseInit: ResponseInit = { status: status ?? 200, headers: merged };
  if (statusText !== undefined) responseInit.statusText = statusText;
  return new Response(body, responseInit);
}
