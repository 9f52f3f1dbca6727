import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createUtf8Decoder } from '../../src/core/utf8';

/** Decodes `bytes` cut at `cuts` (sorted positions) with the chunked decoder. */
function chunked(bytes: Uint8Array, cuts: number[]): string {
  const decoder = createUtf8Decoder();
  let text = '';
  let from = 0;
  for (const at of [...cuts, bytes.length]) {
    text += decoder.decode(bytes.subarray(from, at));
    from = at;
  }
  return text + decoder.end();
}

const encode = (text: string) => new TextEncoder().encode(text);
const whole = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe('createUtf8Decoder', () => {
  it('gives the text of decoding the whole, however the bytes are cut (valid and invalid UTF-8)', () => {
    // Bytes from text with 1–4-byte characters, BOMs and lone surrogates, plus raw bytes:
    // stray continuation bytes, cut sequences, overlongs and invalid leads.
    const piece = fc.oneof(
      fc.string({ unit: 'binary' }).map(encode),
      fc.constantFrom(encode('\ufeff'), encode('— “é” 🦊')),
      fc.uint8Array({ maxLength: 8 }),
      fc.constantFrom(
        new Uint8Array([0xe2, 0x80]),
        new Uint8Array([0xf0, 0x9f, 0xa6]),
        new Uint8Array([0xc0, 0xaf]),
        new Uint8Array([0xed, 0xa0, 0x80]),
        new Uint8Array([0xf8, 0x80, 0x80, 0x80]),
        new Uint8Array([0x80, 0x80, 0x80, 0x80, 0x80]),
      ),
    );
    const input = fc
      .array(piece, { maxLength: 12 })
      .map((parts) => {
        const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
        let at = 0;
        for (const part of parts) {
          bytes.set(part, at);
          at += part.length;
        }
        return bytes;
      })
      .chain((bytes) =>
        fc.tuple(
          fc.constant(bytes),
          fc
            .uniqueArray(fc.integer({ min: 0, max: bytes.length }), { maxLength: 8 })
            .map((cuts) => cuts.sort((a, b) => a - b)),
        ),
      );
    fc.assert(
      fc.property(input, ([bytes, cuts]) => {
        expect(chunked(bytes, cuts)).toBe(whole(bytes));
      }),
      { numRuns: 2000 },
    );
  });

  it('drops one leading BOM, even cut into single bytes, and keeps a later U+FEFF', () => {
    const bytes = encode('\ufeffa\ufeffb');
    expect(chunked(bytes, [1, 2, 3, 4])).toBe('a\ufeffb');
    expect(chunked(bytes, [])).toBe('a\ufeffb');
  });

  it('waits for the rest of a cut character, and says how many bytes each call read', () => {
    const decoder = createUtf8Decoder();
    const fox = encode('🦊'); // 4 bytes
    expect(decoder.decode(fox.subarray(0, 3))).toBe('');
    expect(decoder.decodedBytes).toBe(0);
    expect(decoder.decode(new Uint8Array([...fox.subarray(3), 0x41]))).toBe('🦊A');
    expect(decoder.decodedBytes).toBe(5);
    expect(decoder.decode(new Uint8Array([0xe2, 0x80]))).toBe('');
    expect(decoder.end()).toBe('\ufffd');
  });
});
