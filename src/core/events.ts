/**
 * The boundary: whatever a provider or SDK yields goes in, a small typed event comes out.
 *
 * Accepted shapes (see PROTOCOL.md): the OpenAI/OpenRouter wire (snake_case); the OpenRouter
 * SDK's camelCase events and its `{ type: "UNKNOWN", isUnknown: true, raw }` wrapper; the Images
 * API events (`image_generation.*`, `image_edit.*`, with OpenRouter's `b64Json` / `media_type`);
 * flat and nested `error` events; the terminal `response.*` events; and the JSON bodies that
 * non-streaming providers return instead of a stream. Validation is zod, here and nowhere deeper.
 */

import * as z from 'zod/mini';
import { PartialImagesError } from './errors';
import { type ImageFormat, type ImageSize, parseImageSize, toImageFormat } from './mime';

// ---------------------------------------------------------------------------------------------
// Normalized events
// ---------------------------------------------------------------------------------------------

interface EventBase {
  /** The provider's `sequence_number`, or `null` when the event has none (Images API). */
  readonly sequenceNumber: number | null;
  /** `Date.now()` when the event was normalized. */
  readonly receivedAt: number;
}

/** Format and size an image event may declare. */
export interface DeclaredImageFields {
  /** The declared format (`output_format`, or `media_type` as a format), when it is an image. */
  readonly format: ImageFormat | null;
  /** The declared size (`"1536x1024"`), `null` for `"auto"` or when absent. */
  readonly size: ImageSize | null;
}

/** `response.created` (and `response.queued` / `response.in_progress`): a response began. */
export interface ResponseCreatedEvent extends EventBase {
  readonly type: 'response.created';
  readonly responseId: string | null;
  /** The `image_generation` tool's `output_format`, echoed in `response.tools`. */
  readonly format: ImageFormat | null;
  /** The `image_generation` tool's `size`, echoed in `response.tools`. */
  readonly size: ImageSize | null;
}

/** An image generation item exists (`response.output_item.added`). */
export interface ImageAddedEvent extends EventBase {
  readonly type: 'image.added';
  readonly itemId: string;
  readonly outputIndex: number | null;
}

/** An image call made progress without bytes (`in_progress`, `generating`, `completed`). */
export interface ImageProgressEvent extends EventBase {
  readonly type: 'image.progress';
  readonly itemId: string;
  readonly outputIndex: number | null;
  readonly phase: 'in_progress' | 'generating' | 'completed';
}

/** A partial (preview) frame. */
export interface ImagePartialEvent extends EventBase, DeclaredImageFields {
  readonly type: 'image.partial';
  /** The item id; `null` for Images API streams, which have none (the reducer assigns one). */
  readonly itemId: string | null;
  readonly outputIndex: number | null;
  /** 0-based, per item. */
  readonly partialImageIndex: number;
  /** The frame's base64 (or, rarely, a `data:` URL). */
  readonly b64: string;
}

/** One final image: from `output_item.done`, `image_generation.completed` or a terminal event. */
export interface FinalImage extends DeclaredImageFields {
  /** The item id; `null` for Images API results (the reducer assigns one). */
  readonly itemId: string | null;
  readonly outputIndex: number | null;
  /** Base64, a `data:` URL or an `https:` URL; classified by the reducer. */
  readonly result: string;
  readonly revisedPrompt: string | null;
}

/** The final image of one item arrived. */
export interface ImageFinalEvent extends EventBase, FinalImage {
  readonly type: 'image.final';
}

/** The provider marked an image call as failed (`status: "failed"`, no `result`). */
export interface ImageFailedEvent extends EventBase {
  readonly type: 'image.failed';
  readonly itemId: string;
  readonly outputIndex: number | null;
}

/** `response.completed`: success. `images` repeats every final image, for reconciliation. */
export interface ResponseCompletedEvent extends EventBase {
  readonly type: 'response.completed';
  readonly responseId: string | null;
  readonly images: readonly FinalImage[];
}

/** `response.incomplete`: the response stopped early (`max_output_tokens`, `content_filter`). */
export interface ResponseIncompleteEvent extends EventBase {
  readonly type: 'response.incomplete';
  readonly responseId: string | null;
  readonly reason: string | null;
  readonly images: readonly FinalImage[];
}

/** `response.failed`, with the provider's error. */
export interface ResponseFailedEvent extends EventBase {
  readonly type: 'response.failed';
  readonly responseId: string | null;
  readonly error: PartialImagesError;
  readonly images: readonly FinalImage[];
}

/** An `error` event (flat or nested shape), or any payload with a top-level `error` object. */
export interface ProviderErrorEvent extends EventBase {
  readonly type: 'error';
  readonly error: PartialImagesError;
}

/** The source ended: `done` after `data: [DONE]`, `eof` when it just closed. */
export interface StreamEndEvent extends EventBase {
  readonly type: 'stream.end';
  readonly reason: 'done' | 'eof';
}

/**
 * A problem with the stream itself. `fatal: false` (an invalid or malformed event) leaves the
 * stream going; `fatal: true` (network error, HTTP error, abort) ends it.
 */
export interface StreamErrorEvent extends EventBase {
  readonly type: 'stream.error';
  readonly error: PartialImagesError;
  readonly fatal: boolean;
}

/**
 * Every event the reducer understands: what {@link normalizeEvent} returns for anything that
 * concerns images or the response's life. Narrow on `type`.
 */
export type PartialImageEvent =
  | ResponseCreatedEvent
  | ImageAddedEvent
  | ImageProgressEvent
  | ImagePartialEvent
  | ImageFinalEvent
  | ImageFailedEvent
  | ResponseCompletedEvent
  | ResponseIncompleteEvent
  | ResponseFailedEvent
  | ProviderErrorEvent
  | StreamEndEvent
  | StreamErrorEvent;

/** The `type` of a {@link PartialImageEvent}. */
export type PartialImageEventType = PartialImageEvent['type'];

// ---------------------------------------------------------------------------------------------
// Wire schemas (snake_case; camelCase input is renamed first)
// ---------------------------------------------------------------------------------------------

const optString = z.optional(z.nullable(z.string()));
const optInt = z.optional(z.nullable(z.int()));
const optUnknown = z.optional(z.unknown());

const imageCallFields = {
  item_id: z.string(),
  output_index: optInt,
  sequence_number: optInt,
};

const ProgressWire = z.object(imageCallFields);

const PartialWire = z.object({
  ...imageCallFields,
  partial_image_b64: z.string(),
  partial_image_index: z.int().check(z.nonnegative()),
  output_format: optString,
  size: optUnknown,
});

const ImageItemWire = z.object({
  id: z.string(),
  type: z.string(),
  status: optString,
  result: optString,
  image_b64: optString,
  image_url: optString,
  revised_prompt: optString,
  prompt: optString,
  output_format: optString,
  size: optUnknown,
});

const ItemEventWire = z.object({
  output_index: optInt,
  sequence_number: optInt,
  item: z.object({ id: optString, type: z.string() }),
});

const ToolWire = z.object({ type: optString, output_format: optString, size: optUnknown });

const ResponseWire = z.object({
  id: optString,
  status: optString,
  tools: z.optional(z.nullable(z.array(z.unknown()))),
  output: z.optional(z.nullable(z.array(z.unknown()))),
  error: z.optional(z.nullable(z.object({ code: optString, message: optString, type: optString }))),
  incomplete_details: z.optional(z.nullable(z.object({ reason: optString }))),
});

const ResponseEventWire = z.object({ sequence_number: optInt, response: ResponseWire });

const ErrorBodyWire = z.object({
  code: z.optional(z.nullable(z.union([z.string(), z.number()]))),
  message: optString,
  param: optString,
  type: optString,
});

const ImagesPartialWire = z.object({
  b64_json: z.string(),
  partial_image_index: z.int().check(z.nonnegative()),
  output_format: optString,
  media_type: optString,
  size: optUnknown,
});

const ImagesCompletedWire = z.object({
  b64_json: z.string(),
  output_format: optString,
  media_type: optString,
  size: optUnknown,
});

const ImagesBodyWire = z.object({
  data: z.array(
    z.object({
      b64_json: optString,
      url: optString,
      revised_prompt: optString,
      media_type: optString,
    }),
  ),
  output_format: optString,
  size: optUnknown,
});

const CAMEL_TO_SNAKE: Readonly<Record<string, string>> = {
  itemId: 'item_id',
  outputIndex: 'output_index',
  sequenceNumber: 'sequence_number',
  partialImageB64: 'partial_image_b64',
  partialImageIndex: 'partial_image_index',
  outputFormat: 'output_format',
  revisedPrompt: 'revised_prompt',
  b64Json: 'b64_json',
  mediaType: 'media_type',
  imageB64: 'image_b64',
  imageUrl: 'image_url',
  incompleteDetails: 'incomplete_details',
};

/** Returns `value` with camelCase keys also readable under their snake_case names. */
function snake(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  let copy: Record<string, unknown> | null = null;
  for (const key in value) {
    const target = CAMEL_TO_SNAKE[key];
    if (target !== undefined && !(target in value)) {
      copy ??= { ...(value as Record<string, unknown>) };
      copy[target] = (value as Record<string, unknown>)[key];
    }
  }
  return copy ?? value;
}

// ---------------------------------------------------------------------------------------------
// normalizeEvent
// ---------------------------------------------------------------------------------------------

const IMAGE_ITEM_TYPES = new Set(['image_generation_call', 'openrouter:image_generation']);

/** `path.to.field: message` for the first zod issue. */
function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const first = issues[0];
  if (!first) return 'invalid shape';
  const where = first.path.length > 0 ? `\`${first.path.map(String).join('.')}\`: ` : '';
  return `${where}${first.message}`;
}

function invalid(type: string, problem: string, seq: number | null): StreamErrorEvent {
  return {
    type: 'stream.error',
    fatal: false,
    sequenceNumber: seq,
    receivedAt: Date.now(),
    error: new PartialImagesError('invalid-event', `Invalid \`${type}\` event: ${problem}.`, {
      sequenceNumber: seq,
    }),
  };
}

function readSeq(raw: Record<string, unknown>): number | null {
  const value = raw.sequence_number;
  return typeof value === 'number' && Number.isInteger(value) ? value : null;
}

function providerError(body: unknown, fallbackMessage: string, seq: number | null) {
  const parsed = ErrorBodyWire.safeParse(snake(body));
  const error = parsed.success ? parsed.data : {};
  const code = error.code === undefined || error.code === null ? null : String(error.code);
  return new PartialImagesError('provider-error', error.message || fallbackMessage, {
    providerCode: code,
    providerType: error.type ?? null,
    param: error.param ?? null,
    sequenceNumber: seq,
    cause: body,
  });
}

function finalFromItem(
  raw: unknown,
  outputIndex: number | null,
): { image: FinalImage | null; id: string | null; status: string | null } {
  const parsed = ImageItemWire.safeParse(snake(raw));
  if (!parsed.success) return { image: null, id: null, status: null };
  const item = parsed.data;
  const result = item.result || item.image_b64 || item.image_url || null;
  if (!result) return { image: null, id: item.id, status: item.status ?? null };
  return {
    id: item.id,
    status: item.status ?? null,
    image: {
      itemId: item.id,
      outputIndex,
      result,
      revisedPrompt: item.revised_prompt ?? item.prompt ?? null,
      format: toImageFormat(item.output_format),
      size: parseImageSize(item.size),
    },
  };
}

/** Final images in `response.output[]`, in order, with their `output_index`. */
function imagesOfOutput(output: readonly unknown[] | null | undefined): FinalImage[] {
  const images: FinalImage[] = [];
  if (!output) return images;
  output.forEach((entry, index) => {
    const type = (entry as { type?: unknown } | null)?.type;
    if (typeof type !== 'string' || !IMAGE_ITEM_TYPES.has(type)) return;
    const { image } = finalFromItem(entry, index);
    if (image) images.push(image);
  });
  return images;
}

function imageToolEcho(tools: readonly unknown[] | null | undefined) {
  for (const tool of tools ?? []) {
    const parsed = ToolWire.safeParse(snake(tool));
    if (parsed.success && parsed.data.type === 'image_generation') {
      return {
        format: toImageFormat(parsed.data.output_format),
        size: parseImageSize(parsed.data.size),
      };
    }
  }
  return { format: null, size: null };
}

function normalizeResponseEvent(
  type: string,
  raw: Record<string, unknown>,
  seq: number | null,
  now: number,
): PartialImageEvent {
  const parsed = ResponseEventWire.safeParse(raw);
  if (!parsed.success) return invalid(type, describeIssues(parsed.error.issues), seq);
  const response = parsed.data.response;
  const responseId = response.id ?? null;
  const base = { sequenceNumber: seq, receivedAt: now, responseId };
  switch (type) {
    case 'response.completed':
      return { type, ...base, images: imagesOfOutput(response.output) };
    case 'response.incomplete':
      return {
        type,
        ...base,
        reason: response.incomplete_details?.reason ?? null,
        images: imagesOfOutput(response.output),
      };
    case 'response.failed': {
      const error = response.error;
      return {
        type,
        ...base,
        images: imagesOfOutput(response.output),
        error: new PartialImagesError('response-failed', error?.message || 'The response failed.', {
          providerCode: error?.code ?? null,
          providerType: error?.type ?? null,
          sequenceNumber: seq,
        }),
      };
    }
    default: {
      const echo = imageToolEcho(response.tools);
      return { type: 'response.created', ...base, format: echo.format, size: echo.size };
    }
  }
}

/**
 * What the Images API's partial and completed events share: no item id or output index (the
 * reducer assigns them), and a format from `media_type` (OpenRouter) or `output_format` (OpenAI).
 */
function imagesApiFields(
  event: {
    media_type?: string | null | undefined;
    output_format?: string | null | undefined;
    size?: unknown;
  },
  seq: number | null,
  now: number,
) {
  return {
    sequenceNumber: seq,
    receivedAt: now,
    itemId: null,
    outputIndex: null,
    format: toImageFormat(event.media_type) ?? toImageFormat(event.output_format),
    size: parseImageSize(event.size),
  };
}

/** A whole JSON body: a non-streamed Responses object or an Images API result. */
function normalizeBody(raw: Record<string, unknown>, now: number): PartialImageEvent | null {
  if (raw.object === 'response' && Array.isArray(raw.output)) {
    const status = typeof raw.status === 'string' ? raw.status : 'completed';
    const type =
      status === 'failed'
        ? 'response.failed'
        : status === 'incomplete'
          ? 'response.incomplete'
          : 'response.completed';
    return normalizeResponseEvent(type, { response: raw }, null, now);
  }
  if (Array.isArray(raw.data)) {
    const parsed = ImagesBodyWire.safeParse({ ...raw, data: raw.data.map(snake) });
    if (!parsed.success)
      return invalid('images response', describeIssues(parsed.error.issues), null);
    const body = parsed.data;
    const images: FinalImage[] = [];
    for (const entry of body.data) {
      const result = entry.b64_json || entry.url;
      if (!result) continue;
      images.push({
        itemId: null,
        outputIndex: null,
        result,
        revisedPrompt: entry.revised_prompt ?? null,
        format: toImageFormat(entry.media_type) ?? toImageFormat(body.output_format),
        size: parseImageSize(body.size),
      });
    }
    return {
      type: 'response.completed',
      sequenceNumber: null,
      receivedAt: now,
      responseId: null,
      images,
    };
  }
  return null;
}

/**
 * Turns one raw event into a {@link PartialImageEvent}, or `null` when it does not concern
 * images or the response's life (text deltas, reasoning, function calls, keep-alives, …).
 *
 * Never throws. An event that should concern images but fails validation comes back as a
 * non-fatal `stream.error` event with a `PartialImagesError` `invalid-event`.
 *
 * @param raw - A parsed event: a wire object, an OpenRouter SDK event (camelCase, or the
 *   `UNKNOWN` wrapper), an Images API event, or a whole non-streamed JSON response body.
 *
 * @example
 * ```ts
 * const event = normalizeEvent(JSON.parse(message.data))
 * if (event?.type === 'image.partial') console.log(event.itemId, event.partialImageIndex)
 * ```
 */
export function normalizeEvent(raw: unknown): PartialImageEvent | null {
  const now = Date.now();
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return {
      type: 'stream.error',
      fatal: false,
      sequenceNumber: null,
      receivedAt: now,
      error: new PartialImagesError(
        'invalid-event',
        `An event must be an object, got ${raw === null ? 'null' : Array.isArray(raw) ? 'an array' : typeof raw}.`,
      ),
    };
  }
  let record = raw as Record<string, unknown>;
  // The OpenRouter SDK (>= 0.12) wraps events it does not know or cannot validate.
  if (record.type === 'UNKNOWN' && record.isUnknown === true && 'raw' in record) {
    let inner = record.raw;
    if (typeof inner === 'string') {
      try {
        inner = JSON.parse(inner);
      } catch {
        return null;
      }
    }
    if (typeof inner !== 'object' || inner === null) return null;
    record = inner as Record<string, unknown>;
  }
  record = snake(record) as Record<string, unknown>;
  const type = record.type;
  const seq = readSeq(record);

  if (typeof type !== 'string') {
    if (typeof record.error === 'object' && record.error !== null) {
      return {
        type: 'error',
        sequenceNumber: seq,
        receivedAt: now,
        error: providerError(record.error, 'The provider reported an error.', seq),
      };
    }
    return normalizeBody(record, now);
  }

  switch (type) {
    case 'response.created':
    case 'response.queued':
    case 'response.in_progress':
    case 'response.completed':
    case 'response.incomplete':
    case 'response.failed':
      return normalizeResponseEvent(type, record, seq, now);

    case 'response.output_item.added':
    case 'response.output_item.done': {
      const itemType = (record.item as { type?: unknown } | null | undefined)?.type;
      if (typeof itemType !== 'string' || !IMAGE_ITEM_TYPES.has(itemType)) return null;
      const parsed = ItemEventWire.safeParse(record);
      if (!parsed.success) return invalid(type, describeIssues(parsed.error.issues), seq);
      const outputIndex = parsed.data.output_index ?? null;
      const { image, id, status } = finalFromItem(record.item, outputIndex);
      if (id === null) {
        return invalid(type, '`item.id`: expected a string', seq);
      }
      const base = { sequenceNumber: seq, receivedAt: now, itemId: id, outputIndex };
      if (type === 'response.output_item.added') return { type: 'image.added', ...base };
      // The result arriving is what makes an image final, whatever `status` says: real streams
      // send status "generating" here (PROTOCOL.md § 3.1).
      if (image) return { type: 'image.final', sequenceNumber: seq, receivedAt: now, ...image };
      if (status === 'failed') return { type: 'image.failed', ...base };
      return { type: 'image.progress', ...base, phase: 'completed' };
    }

    case 'response.image_generation_call.in_progress':
    case 'response.image_generation_call.generating':
    case 'response.image_generation_call.completed': {
      const parsed = ProgressWire.safeParse(record);
      if (!parsed.success) return invalid(type, describeIssues(parsed.error.issues), seq);
      const phase = type.slice(
        'response.image_generation_call.'.length,
      ) as ImageProgressEvent['phase'];
      return {
        type: 'image.progress',
        sequenceNumber: seq,
        receivedAt: now,
        itemId: parsed.data.item_id,
        outputIndex: parsed.data.output_index ?? null,
        phase,
      };
    }

    case 'response.image_generation_call.partial_image': {
      const parsed = PartialWire.safeParse(record);
      if (!parsed.success) return invalid(type, describeIssues(parsed.error.issues), seq);
      const event = parsed.data;
      return {
        type: 'image.partial',
        sequenceNumber: seq,
        receivedAt: now,
        itemId: event.item_id,
        outputIndex: event.output_index ?? null,
        partialImageIndex: event.partial_image_index,
        b64: event.partial_image_b64,
        format: toImageFormat(event.output_format),
        size: parseImageSize(event.size),
      };
    }

    case 'image_generation.partial_image':
    case 'image_edit.partial_image': {
      const parsed = ImagesPartialWire.safeParse(record);
      if (!parsed.success) return invalid(type, describeIssues(parsed.error.issues), seq);
      const event = parsed.data;
      return {
        type: 'image.partial',
        ...imagesApiFields(event, seq, now),
        partialImageIndex: event.partial_image_index,
        b64: event.b64_json,
      };
    }

    case 'image_generation.completed':
    case 'image_edit.completed': {
      const parsed = ImagesCompletedWire.safeParse(record);
      if (!parsed.success) return invalid(type, describeIssues(parsed.error.issues), seq);
      const event = parsed.data;
      return {
        type: 'image.final',
        ...imagesApiFields(event, seq, now),
        result: event.b64_json,
        revisedPrompt: null,
      };
    }

    case 'error':
      return {
        type: 'error',
        sequenceNumber: seq,
        receivedAt: now,
        error: providerError(
          typeof record.error === 'object' && record.error !== null ? record.error : record,
          'The provider reported an error.',
          seq,
        ),
      };

    default:
      // Any other payload with an `error` object is an error (openai-node treats it so).
      if (
        typeof record.error === 'object' &&
        record.error !== null &&
        !type.startsWith('response.')
      ) {
        return {
          type: 'error',
          sequenceNumber: seq,
          receivedAt: now,
          error: providerError(record.error, 'The provider reported an error.', seq),
        };
      }
      return null;
  }
}

/** @internal Builds a non-fatal or fatal stream error event. */
export function streamErrorEvent(error: PartialImagesError, fatal: boolean): StreamErrorEvent {
  return { type: 'stream.error', error, fatal, sequenceNumber: null, receivedAt: Date.now() };
}
