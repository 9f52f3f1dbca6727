/**
 * `JSON.parse` for event payloads that carry megabytes of base64, read from the pieces a line
 * arrived in (`text.ts`).
 *
 * Every long string value (4 KB or more, no escape, no control character) is lifted out: it is
 * cut from the pieces as it is (one-byte, since its pieces are ASCII, whatever else the line
 * holds), replaced by a short placeholder, and put back after `JSON.parse` has read the small
 * remainder. The result is exactly what `JSON.parse` returns on the joined text: tokens are found
 * the way a JSON tokenizer finds them, only escape-free strings are moved, and any doubt (a
 * placeholder look-alike, an unterminated string) falls back to plain `JSON.parse`.
 */

import { joinPieces, PieceReader, type Pieces } from './text';

/** Payloads shorter than this go straight to `JSON.parse`. */
const FAST_PATH_MIN_LENGTH = 32 * 1024;
/** String values at least this long are lifted out. */
const LIFT_MIN_LENGTH = 4 * 1024;
/** Placeholders are `\u0000` plus a counter: absent from any payload without that escape. */
const PLACEHOLDER_ESCAPE = '\\u0000';
const CONTROL = /[\0-\x1f]/;
const BACKSLASH = 92;

function isWhitespace(c: number) {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/**
 * Parses one event payload. Equivalent to `JSON.parse(text)` on the joined pieces.
 * @throws `SyntaxError` exactly when `JSON.parse` would.
 * @internal
 */
export function parsePayload(pieces: Pieces): unknown {
  if (pieces.length < FAST_PATH_MIN_LENGTH) return JSON.parse(joinPieces(pieces));
  const text = new PieceReader(pieces);
  if (text.indexOf(PLACEHOLDER_ESCAPE, 0) !== -1) return JSON.parse(joinPieces(pieces));
  const lifted: string[] = [];
  const rest: string[] = [];
  let copiedUpTo = 0;
  let nextBackslash = text.indexOf('\\', 0);
  let pos = 0;
  for (;;) {
    const open = text.indexOf('"', pos);
    if (open === -1) break;
    // The closing quote: the next quote not escaped by an odd run of backslashes.
    let close = text.indexOf('"', open + 1);
    if (close === -1) break; // unterminated: JSON.parse reports it
    if (nextBackslash !== -1 && nextBackslash < open) nextBackslash = text.indexOf('\\', open);
    if (nextBackslash !== -1 && nextBackslash < close) {
      while (close !== -1) {
        let k = close - 1;
        while (text.charCodeAt(k) === BACKSLASH) k--;
        if ((close - 1 - k) % 2 === 0) break;
        close = text.indexOf('"', close + 1);
      }
      if (close === -1) break;
    } else if (close - open - 1 >= LIFT_MIN_LENGTH) {
      // Lift values only: a key is followed by a colon.
      let after = close + 1;
      while (after < text.length && isWhitespace(text.charCodeAt(after))) after++;
      if (text.charCodeAt(after) !== 58) {
        // Checked part by part, before the join: faster than one test of the joined copy.
        const parts = text.sliceParts(open + 1, close, true);
        if (!parts.some((part) => CONTROL.test(part))) {
          rest.push(text.slice(copiedUpTo, open + 1), PLACEHOLDER_ESCAPE, String(lifted.length));
          lifted.push(parts.length === 1 ? (parts[0] as string) : parts.join(''));
          copiedUpTo = close;
        }
      }
    }
    pos = close + 1;
  }
  if (lifted.length === 0) return JSON.parse(joinPieces(pieces));
  rest.push(text.slice(copiedUpTo, text.length));
  const value: unknown = JSON.parse(rest.join(''));
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
