/**
 * `createReplay()`: a realistic partial-image response (built by `test/fixtures/realistic`) as
 * wire events, SSE text, paced events, paced byte chunks or a fetch `Response`. React-free and
 * browser-safe; Node-only helpers are in `./node`.
 */

import { hashString } from '../../test/fixtures/random';
import {
  type BuiltResponse,
  buildResponse,
  type ReplayOptions,
  type WireEvent,
} from '../../test/fixtures/realistic';
import { type SSEStyle, sseSegments, toSSEText } from '../../test/fixtures/streams';
import { type NetworkOptions, type Scheduled, scheduleChunks } from './network';
import { type PaceOptions, play, toReadableStream } from './pacing';

/** How the bytes travel: framing style, network, speed, abort. */
export interface TransportOptions extends PaceOptions, NetworkOptions {
  /** @defaultValue 'openai' */
  style?: SSEStyle | undefined;
}

/** A replayable response. Everything is computed up front; the iterators only wait and yield. */
export interface Replay extends Readonly<BuiltResponse> {
  /** The options it was made with. */
  readonly options: Readonly<ReplayOptions>;
  /** When the last event is sent, in ms at speed 1. */
  readonly duration: number;
  /** The whole SSE body (cut mid-base64 for failure `cut`). */
  sseText(options?: { style?: SSEStyle | undefined }): string;
  /** When each byte chunk arrives (ms at speed 1), for a transport. */
  chunkSchedule(options?: TransportOptions): Scheduled<Uint8Array>[];
  /**
   * The events at their realistic times (parsed objects, as an SDK yields them). For failure
   * `cut`, iteration ends, without the cut event, when the connection drops.
   */
  paced(options?: PaceOptions): AsyncGenerator<WireEvent, void, undefined>;
  /** The SSE body as byte chunks at their realistic times. */
  chunks(options?: TransportOptions): AsyncGenerator<Uint8Array, void, undefined>;
  /**
   * A `200 text/event-stream` `Response` whose body plays {@link Replay.chunks}: hand it to
   * `consume` in place of `fetch(...)`. Cancelling the body or `signal` stops it.
   */
  response(options?: TransportOptions): Response;
}

/**
 * Makes a replay of one response.
 *
 * @throws `RangeError` for counts out of range or scenes/formats the frames do not have.
 *
 * @example
 * ```ts
 * const replay = createReplay({ prompt: 'two images of a city', images: 2, parallel: true })
 * const store = createPartialImagesStore()
 * await store.consume(() => replay.response({ speed: 2 }))
 * ```
 */
export function createReplay(options: ReplayOptions = {}): Replay {
  const built = buildResponse(options);
  const { events, times, truncated } = built;
  const seed = options.seed ?? hashString(options.prompt ?? '');
  const chunkSchedule = (transport: TransportOptions = {}) =>
    scheduleChunks(sseSegments(events, { style: transport.style, truncated, times }), {
      ...transport,
      seed: transport.seed ?? seed,
    });
  const chunks = (transport: TransportOptions = {}) => play(chunkSchedule(transport), transport);
  return {
    ...built,
    options,
    duration: times.at(-1) ?? 0,
    sseText: (text = {}) => toSSEText(events, { style: text.style, truncated, times }),
    chunkSchedule,
    async *paced(pace = {}) {
      const schedule = events.map((value, i) => ({ at: times[i] ?? 0, value }));
      for await (const event of play(schedule, pace)) {
        if (truncated && event === events.at(-1)) return;
        yield event;
      }
    },
    chunks,
    response(transport = {}) {
      const body = toReadableStream((signal) => chunks({ ...transport, signal }), transport.signal);
      return new Response(body, {
        status: 200,
        headers: {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache',
        },
      });
    },
  };
}
