/**
 * `JSON.parse` for event payloads that carry megabytes of base64.
 *
 * `JSON.parse` looks at every character of a 1.4 MB `partial_image_b64` string to find escapes.
 * When the SSE scanner has already proved the line free of control characters, a string token
 * with no backslash in it can be lifted out with two `indexOf` calls (which run at memory speed),
 * replaced by a short placeholder, and put back after parsing the small remainder. The result is
 * exactly what `JSON.parse` returns: tokens are found the way a JSON tokenizer finds them, only
 * escape-free string contents are moved, and any doubt (escapes, a placeholder look-alike) falls
 * back to plain `JSON.parse`.
 */

/** Payloads shorter than this go straight to `JSON.parse`. */
const FAST_PATH_MIN_LENGTH = 32 * 1024;
/** String values at least this long are lifted out. */
const LIFT_MIN_LENGTH = 4 * 1024;
/** Placeholders are `\u0000` plus a counter: absent from any payload without that escape. */
const PLACEHOLDER_ESCAPE = '\\u0000';

const BACKSLASH = 92;

function isWhitespace(c: number) {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/**
 * Parses one event payload. Equivalent to `JSON.parse(text)`.
 *
 * @param text - The `data` of an SSE message.
 * @param clean - `true` only when `text` is known to hold no control character (U+0000–U+001F),
 *   as the SSE scanner reports; otherwise the fast path is skipped.
 * @throws `SyntaxError` exactly when `JSON.parse` would.
 * @internal
 */
export function parseEventData(text: string, clean = false): unknown {
  if (!clean || text.length < FAST_PATH_MIN_LENGTH || text.includes(PLACEHOLDER_ESCAPE)) {
    return JSON.parse(text);
  }
  const lifted: string[] = [];
  let rebuilt = '';
  let copiedUpTo = 0;
  let nextBackslash = text.indexOf('\\');
  let pos = 0;
  for (;;) {
    const open = text.indexOf('"', pos);
    if (open === -1) break;
    // Find the closing quote: the next quote not escaped by an odd run of backslashes.
    let close = text.indexOf('"', open + 1);
    if (close === -1) break; // unterminated: JSON.parse reports it
    if (nextBackslash !== -1 && nextBackslash < open) nextBackslash = text.indexOf('\\', open);
    const escaped = nextBackslash !== -1 && nextBackslash < close;
    if (escaped) {
      while (close !== -1) {
        let k = close - 1;
        while (text.charCodeAt(k) === BACKSLASH) k--;
        if ((close - 1 - k) % 2 === 0) break;
        close = text.indexOf('"', close + 1);
      }
      if (close === -1) break;
    } else if (close - open - 1 >= LIFT_MIN_LENGTH) {
      // Lift only values: a key is followed by a colon.
      let after = close + 1;
      while (after < text.length && isWhitespace(text.charCodeAt(after))) after++;
      if (text.charCodeAt(after) !== 58) {
        rebuilt += `${text.slice(copiedUpTo, open + 1)}${PLACEHOLDER_ESCAPE}${lifted.length}`;
        lifted.push(text.slice(open + 1, close));
        copiedUpTo = close;
      }
    }
    pos = close + 1;
  }
  if (lifted.length === 0) return JSON.parse(text);
  const value: unknown = JSON.parse(rebuilt + text.slice(copiedUpTo));
  return restore(value, lifted, { found: 0 });
}

function restore(value: unknown, lifted: string[], progress: { found: number }): unknown {
  if (typeof value === 'string') {
    if (value.charCodeAt(0) === 0) {
      const index = Number(value.slice(1));
      const original = lifted[index];
      if (original !== undefined && value === `\u0000${index}`) {
        progress.found++;
        return original;
      }
    }
    return value;
  }
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length && progress.found < lifted.length; i++) {
      const item = value[i];
      if (typeof item === 'object' || typeof item === 'string') {
        value[i] = restore(item, lifted, progress);
      }
    }
    return value;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (progress.found >= lifted.length) break;
    const item = record[key];
    if (typeof item === 'object' || typeof item === 'string') {
      const restored = restore(item, lifted, progress);
      if (restored !== item) {
        // defineProperty: a plain assignment to "__proto__" would set the prototype instead.
        Object.defineProperty(record, key, {
          value: restored,
          writable: true,
          enumerable: true,
          configurable: true,
        });
      }
    }
  }
  return value;
}
