/**
 * The bench stream, built in the page: a Responses API stream in the wire shape (snake_case,
 * `event:` lines, a global `sequence_number`) where N-1 images are already complete and one more
 * streams, with text deltas interleaved, cut into network-sized chunks and delivered on a
 * schedule, as a network would: in time, whatever the page is doing.
 */

import { prng } from '../../../stories/replay/random';

/** What an event is, for attributing work and commits to it. */
export type EventKind = 'text' | 'frame' | 'other';

/** One delivery: a piece of the SSE bytes, enqueued at `at` ms after the stream starts. */
export interface Step {
  readonly at: number;
  readonly bytes: Uint8Array;
  /** Set on an event's first piece: the event's kind (its window starts there). */
  readonly starts: EventKind | null;
  /** Set on an event's last piece: the event's kind (it has fully arrived). */
  readonly ends: EventKind | null;
  /**
   * Quiet time before this step, in ms after the previous delivery however late it was: a
   * provider takes seconds to make a frame, so a page that fell behind catches up before it.
   */
  readonly quiet: number;
}

/** The frames to use: base64 of 3 partials and the final, for the streaming and older images. */
export interface BenchFrames {
  /** Full size (1024x1024 PNG, about 1.5–2.5 MB of base64 each). */
  readonly full: readonly [string, string, string, string];
  /** Small (256x256 PNG), for the images already on the page. */
  readonly small: readonly [string, string, string, string];
}

/** Timing of the stream, in ms. */
export const TIMING = {
  /** Between two small events (text deltas, lifecycle events): ~250 per second. */
  textGap: 4,
  /** Quiet time before a frame event, so that the previous work is not counted to it. */
  beforeFrame: 80,
  /** Quiet time after a frame event: room to decode and show it before the next event. */
  afterFrame: 350,
  /** Link speed for large events: 25 MB/s (200 Mbit/s), in bytes per ms. */
  bytesPerMs: 25_000,
};

/** Text deltas: before the image, after each partial frame, after the final. */
const TEXT = { before: 90, betweenFrames: 40, after: 90 };

export const PARTIALS = 3;
export const RESPONSE_ID = 'resp_bench';
export const STREAMING_ID = 'ig_streaming';
const SIZE = '1024x1024';

type Json = Record<string, unknown>;

function tools() {
  return [{ type: 'image_generation', output_format: 'png', quality: 'high', size: SIZE }];
}

function response(status: string): Json {
  return { id: RESPONSE_ID, object: 'response', status, error: null, tools: tools(), output: [] };
}

/** The events of one complete image: added, in progress, generating, partials, completed, done. */
function imageEvents(id: string, outputIndex: number, frames: readonly string[], size: string) {
  const common = { output_index: outputIndex, item_id: id };
  const partials: Json[] = [];
  for (let k = 0; k < PARTIALS; k++) {
    partials.push({
      type: 'response.image_generation_call.partial_image',
      ...common,
      partial_image_index: k,
      partial_image_b64: frames[k],
      size,
      quality: 'high',
      background: 'opaque',
      output_format: 'png',
    });
  }
  return {
    start: [
      {
        type: 'response.output_item.added',
        output_index: outputIndex,
        item: { id, type: 'image_generation_call', status: 'in_progress' },
      },
      { type: 'response.image_generation_call.in_progress', ...common },
      { type: 'response.image_generation_call.generating', ...common },
    ] as Json[],
    partials,
    completed: { type: 'response.image_generation_call.completed', ...common } as Json,
    done: {
      type: 'response.output_item.done',
      output_index: outputIndex,
      item: {
        id,
        type: 'image_generation_call',
        status: 'completed',
        background: 'opaque',
        output_format: 'png',
        quality: 'high',
        result: frames[PARTIALS],
        revised_prompt: `A lighthouse at dusk, image ${outputIndex}`,
        size,
      },
    } as Json,
  };
}

/** The whole response for `scale` images on the page. */
export interface BenchResponse {
  /** The events already received: N-1 complete images (empty for N = 1). */
  readonly before: readonly Json[];
  /** The events still to stream, in order, with their kind. */
  readonly streamed: readonly { readonly event: Json; readonly kind: EventKind }[];
  /** The highest sequence number in `before` (-1 when empty). */
  readonly lastBefore: number;
}

/** Builds the response: `scale - 1` complete images (small frames), then one streaming image. */
export function benchResponse(scale: number, frames: BenchFrames): BenchResponse {
  let seq = 0;
  const number = (event: Json): Json => ({ ...event, sequence_number: seq++ });
  const before: Json[] = [];
  const streamed: { event: Json; kind: EventKind }[] = [];
  const stream = (event: Json, kind: EventKind) => streamed.push({ event: number(event), kind });
  const text = (count: number, from: number) => {
    for (let t = 0; t < count; t++) {
      stream(
        {
          type: 'response.output_text.delta',
          item_id: 'msg_bench',
          output_index: 0,
          content_index: 0,
          delta: `word ${from + t} `,
        },
        'text',
      );
    }
  };

  const head = [
    { type: 'response.created', response: response('in_progress') },
    { type: 'response.in_progress', response: response('in_progress') },
  ];
  if (scale > 1) {
    for (const event of head) before.push(number(event));
    for (let i = 0; i < scale - 1; i++) {
      const image = imageEvents(`ig_${i}`, i + 1, frames.small, '256x256');
      for (const event of [...image.start, ...image.partials, image.completed, image.done]) {
        before.push(number(event));
      }
    }
  } else {
    for (const event of head) stream(event, 'other');
  }
  const lastBefore = seq - 1;

  const image = imageEvents(STREAMING_ID, scale, frames.full, SIZE);
  text(TEXT.before, 0);
  for (const event of image.start) stream(event, 'other');
  for (const [k, partial] of image.partials.entries()) {
    stream(partial, 'frame');
    text(TEXT.betweenFrames, TEXT.before + k * TEXT.betweenFrames);
  }
  stream(image.completed, 'other');
  stream(image.done, 'frame');
  text(TEXT.after, TEXT.before + PARTIALS * TEXT.betweenFrames);
  stream({ type: 'response.completed', response: response('completed') }, 'other');
  return { before, streamed, lastBefore };
}

/**
 * The delivery schedule: each event is flushed on its own by the server (so a text delta is one
 * small chunk); a large event arrives in 16–64 KiB pieces at the link speed. Frame events get
 * quiet time before and after them.
 */
export function schedule(streamed: BenchResponse['streamed']): Step[] {
  const encoder = new TextEncoder();
  const random = prng(42);
  const steps: Step[] = [];
  let at = 0;
  let previous: EventKind | null = null;
  for (const { event, kind } of streamed) {
    const quiet =
      kind === 'frame' ? TIMING.beforeFrame : previous === 'frame' ? TIMING.afterFrame : 0;
    at += quiet || (previous === null ? 0 : TIMING.textGap);
    const bytes = encoder.encode(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    for (let offset = 0; offset < bytes.length; ) {
      const size = bytes.length <= 16_384 ? bytes.length : 16_384 + Math.floor(random() * 49_152);
      const piece = bytes.slice(offset, offset + size);
      const last = offset + piece.length >= bytes.length;
      steps.push({
        at,
        bytes: piece,
        starts: offset === 0 ? kind : null,
        ends: last ? kind : null,
        quiet: offset === 0 ? quiet : 0,
      });
      offset += piece.length;
      at += piece.length / TIMING.bytesPerMs;
    }
    previous = kind;
  }
  // The last window (after response.completed) is closed by the caller.
  return steps;
}
