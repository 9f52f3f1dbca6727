/**
 * Small facts about the wire shapes, shared by the normaliser (core) and the relay (server):
 * how the OpenRouter SDK's camelCase keys map back to the wire's
 * snake_case, how its `UNKNOWN` wrapper is undone, and which output items are images.
 * See WIRE.md § 2 (OpenRouter SDK) and § 3 (output items). @internal
 */

import { asRecord, isPlainObject } from './record';

export { asRecord, isPlainObject };

/** The output item types that carry a generated image. @internal */
export const IMAGE_ITEM_TYPES: ReadonlySet<string> = new Set([
  'image_generation_call',
  'openrouter:image_generation',
]);

/** `camelCase` → `camel_case`. @internal */
export function toSnakeKey(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/**
 * The event the OpenRouter SDK (>= 0.12) wrapped as `{ type: 'UNKNOWN', isUnknown: true, raw }`
 * because it did not know or could not validate it: the untouched wire object (`raw` text is
 * parsed as JSON when it can be). Anything else comes back as it is. @internal
 */
export function unwrapUnknown(value: unknown): unknown {
  if (!isPlainObject(value) || value.type !== 'UNKNOWN' || value.isUnknown !== true) return value;
  if (!('raw' in value)) return value;
  const raw = value.raw;
  if (typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

/**
 * Keys whose value is free-form data (user metadata, JSON Schema, HTTP headers): the SDK passes
 * their contents through untouched, so their own keys are the user's and stay as they are.
 */
const FREE_FORM_KEYS = new Set(['metadata', 'headers', 'parameters', 'schema', 'input_schema']);
const UPPER = /[A-Z]/;

/**
 * Is this an OpenRouter SDK event (camelCase keys at the top, and none with an underscore)?
 * Every wire event has a snake_case key at the top (`sequence_number`, `b64_json`, …), so deciding
 * once per event leaves wire events byte for byte untouched, even the camelCase keys some of them
 * carry deeper down. @internal
 */
export function isCamelCaseEvent(event: Record<string, unknown>): boolean {
  let camel = false;
  for (const key of Object.keys(event)) {
    if (key.includes('_')) return false;
    if (UPPER.test(key)) camel = true;
  }
  return camel;
}

/**
 * A copy of `value` with every camelCase key renamed to snake_case, recursively, except inside
 * free-form values. A snake_case twin already present wins (the camelCase key is then kept too,
 * rather than lose a value). Never mutates `value`. @internal
 */
export function snakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeKeys);
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    let target = UPPER.test(key) ? toSnakeKey(key) : key;
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
 * An SDK event in the provider's wire shape: the OpenRouter SDK's `UNKNOWN` wrapper unwrapped,
 * its camelCase keys renamed back to snake_case; anything else (the openai SDK's events, parsed
 * wire JSON) is returned as it is, the same object. @internal
 */
export function toWireShape(event: unknown): unknown {
  const value = unwrapUnknown(event);
  return isPlainObject(value) && isCamelCaseEvent(value) && isRenamedWireEvent(value)
    ? snakeKeys(value)
    : value;
}

/**
 * Is this camelCase event a snake_case wire event that an SDK renamed (OpenRouter's), rather
 * than one whose own wire is camelCase (the AI SDK's UI message chunks, Gemini's chunks)?
 */
function isRenamedWireEvent(event: Record<string, unknown>): boolean {
  const type = event.type;
  if (typeof type !== 'string') {
    // A whole result (OpenRouter's `OpenResponsesResult`), not a Gemini chunk.
    return !('candidates' in event) && !('promptFeedback' in event);
  }
  if (type === 'error') return !('errorText' in event);
  return (
    type.startsWith('response.') ||
    type.startsWith('image_generation.') ||
    type.startsWith('image_edit.')
  );
}
