/**
 * The boundary: whatever a provider or SDK yields goes in, a small typed event comes out.
 *
 * Shapes read (WIRE.md has each with its public source): the OpenAI / OpenRouter Responses wire
 * (snake_case), the OpenRouter SDK's camelCase events and its `UNKNOWN` wrapper, the Images API
 * events (`image_generation.*`, `image_edit.*`, also on Responses streams as LiteLLM and Azure
 * send them), flat and nested `error` events, terminal `response.*` events, whole JSON bodies,
 * and, each in its own file, the Vercel AI SDK's UI message stream chunks (`aiSdk.ts`), the OpenAI
 * Agents SDK's run events (`agents.ts`) and Gemini's `streamGenerateContent` chunks (`gemini.ts`).
 * zod validates here (and in those files) and nowhere deeper.
 *
 * Lenient where the wire is unreliable: a metadata field of the wrong type (a `sequence_number`
 * that is a string, `NaN` or a float; an `output_index` that is not an integer) is ignored, not a
 * reason to lose the event. Only a missing payload (no base64 on a partial image) makes an event
 * invalid.
 */

import * as z from 'zod/mini';
import { AGENT_EVENTS, classifyAgentEvent } from './agents';
import { AI_SDK_CHUNKS, classifyUiChunk } from './aiSdk';
import {
  type Classified,
  describeIssues,
  errorEvent,
  IGNORED,
  invalid,
  known,
  loose,
  looseString,
  UNKNOWN,
} from './classified';
import { PartialImagesError } from './errors';
import type { FinalImage, PartialImageEvent } from './events';
import { classifyGeminiChunk } from './gemini';
import { type ImageFormat, toImageFormat } from './mime';
import { detectImage, parseImageSize } from './sniff';
import {
  asRecord,
  IMAGE_ITEM_TYPES,
  isCamelCaseEvent,
  isPlainObject,
  snakeKeys,
  toWireShape,
} from './wire';

// ---------------------------------------------------------------------------------------------
// Schemas (snake_case: camelCase input is renamed first)
// ---------------------------------------------------------------------------------------------

const looseIndex = loose(z.int().check(z.nonnegative()));

const ProgressWire = z.object({ item_id: looseString, output_index: looseIndex });

const PartialWire = z.object({
  item_id: looseString,
  output_index: looseIndex,
  partial_image_b64: z.string(),
  partial_image_index: looseIndex,
  output_format: looseString,
  size: z.optional(z.unknown()),
});

const ImageItemWire = z.object({
  id: looseString,
  type: z.string(),
  status: looseString,
  result: looseString,
  image_b64: looseString,
  image_url: looseString,
  revised_prompt: looseString,
  prompt: looseString,
  output_format: looseString,
  size: z.optional(z.unknown()),
});

const ToolWire = z.object({
  type: looseString,
  output_format: looseString,
  size: z.optional(z.unknown()),
});

const ResponseWire = z.object({
  id: looseString,
  status: looseString,
  tools: loose(z.array(z.unknown())),
  output: loose(z.array(z.unknown())),
  error: loose(z.object({ code: looseString, message: looseString, type: looseString })),
  incomplete_details: loose(z.object({ reason: looseString })),
});

const ImagesEventWire = z.object({
  b64_json: z.string(),
  partial_image_index: looseIndex,
  output_format: looseString,
  media_type: looseString,
  size: z.optional(z.unknown()),
});

const ImagesBodyWire = z.object({
  data: z.array(
    z.object({
      b64_json: looseString,
      url: looseString,
      revised_prompt: looseString,
      media_type: looseString,
    }),
  ),
  output_format: looseString,
  size: z.optional(z.unknown()),
});

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/** The `sequence_number`, when it is a non-negative safe integer; anything else is ignored. */
export function readSequenceNumber(raw: Record<string, unknown>): number | null {
  const value = raw.sequence_number ?? raw.sequenceNumber;
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null;
}

function finalFromItem(raw: unknown, outputIndex: number | null) {
  // OpenRouter's own `openrouter:image_generation` item is camelCase on the wire (`imageUrl`).
  const record = asRecord(raw);
  const parsed = ImageItemWire.safeParse(
    record && isCamelCaseEvent(record) ? snakeKeys(record) : raw,
  );
  if (!parsed.success) return null;
  const item = parsed.data;
  const result = item.result || item.image_b64 || item.image_url || null;
  const image: FinalImage | null = result
    ? {
        itemId: item.id,
        outputIndex,
        result,
        revisedPrompt: item.revised_prompt ?? item.prompt ?? null,
        format: toImageFormat(item.output_format),
        size: parseImageSize(item.size),
      }
    : null;
  return { id: item.id, status: item.status, image };
}

/** Final images in `response.output[]`, with their `output_index`. */
function imagesOfOutput(output: readonly unknown[] | null): FinalImage[] {
  const images: FinalImage[] = [];
  output?.forEach((entry, index) => {
    const type = (entry as { type?: unknown } | null)?.type;
    if (typeof type !== 'string' || !IMAGE_ITEM_TYPES.has(type)) return;
    const image = finalFromItem(entry, index)?.image;
    if (image) images.push(image);
  });
  return images;
}

function imageToolEcho(tools: readonly unknown[] | null) {
  for (const tool of tools ?? []) {
    const parsed = ToolWire.safeParse(toWireShape(tool));
    if (parsed.success && parsed.data.type === 'image_generation') {
      return {
        format: toImageFormat(parsed.data.output_format),
        size: parseImageSize(parsed.data.size),
      };
    }
  }
  return { format: null, size: null };
}

function responseEvent(
  type: string,
  raw: Record<string, unknown>,
  seq: number | null,
  now: number,
): PartialImageEvent {
  const parsed = ResponseWire.safeParse(toWireShape(raw.response));
  if (!parsed.success)
    return invalid(type, `\`response\`: ${describeIssues(parsed.error.issues)}`, seq);
  const response = parsed.data;
  const base = { sequenceNumber: seq, receivedAt: now, responseId: response.id };
  const images = () => imagesOfOutput(response.output);
  switch (type) {
    case 'response.completed':
      return { type, ...base, images: images() };
    case 'response.incomplete':
      return {
        type,
        ...base,
        reason: response.incomplete_details?.reason ?? null,
        images: images(),
      };
    case 'response.failed': {
      const error = response.error;
      return {
        type,
        ...base,
        images: images(),
        error: new PartialImagesError('response-failed', error?.message || 'The response failed.', {
          providerCode: error?.code ?? null,
          providerType: error?.type ?? null,
          sequenceNumber: seq,
        }),
      };
    }
    default: {
      const echo = imageToolEcho(response.tools);
      return { type: 'response.created', ...base, ...echo };
    }
  }
}

/** The fields an Images API event (OpenAI, OpenRouter, LiteLLM, Azure) shares. */
function imagesApiEvent(
  type: string,
  raw: Record<string, unknown>,
  seq: number | null,
  now: number,
) {
  const parsed = ImagesEventWire.safeParse(raw);
  if (!parsed.success) return invalid(type, describeIssues(parsed.error.issues), seq);
  const event = parsed.data;
  const fields = {
    sequenceNumber: seq,
    receivedAt: now,
    itemId: null,
    outputIndex: null,
    format: toImageFormat(event.media_type) ?? toImageFormat(event.output_format),
    size: parseImageSize(event.size),
  };
  if (type.endsWith('.partial_image')) {
    return {
      type: 'image.partial' as const,
      ...fields,
      partialImageIndex: event.partial_image_index,
      b64: event.b64_json,
    };
  }
  return { type: 'image.final' as const, ...fields, result: event.b64_json, revisedPrompt: null };
}

/** A whole JSON body: a non-streamed Responses object, an Images API result, or a Gemini chunk. */
function body(raw: Record<string, unknown>, now: number): Classified {
  if (raw.object === 'response' && Array.isArray(raw.output)) {
    const status = typeof raw.status === 'string' ? raw.status : 'completed';
    const type =
      status === 'failed'
        ? 'response.failed'
        : status === 'incomplete'
          ? 'response.incomplete'
          : 'response.completed';
    return known(responseEvent(type, { response: raw }, null, now));
  }
  if (Array.isArray(raw.data)) {
    const parsed = ImagesBodyWire.safeParse({ ...raw, data: raw.data.map(toWireShape) });
    if (!parsed.success) {
      return known(invalid('images response', describeIssues(parsed.error.issues), null));
    }
    const images: FinalImage[] = [];
    for (const entry of parsed.data.data) {
      const result = entry.b64_json || entry.url;
      if (!result) continue;
      images.push({
        itemId: null,
        outputIndex: null,
        result,
        revisedPrompt: entry.revised_prompt,
        format: toImageFormat(entry.media_type) ?? toImageFormat(parsed.data.output_format),
        size: parseImageSize(parsed.data.size),
      });
    }
    return known({
      type: 'response.completed',
      sequenceNumber: null,
      receivedAt: now,
      responseId: null,
      images,
    });
  }
  if (Array.isArray(raw.candidates) || isPlainObject(raw.promptFeedback))
    return classifyGeminiChunk(raw, now);
  if (isPlainObject(raw.error)) return known(errorEvent(raw.error, null, now));
  return UNKNOWN;
}

// ---------------------------------------------------------------------------------------------
// classifyEvent / normalizeEvent
// ---------------------------------------------------------------------------------------------

function detectAll(images: readonly FinalImage[]): FinalImage[] {
  return images.map((image) =>
    image.detected ? image : { ...image, detected: detectImage(image.result) },
  );
}

/** The event with what its images' bytes say attached (`detected`), once. @internal */
export function withDetection(event: PartialImageEvent): PartialImageEvent {
  switch (event.type) {
    case 'image.partial':
      return event.detected ? event : { ...event, detected: detectImage(event.b64) };
    case 'image.final':
      return event.detected ? event : { ...event, detected: detectImage(event.result) };
    case 'response.images':
    case 'response.completed':
    case 'response.incomplete':
    case 'response.failed':
      return event.images.length === 0 ? event : { ...event, images: detectAll(event.images) };
    default:
      return event;
  }
}

/**
 * Classifies one raw event: its normalised form (or `null` when it does not concern images or
 * the response's life), and whether it was recognisable at all; what the images' bytes say is
 * read here too (their format and size), where the parsing happens (in the Worker, when there
 * is one). Never throws. @internal
 */
export function classifyEvent(raw: unknown): Classified {
  const classified = classifyRaw(raw);
  return classified.event === null
    ? classified
    : { ...classified, event: withDetection(classified.event) };
}

function classifyRaw(raw: unknown): Classified {
  const now = Date.now();
  const plain = asRecord(raw);
  if (plain === null) {
    return {
      known: false,
      event: {
        type: 'stream.error',
        fatal: false,
        sequenceNumber: null,
        receivedAt: now,
        error: new PartialImagesError(
          'invalid-event',
          `An event must be an object, got ${raw === null ? 'null' : Array.isArray(raw) ? 'an array' : typeof raw}.`,
        ),
      },
    };
  }
  const record = toWireShape(plain);
  if (!isPlainObject(record)) return UNKNOWN;
  const type = record.type;
  const seq = readSequenceNumber(record);
  if (typeof type !== 'string') return body(record, now);

  switch (type) {
    case 'response.created':
    case 'response.queued':
    case 'response.in_progress':
    case 'response.completed':
    case 'response.incomplete':
    case 'response.failed':
      return known(responseEvent(type, record, seq, now));

    case 'response.output_item.added':
    case 'response.output_item.done': {
      const itemType = isPlainObject(record.item) ? record.item.type : undefined;
      if (typeof itemType !== 'string' || !IMAGE_ITEM_TYPES.has(itemType)) return IGNORED;
      const outputIndex = looseIndex.parse(record.output_index ?? null);
      const item = finalFromItem(record.item, outputIndex);
      if (item === null || item.id === null)
        return known(invalid(type, '`item.id`: expected a string', seq));
      const base = { sequenceNumber: seq, receivedAt: now, itemId: item.id, outputIndex };
      if (type === 'response.output_item.added') return known({ type: 'image.added', ...base });
      // The result arriving is what makes an image final, whatever `status` says: real streams
      // send status "generating" here (WIRE.md § 3).
      if (item.image) {
        return known({ type: 'image.final', sequenceNumber: seq, receivedAt: now, ...item.image });
      }
      if (item.status === 'failed') return known({ type: 'image.failed', ...base });
      return known({ type: 'image.progress', ...base, phase: 'completed' });
    }

    case 'response.image_generation_call.in_progress':
    case 'response.image_generation_call.generating':
    case 'response.image_generation_call.completed': {
      const parsed = ProgressWire.safeParse(record);
      if (!parsed.success || parsed.data.item_id === null) {
        return known(invalid(type, '`item_id`: expected a string', seq));
      }
      return known({
        type: 'image.progress',
        sequenceNumber: seq,
        receivedAt: now,
        itemId: parsed.data.item_id,
        outputIndex: parsed.data.output_index,
        phase: type.slice(31) as 'in_progress' | 'generating' | 'completed',
      });
    }

    case 'response.image_generation_call.partial_image': {
      const parsed = PartialWire.safeParse(record);
      if (!parsed.success) return known(invalid(type, describeIssues(parsed.error.issues), seq));
      const event = parsed.data;
      return known({
        type: 'image.partial',
        sequenceNumber: seq,
        receivedAt: now,
        itemId: event.item_id,
        outputIndex: event.output_index,
        partialImageIndex: event.partial_image_index,
        b64: event.partial_image_b64,
        format: toImageFormat(event.output_format),
        size: parseImageSize(event.size),
      });
    }

    case 'image_generation.partial_image':
    case 'image_edit.partial_image':
    case 'image_generation.completed':
    case 'image_edit.completed':
      return known(imagesApiEvent(type, record, seq, now));

    case 'error':
      // The AI SDK's error chunk has `errorText`; the Responses and Images APIs an error body.
      if (typeof record.errorText === 'string' && !('error' in record)) {
        return classifyUiChunk(type, record, now);
      }
      return known(errorEvent(isPlainObject(record.error) ? record.error : record, seq, now));

    default:
      if (
        type.startsWith('response.') ||
        type.startsWith('image_generation.') ||
        type === 'keepalive'
      ) {
        return IGNORED;
      }
      if (AI_SDK_CHUNKS.has(type) || type.startsWith('data-'))
        return classifyUiChunk(type, record, now);
      if (AGENT_EVENTS.has(type)) return classifyAgentEvent(record, now, classifyEvent);
      // Any other payload with an `error` object is an error (openai-node treats it so).
      if (isPlainObject(record.error)) return known(errorEvent(record.error, seq, now));
      return UNKNOWN;
  }
}

/**
 * Turns one raw event into a {@link PartialImageEvent}, or `null` when it does not concern
 * images or the response's life (text deltas, reasoning, function calls, keep-alives, …).
 *
 * Never throws. An event that should concern images but has no usable payload comes back as a
 * non-fatal `stream.error` event with a `PartialImagesError` `invalid-event`; a metadata field of
 * the wrong type (a corrupt `sequence_number`) is ignored instead.
 *
 * @param raw - A parsed event: a Responses or Images API wire object, an OpenRouter SDK event
 *   (camelCase, or its `UNKNOWN` wrapper), an AI SDK UI message chunk, an Agents SDK run event, a
 *   Gemini chunk, or a whole non-streamed JSON body.
 *
 * @example
 * ```ts
 * const event = normalizeEvent(JSON.parse(message.data))
 * if (event?.type === 'image.partial') console.log(event.itemId, event.partialImageIndex)
 * ```
 */
export function normalizeEvent(raw: unknown): PartialImageEvent | null {
  try {
    return classifyEvent(raw).event;
  } catch (error) {
    // Only a hostile object (a throwing getter) gets here.
    return {
      type: 'stream.error',
      fatal: false,
      sequenceNumber: null,
      receivedAt: Date.now(),
      error: new PartialImagesError('invalid-event', 'An event could not be read.', {
        cause: error,
      }),
    };
  }
}

export type { ImageFormat };
