import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { parseEventData } from '../../src/core/json';
import { fakeBase64 } from '../fixtures/streams';

vi.mock('react', () => ({}));

const big = (n: number, seed = 1) => fakeBase64(n, 'UklGRuIWGQBXRUJQ', seed);

/** JSON.parse's verdict, as a comparable value. */
function outcome(parse: () => unknown) {
  try {
    return { ok: true, value: parse() };
  } catch (error) {
    return { ok: false, error: (error as Error).name };
  }
}

describe('parseEventData', () => {
  it('lifts megabyte base64 strings out and returns what JSON.parse returns', () => {
    const b64 = big(1_400_000);
    const text = JSON.stringify({
      type: 'response.image_generation_call.partial_image',
      item_id: 'ig_1',
      partial_image_b64: b64,
      nested: { result: big(50_000, 2), list: [big(40_000, 3), 'small', 1] },
      size: '1536x1024',
    });
    const value = parseEventData(text, true) as Record<string, unknown>;
    expect(value).toEqual(JSON.parse(text));
    expect(value.partial_image_b64).toBe(b64);
  });

  it('keeps escapes exact: a value holding \\/ (as PHP encoders write) is decoded', () => {
    const escaped = big(40_000).replaceAll('/', '\\/');
    const text = `{"result":"${escaped}","b":"${big(40_000, 5)}"}`;
    expect(parseEventData(text, true)).toEqual(JSON.parse(text));
  });

  it('keeps non-ASCII text and whitespace around keys exact', () => {
    const text = `{ "prompt" : "日本語 \\u00e9 é" ,\n "result" : "${big(70_000)}" , "k":{"r":"${big(9_000, 4)}"}}`;
    expect(parseEventData(text, true)).toEqual(JSON.parse(text));
  });

  it('does not lift keys, and writes "__proto__" as an own property', () => {
    const key = big(40_000);
    const text = `{"${key}":1,"__proto__":"${big(40_000, 7)}"}`;
    const value = parseEventData(text, true) as Record<string, unknown>;
    expect(value).toEqual(JSON.parse(text));
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.hasOwn(value, '__proto__')).toBe(true);
  });

  it('is not fooled by payloads that already hold \\u0000', () => {
    const text = `{"a":"\\u00000","b":"${big(40_000)}"}`;
    expect(parseEventData(text, true)).toEqual(JSON.parse(text));
  });

  it('throws exactly when JSON.parse throws (truncated, raw control characters, bad tokens)', () => {
    const cases = [
      `{"result":"${big(40_000)}`,
      `{"result":"${big(40_000)}"`,
      `{"result":"${big(40_000)}" "x":1}`,
      `{"result":${big(40_000)}"}`,
      `x{"result":"${big(40_000)}"}`,
    ];
    for (const text of cases) {
      expect(outcome(() => parseEventData(text, true))).toEqual(outcome(() => JSON.parse(text)));
    }
    // Not clean: the scanner saw a control byte, so the fast path is off and JSON.parse rejects.
    const tab = `{"result":"${big(20_000)}\t${big(20_000)}"}`;
    expect(() => parseEventData(tab, false)).toThrow(SyntaxError);
  });

  it('agrees with JSON.parse on generated documents with big strings', () => {
    const bigString = fc.oneof(
      fc.nat({ max: 1000 }).map((seed) => big(5_000 + seed * 13, seed)),
      fc
        .nat({ max: 1000 })
        .map((seed) => big(5_000, seed).replace('A', '\\"').replace('B', '\\\\')),
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
      fc.property(json, fc.boolean(), (value, pretty) => {
        const text = JSON.stringify({ pad: big(33_000), value }, null, pretty ? 1 : undefined);
        const clean = !/[\u0000-\u001f]/.test(text);
        expect(parseEventData(text, clean)).toEqual(JSON.parse(text));
      }),
      { numRuns: 200 },
    );
  });
});
