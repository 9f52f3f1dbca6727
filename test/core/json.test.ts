import { serialize } from 'node:v8';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { parsePayload } from '../../src/core/json';
import { emptyPieces, type Pieces, pushPiece } from '../../src/core/text';
import { fakeBase64 } from '../fixtures/streams';

vi.mock('react', () => ({}));

const big = (n: number, seed = 1) => fakeBase64(n, 'UklGRuIWGQBXRUJQ', seed);

/**
 * `text` as the pieces the SSE scanner holds: its UTF-8 bytes cut every `size` bytes, each chunk
 * decoded on its own by a streaming TextDecoder, the non-ASCII ones marked wide.
 */
function piecesOf(text: string, size = 65_536): Pieces {
  const bytes = new TextEncoder().encode(text);
  const decoder = new TextDecoder();
  const pieces = emptyPieces();
  for (let i = 0; i < bytes.length; i += size) {
    const chunk = bytes.subarray(i, i + size);
    const part = decoder.decode(chunk, { stream: true });
    pushPiece(pieces, part, part.length !== chunk.length);
  }
  pushPiece(pieces, decoder.decode(), true);
  return pieces;
}

/** Is this string stored one byte per character? (V8's serializer tags the two kinds apart.) */
function isOneByte(value: string): boolean {
  return serialize(value)[2] === 0x22; // '"': a one-byte string; 'c': a two-byte one
}

/** JSON.parse's verdict, as a comparable value. */
function outcome(parse: () => unknown) {
  try {
    return { ok: true, value: parse() };
  } catch (error) {
    return { ok: false, error: (error as Error).name };
  }
}

describe('parsePayload', () => {
  it('lifts megabyte base64 strings out and returns what JSON.parse returns', () => {
    const b64 = big(1_400_000);
    const text = JSON.stringify({
      type: 'response.image_generation_call.partial_image',
      item_id: 'ig_1',
      partial_image_b64: b64,
      nested: { result: big(50_000, 2), list: [big(40_000, 3), 'small', 1] },
      size: '1536x1024',
    });
    for (const size of [65_536, 4_099, 1_400_000, 3_000_000]) {
      const value = parsePayload(piecesOf(text, size)) as Record<string, unknown>;
      expect(value).toEqual(JSON.parse(text));
      expect(value.partial_image_b64).toBe(b64);
    }
  });

  it('keeps the base64 one-byte when the line holds non-ASCII text (an em dash, an emoji)', () => {
    const b64 = big(300_000);
    const text = JSON.stringify({
      type: 'response.output_item.done',
      item: { revised_prompt: 'A lighthouse — at “dusk” 🌅', result: b64, id: 'ig_1' },
    });
    expect(isOneByte(text)).toBe(false); // the joined line would be two-byte
    // Cut so that a wide chunk also holds the start and the end of the base64.
    for (const size of [65_536, 10_007]) {
      const value = parsePayload(piecesOf(text, size)) as { item: { result: string } };
      expect(value).toEqual(JSON.parse(text));
      expect(isOneByte(value.item.result)).toBe(true);
    }
  });

  it('keeps escapes exact: a value holding \\/ (as PHP encoders write) is decoded', () => {
    const escaped = big(40_000).replaceAll('/', '\\/');
    const text = `{"result":"${escaped}","b":"${big(40_000, 5)}"}`;
    expect(parsePayload(piecesOf(text, 7_001))).toEqual(JSON.parse(text));
  });

  it('keeps non-ASCII text and whitespace around keys exact', () => {
    const text = `{ "prompt" : "日本語 \\u00e9 é" ,\n "result" : "${big(70_000)}" , "k":{"r":"${big(9_000, 4)}"}}`;
    expect(parsePayload(piecesOf(text, 5_003))).toEqual(JSON.parse(text));
  });

  it('does not lift keys, and writes "__proto__" as an own property', () => {
    const key = big(40_000);
    const text = `{"${key}":1,"__proto__":"${big(40_000, 7)}"}`;
    const value = parsePayload(piecesOf(text)) as Record<string, unknown>;
    expect(value).toEqual(JSON.parse(text));
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.hasOwn(value, '__proto__')).toBe(true);
  });

  it('is not fooled by payloads that already hold \\u0000', () => {
    const text = `{"a":"\\u00000","b":"${big(40_000)}"}`;
    expect(parsePayload(piecesOf(text))).toEqual(JSON.parse(text));
  });

  it('throws exactly when JSON.parse throws (truncated, raw control characters, bad tokens)', () => {
    const cases = [
      `{"result":"${big(40_000)}`,
      `{"result":"${big(40_000)}"`,
      `{"result":"${big(40_000)}" "x":1}`,
      `{"result":${big(40_000)}"}`,
      `x{"result":"${big(40_000)}"}`,
      `{"result":"${big(20_000)}\t${big(20_000)}"}`,
      `{"result":"${big(20_000)}\u0001${big(20_000)}"}`,
    ];
    for (const text of cases) {
      expect(outcome(() => parsePayload(piecesOf(text, 9_001)))).toEqual(
        outcome(() => JSON.parse(text)),
      );
    }
  });

  it('agrees with JSON.parse on generated documents with big strings, however they are cut', () => {
    const bigString = fc.oneof(
      fc.nat({ max: 1000 }).map((seed) => big(5_000 + seed * 13, seed)),
      fc
        .nat({ max: 1000 })
        .map((seed) => big(5_000, seed).replace('A', '\\"').replace('B', '\\\\')),
      fc.nat({ max: 1000 }).map((seed) => `${big(3_000, seed)}—${big(3_000, seed + 1)}`),
      fc.string({ maxLength: 20 }),
    );
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        bigString,
        fc.integer(),
        fc.constant(null),
        fc.boolean(),
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(fc.string({ maxLength: 8 }), tie('value'), { maxKeys: 4 }),
      ),
    })).value;
    fc.assert(
      fc.property(
        json,
        fc.boolean(),
        fc.integer({ min: 1, max: 50_000 }),
        (value, pretty, size) => {
          const text = JSON.stringify({ pad: big(33_000), value }, null, pretty ? 1 : undefined);
          expect(parsePayload(piecesOf(text, size))).toEqual(JSON.parse(text));
        },
      ),
      { numRuns: 200 },
    );
  });
});
