/**
 * The `'images'` filter preset, and the repeat it removes.
 *
 * A relay writes what the browser would have got from the provider itself, in the wire's
 * snake_case (the core's `toWireShape` undoes the OpenRouter SDK's camelCase and its `UNKNOWN`
 * wrapper). With the preset it keeps only what a partial-image UI needs.
 */

import { IMAGE_ITEM_TYPES, isPlainObject } from '../core/wire';

const LIFECYCLE_TYPES = new Set([
  'error',
  'response.created',
  'response.queued',
  'response.in_progress',
  'response.completed',
  'response.incomplete',
  'response.failed',
]);

/**
 * Does a partial-image UI need this wire event? Kept: `error`; the response lifecycle; every
 * `response.image_generation_call.*` event; `response.output_item.added` / `.done` of image
 * items; the Images API events (`image_generation.*`, `image_edit.*`); the AI SDK's tool outputs
 * and stream lifecycle; the Agents SDK's raw model events (judged by the event they wrap) and its
 * run items; Gemini chunks; any payload with an `error` object; and whole JSON bodies without a
 * `type` (a non-streamed response). Dropped: text and reasoning deltas, function calls,
 * keep-alives, other tools' items.
 * @internal
 */
export function isImageStreamEvent(event: unknown): boolean {
  if (!isPlainObject(event)) return false;
  const type = event.type;
  if (typeof type !== 'string') return true;
  if (LIFECYCLE_TYPES.has(type)) return true;
  if (
    type.startsWith('response.image_generation_call.') ||
    type.startsWith('image_generation.') ||
    type.startsWith('image_edit.')
  ) {
    return true;
  }
  if (type === 'response.output_item.added' || type === 'response.output_item.done') {
    const itemType = (event.item as { type?: unknown } | null | undefined)?.type;
    return typeof itemType === 'string' && IMAGE_ITEM_TYPES.has(itemType);
  }
  // The AI SDK's UI message stream: its lifecycle and tool outputs (images are told apart later).
  if (
    type === 'start' ||
    type === 'finish' ||
    type === 'abort' ||
    type === 'tool-output-available' ||
    type === 'tool-output-error'
  ) {
    return true;
  }
  if (type === 'raw_model_stream_event') {
    const data = event.data as { type?: unknown; event?: unknown } | null | undefined;
    return data?.type === 'model' && isImageStreamEvent(data.event);
  }
  if (type === 'run_item_stream_event') return true;
  return typeof event.error === 'object' && event.error !== null;
}

/**
 * Watches what the relay sent, to leave the repeat out of the terminal event: a
 * `response.completed` carries every final image again, which `output_item.done` already
 * delivered. Returns the event to write instead (`result` dropped from the images already sent),
 * or the same event. @internal
 */
export function createFinalsTracker() {
  const sent = new Set<string>();
  return (event: Record<string, unknown>): Record<string, unknown> => {
    const type = event.type;
    if (type === 'response.output_item.done') {
      const item = event.item as { id?: unknown; type?: unknown; result?: unknown } | null;
      if (typeof item?.id === 'string' && typeof item.result === 'string' && item.result !== '') {
        sent.add(item.id);
      }
      return event;
    }
    if (
      (type !== 'response.completed' &&
        type !== 'response.incomplete' &&
        type !== 'response.failed') ||
      sent.size === 0
    ) {
      return event;
    }
    const response = event.response as { output?: unknown } | null;
    if (!isPlainObject(response) || !Array.isArray(response.output)) return event;
    let changed = false;
    const output = response.output.map((entry: unknown) => {
      if (!isPlainObject(entry) || typeof entry.id !== 'string' || !sent.has(entry.id))
        return entry;
      if (typeof entry.type !== 'string' || !IMAGE_ITEM_TYPES.has(entry.type)) return entry;
      if (!('result' in entry)) return entry;
      changed = true;
      const { result: _result, ...rest } = entry;
      return rest;
    });
    return changed ? { ...event, response: { ...response, output } } : event;
  };
}
