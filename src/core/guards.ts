/** Shape checks for the sources the core and the server relay read. Structural, not `instanceof`:
 * a `Response` or stream may come from another realm or a polyfill. @internal */

/** A promise, or anything with a `then` (the openai SDK's `APIPromise`). */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}

/** A fetch `Response`. */
export function isResponseLike(value: unknown): value is Response {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Response).arrayBuffer === 'function' &&
    typeof (value as Response).status === 'number' &&
    'body' in value
  );
}

/** A `ReadableStream` (of bytes, text or parsed events). */
export function isReadableStream(value: unknown): value is ReadableStream<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ReadableStream).getReader === 'function'
  );
}

/** An async iterable (the openai SDK's `Stream`, an async generator). */
export function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/** A synchronous iterable object (an array of events); strings do not count. */
export function isSyncIterable(value: unknown): value is Iterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.iterator in value;
}
