/**
 * The benchmark streams: OpenAI Responses API streams in the real wire shape, built from real
 * image frames. Runs in Node and in the bench pages alike (no Node imports).
 *
 * The shape follows the recorded streams in test/fixtures/recorded and PROTOCOL.md §1–§6:
 * `event:` lines equal to the JSON `type`, one global `sequence_number`, a reasoning item, an
 * image item whose partial-image events carry `size`, `quality`, `background` and
 * `output_format` as the real wire does, the final image in `response.output_item.done` with a
 * revised prompt, a message item of text deltas, and `response.completed` whose `output` repeats
 * every item, the image's `result` included (so the final image crosses the wire twice, as it
 * does from OpenAI).
 */

import { prng } from '../../fixtures/random';

/** Base64 of the frames: partial 0, partial 1, partial 2, final. */
export type Frames = readonly [string, string, string, string];

/** What an event is, for pacing and for checks. */
export type EventKind = 'frame' | 'text' | 'other';

/** One event of a response, with its kind. */
export interface WireEvent {
  readonly json: Record<string, unknown>;
  readonly kind: EventKind;
}

/** Options of {@link responseEvents}. */
export interface ResponseOptions {
  readonly frames: Frames;
  /** Previews before the final image (0–3). @defaultValue 3 */
  readonly partials?: number;
  /**
   * Non-ASCII text in the revised prompt and in the text deltas (em dash, curly quotes, an
   * emoji), as real prompts have; `false` gives the same text in ASCII only.
   */
  readonly nonAscii: boolean;
  /** Text deltas of the message after the image. @defaultValue 150 */
  readonly textDeltas?: number;
  /** `WIDTHxHEIGHT` of the frames. @defaultValue '1024x1024' */
  readonly size?: string;
  /** Makes ids unique per response (`resp_bench_<n>`). @defaultValue 0 */
  readonly n?: number;
}

/** The revised prompt with non-ASCII text: an em dash, curly quotes, an apostrophe, an emoji. */
export const REVISED_PROMPT_NON_ASCII =
  'A lighthouse at dusk — “golden hour” light over the sea’s edge, oil on canvas 🌅';
/** The same prompt in ASCII only (same words; no escapes needed in JSON either). */
export const REVISED_PROMPT_ASCII =
  "A lighthouse at dusk - 'golden hour' light over the sea's edge, oil on canvas :)";

const WORDS_NON_ASCII = [' the', ' sea’s', ' light', ' —', ' “calm”', ' glow', ' 🌊', ' naïve'];
const WORDS_ASCII = [' the', " sea's", ' light', ' -', " 'calm'", ' glow', ' :)', ' naive'];

const QUALITY = 'high';
const BACKGROUND = 'opaque';
const FORMAT = 'png';

/** The full Response object of `response.created` / `in_progress` / `completed`. */
function responseObject(id: string, status: string, output: unknown[], size: string) {
  return {
    id,
    object: 'response',
    created_at: 1758034395,
    status,
    background: false,
    error: null,
    incomplete_details: null,
    instructions: null,
    max_output_tokens: null,
    max_tool_calls: null,
    model: 'gpt-5-2025-08-07',
    output,
    parallel_tool_calls: true,
    previous_response_id: null,
    prompt_cache_key: null,
    reasoning: { effort: 'medium', summary: null },
    safety_identifier: null,
    service_tier: 'auto',
    store: true,
    temperature: 1,
    text: { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: 'auto',
    tools: [
      {
        type: 'image_generation',
        background: 'auto',
        moderation: 'auto',
        n: 1,
        output_compression: 100,
        output_format: FORMAT,
        quality: QUALITY,
        size,
      },
    ],
    top_logprobs: 0,
    top_p: 1,
    truncation: 'disabled',
    usage:
      status === 'completed'
        ? {
            input_tokens: 2941,
            input_tokens_details: { cached_tokens: 1920 },
            output_tokens: 1249,
            output_tokens_details: { reasoning_tokens: 1024 },
            total_tokens: 4190,
          }
        : null,
    user: null,
    metadata: {},
  };
}

/** The events of one response with one image, in wire order. */
export function responseEvents(options: ResponseOptions): WireEvent[] {
  const partials = options.partials ?? 3;
  const size = options.size ?? '1024x1024';
  const n = options.n ?? 0;
  const respId = `resp_bench_${n}`;
  const reasoningId = `rs_bench_${n}`;
  const imageId = `ig_bench_${n}`;
  const messageId = `msg_bench_${n}`;
  const prompt = options.nonAscii ? REVISED_PROMPT_NON_ASCII : REVISED_PROMPT_ASCII;
  const words = options.nonAscii ? WORDS_NON_ASCII : WORDS_ASCII;
  const random = prng(1234 + n);

  const events: WireEvent[] = [];
  let seq = 0;
  const push = (kind: EventKind, body: Record<string, unknown>) => {
    // `type` first and `sequence_number` second, as on the wire.
    const { type, ...rest } = body;
    events.push({ kind, json: { type, sequence_number: seq++, ...rest } });
  };

  const reasoning = { id: reasoningId, type: 'reasoning', summary: [] };
  push('other', {
    type: 'response.created',
    response: responseObject(respId, 'in_progress', [], size),
  });
  push('other', {
    type: 'response.in_progress',
    response: responseObject(respId, 'in_progress', [], size),
  });
  push('other', { type: 'response.output_item.added', output_index: 0, item: reasoning });
  push('other', { type: 'response.output_item.done', output_index: 0, item: reasoning });
  push('other', {
    type: 'response.output_item.added',
    output_index: 1,
    item: { id: imageId, type: 'image_generation_call', status: 'in_progress' },
  });
  const ids = { output_index: 1, item_id: imageId };
  push('other', { type: 'response.image_generation_call.in_progress', ...ids });
  push('other', { type: 'response.image_generation_call.generating', ...ids });
  for (let k = 0; k < partials; k++) {
    push('frame', {
      type: 'response.image_generation_call.partial_image',
      ...ids,
      partial_image_index: k,
      partial_image_b64: options.frames[k],
      size,
      quality: QUALITY,
      background: BACKGROUND,
      output_format: FORMAT,
    });
  }
  push('other', { type: 'response.image_generation_call.completed', ...ids });
  const image = {
    id: imageId,
    type: 'image_generation_call',
    status: 'completed',
    background: BACKGROUND,
    output_format: FORMAT,
    quality: QUALITY,
    result: options.frames[3],
    revised_prompt: prompt,
    size,
  };
  push('frame', { type: 'response.output_item.done', output_index: 1, item: image });

  const message = { id: messageId, type: 'message', status: 'in_progress', content: [] };
  push('other', { type: 'response.output_item.added', output_index: 2, item: message });
  const part = { type: 'output_text', annotations: [], logprobs: [], text: '' };
  const at = { item_id: messageId, output_index: 2, content_index: 0 };
  push('other', { type: 'response.content_part.added', ...at, part });
  let text = '';
  for (let t = 0; t < (options.textDeltas ?? 150); t++) {
    const delta = words[Math.floor(random() * words.length)] as string;
    text += delta;
    push('text', {
      type: 'response.output_text.delta',
      ...at,
      delta,
      logprobs: [],
      obfuscation: Math.floor(random() * 1e12).toString(36),
    });
  }
  push('other', { type: 'response.output_text.done', ...at, text, logprobs: [] });
  const donePart = { ...part, text };
  push('other', { type: 'response.content_part.done', ...at, part: donePart });
  const doneMessage = { ...message, status: 'completed', content: [donePart], role: 'assistant' };
  push('other', { type: 'response.output_item.done', output_index: 2, item: doneMessage });
  push('other', {
    type: 'response.completed',
    response: responseObject(respId, 'completed', [reasoning, image, doneMessage], size),
  });
  return events;
}

/** One event on the wire: `event: <type>` then `data: <json>`, then a blank line. */
export function sseOf(event: WireEvent): string {
  return `event: ${event.json.type}\ndata: ${JSON.stringify(event.json)}\n\n`;
}

/** The bytes of a whole stream, and where each event starts and ends in them. */
export interface EncodedStream {
  readonly bytes: Uint8Array;
  readonly events: readonly { readonly start: number; readonly end: number; kind: EventKind }[];
}

/** Encodes the events as UTF-8 SSE. */
export function encodeStream(events: readonly WireEvent[]): EncodedStream {
  const encoder = new TextEncoder();
  const parts = events.map((event) => encoder.encode(sseOf(event)));
  const bytes = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  const spans: { start: number; end: number; kind: EventKind }[] = [];
  let offset = 0;
  for (const [i, part] of parts.entries()) {
    bytes.set(part, offset);
    spans.push({ start: offset, end: offset + part.length, kind: (events[i] as WireEvent).kind });
    offset += part.length;
  }
  return { bytes, events: spans };
}

/** One delivery of a paced stream: `length` bytes from `offset`, at `at` ms after the start. */
export interface Delivery {
  readonly at: number;
  readonly offset: number;
  readonly length: number;
}

/** Chunk sizes as a network delivers a large body: 16–64 KiB, seeded. */
export function networkChunks(length: number, seed: number): number[] {
  const random = prng(seed);
  const sizes: number[] = [];
  for (let offset = 0; offset < length; ) {
    const size = Math.min(length - offset, 16_384 + Math.floor(random() * 49_152));
    sizes.push(size);
    offset += size;
  }
  return sizes;
}

/** Options of {@link pacedDeliveries}. */
export interface PaceOptions {
  /** When the first byte goes out, in ms. */
  readonly startAt: number;
  /** Link speed for large events, in bytes per ms (25_000 is 25 MB/s). */
  readonly bytesPerMs: number;
  /** Quiet time before each frame event (the provider making the frame), in ms. */
  readonly beforeFrame: number;
  /** Time between two small events (text deltas, lifecycle events), in ms. */
  readonly smallGap: number;
  readonly seed: number;
}

/**
 * A provider's schedule: small events one by one, `smallGap` apart; a frame event after
 * `beforeFrame` ms of quiet, in 16–64 KiB pieces at the link speed.
 */
export function pacedDeliveries(stream: EncodedStream, options: PaceOptions): Delivery[] {
  const random = prng(options.seed);
  const out: Delivery[] = [];
  let at = options.startAt;
  for (const [i, event] of stream.events.entries()) {
    at += event.kind === 'frame' ? options.beforeFrame : i === 0 ? 0 : options.smallGap;
    const length = event.end - event.start;
    if (length <= 16_384) {
      out.push({ at, offset: event.start, length });
      continue;
    }
    for (let offset = event.start; offset < event.end; ) {
      const size = Math.min(event.end - offset, 16_384 + Math.floor(random() * 49_152));
      out.push({ at, offset, length: size });
      offset += size;
      at += size / options.bytesPerMs;
    }
  }
  return out;
}
