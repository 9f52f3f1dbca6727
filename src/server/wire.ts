/**
 * Events back into the provider's wire shape, and the `'images'` filter preset.
 *
 * The openai SDK yields events exactly as they came off the wire (snake_case). The OpenRouter SDK
 * does not: it renames every key it knows to camelCase, all the way down (`sequenceNumber`,
 * `response.createdAt`, `tools[].outputFormat`), drops the keys it does not know, and wraps the
 * events it cannot validate as `{ type: 'UNKNOWN', isUnknown: true, raw }` (PROTOCOL.md § 9).
 * A relay writes what the browser would have got from the provider itself, so both are undone
 * here: the wrapper is unwrapped to its `raw` (the untouched wire object), and camelCase keys are
 * turned back into snake_case. The stripped keys cannot be recovered.
 */

// ---------------------------------------------------------------------------------------------
// toWireEvent
// ---------------------------------------------------------------------------------------------

/**
 * Keys whose value is free-form data (user metadata, JSON Schema, HTTP headers): the SDK passes
 * their contents through untouched, so their own keys (`userId`, `additionalProperties`) are the
 * user's and stay as they are.
 */
const FREE_FORM_KEYS = new Set(['metadata', 'headers', 'parameters', 'schema', 'input_schema']);

const UPPER = /[A-Z]/;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function toSnakeKey(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/**
 * Is this a camelCase (SDK) event? Every wire event has a snake_case key at the top
 * (`sequence_number`, `b64_json`, `created_at`, …); an SDK event has camelCase ones and none with
 * an underscore. Deciding once per event keeps wire events byte-for-byte untouched, even the
 * camelCase keys some of them legitimately carry deeper down.
 */
function isCamelCaseEvent(event: Record<string, unknown>): boolean {
  let camel = false;
  for (const key of Object.keys(event)) {
    if (key.includes('_')) return false;
    if (UPPER.test(key)) camel = true;
  }
  return camel;
}

function snakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeKeys);
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    let target = UPPER.test(key) ? toSnakeKey(key) : key;
    // A snake_case twin already present wins; keep the camelCase key rather than lose a value.
    if (target !== key && Object.hasOwn(value, target)) target = key;
    const item = value[key];
    // defineProperty: a plain assignment to "__proto__" would set the prototype instead.
    Object.defineProperty(out, target, {
      value: FREE_FORM_KEYS.has(target) ? item : snakeKeys(item),
      writable: true,
      enumerable: true,
      configurable: true,
    });
  }
  return out;
}

/**
 * Returns an SDK event in the provider's wire shape, as the browser would have received it from
 * the provider directly.
 *
 * - The OpenRouter SDK's `{ type: 'UNKNOWN', isUnknown: true, raw }` wrapper becomes its `raw`
 *   event (the untouched wire object; `raw` text is parsed as JSON when it can be).
 * - An OpenRouter SDK event (camelCase keys at the top, none with an underscore) gets every key
 *   renamed back to snake_case, recursively, except inside free-form values (`metadata`,
 *   `headers`, `parameters`, `schema`), which the SDK does not rename either. Fields the SDK
 *   stripped (`output_format` on partial images, `revised_prompt` on items) stay lost.
 * - Anything else (openai SDK events, parsed wire JSON) is returned as is, the same object.
 *
 * Called by {@link toSSEStream} on every parsed event; exported for custom relays.
 *
 * @param event - One event from an SDK stream, or a parsed wire event.
 * @returns The wire-shaped event. Never mutates `event`.
 *
 * @example
 * ```ts
 * toWireEvent({ type: 'response.image_generation_call.partial_image', itemId: 'ig_1',
 *   outputIndex: 1, partialImageIndex: 0, partialImageB64: 'iVBOR…', sequenceNumber: 7 })
 * // → { type: '…partial_image', item_id: 'ig_1', output_index: 1, partial_image_index: 0,
 * //     partial_image_b64: 'iVBOR…', sequence_number: 7 }
 * ```
 */
export function toWireEvent(event: unknown): unknown {
  if (!isPlainObject(event)) return event;
  if (event.type === 'UNKNOWN' && event.isUnknown === true && 'raw' in event) {
    const raw = event.raw;
    if (typeof raw !== 'string') return raw;
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      return raw;
    }
  }
  return isCamelCaseEvent(event) ? snakeKeys(event) : event;
}

// ---------------------------------------------------------------------------------------------
// The 'images' preset
// ---------------------------------------------------------------------------------------------

const LIFECYCLE_TYPES = new Set([
  'error',
  'response.created',
  'response.queued',
  'response.in_progress',
  'response.completed',
  'response.incomplete',
  'response.failed',
]);

const IMAGE_ITEM_TYPES = new Set(['image_generation_call', 'openrouter:image_generation']);

/**
 * The `'images'` filter preset: keeps what a partial-image UI needs and drops the rest (text and
 * reasoning deltas, function calls, `keepalive` events, other tools' items).
 *
 * Kept: `error`; the response lifecycle (`response.created`, `.queued`, `.in_progress`,
 * `.completed`, `.incomplete`, `.failed`); every `response.image_generation_call.*` event;
 * `response.output_item.added` / `.done` of image items; the Images API events
 * (`image_generation.*`, `image_edit.*`); any payload with an `error` object; and whole JSON
 * bodies without a `type` (a non-streamed response).
 *
 * @param event - A wire-shaped event (as {@link toWireEvent} returns it).
 *
 * @example
 * ```ts
 * // The preset plus the text of the assistant's message:
 * toSSEResponse(stream, {
 *   filter: (event) => isImageStreamEvent(event) || event.type === 'response.output_text.delta',
 * })
 * ```
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
  return typeof event.error === 'object' && event.error !== null;
}
