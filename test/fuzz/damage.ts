/**
 * The damage: what networks, proxies and buggy servers do to a stream, as small recipes that
 * fast-check generates and shrinks (numbers and choices, never megabytes), and the functions that
 * apply them to a base stream's units or bytes.
 */

import fc from 'fast-check';
import { snakeKeys } from '../../src/core/wire';
import { type BaseRecipe, FIXTURE_NAMES, type Unit } from './corpus';

// ---------------------------------------------------------------------------------------------
// Base streams
// ---------------------------------------------------------------------------------------------

/** A frame set, the small ones (city WebP, forest JPEG) more often than the 100 KB PNGs. */
const setArb = fc.oneof(
  { weight: 1, arbitrary: fc.constant(0) },
  { weight: 2, arbitrary: fc.constant(1) },
  { weight: 2, arbitrary: fc.constant(2) },
);

const responsesArb = fc.record({
  kind: fc.constant('responses' as const),
  set: setArb,
  items: fc.integer({ min: 1, max: 3 }),
  partials: fc.integer({ min: 0, max: 3 }),
  interleave: fc.boolean(),
  ending: fc.constantFrom('completed', 'failed', 'incomplete', 'error'),
  doneStatus: fc.constantFrom('completed', 'generating'),
  completedEvent: fc.boolean(),
  textDeltas: fc.integer({ min: 0, max: 3 }),
  skipItemDone: fc.boolean(),
  resultsInCompleted: fc.boolean(),
  style: fc.constantFrom('openai', 'openrouter'),
});

const imagesApiArb = fc.record({
  kind: fc.constant('images-api' as const),
  set: setArb,
  partials: fc.integer({ min: 0, max: 3 }),
  edit: fc.boolean(),
});

const fixtureArb = fc.record({
  kind: fc.constant('fixture' as const),
  name: fc.constantFrom(...FIXTURE_NAMES),
});

/** Any base stream. */
export const baseArb: fc.Arbitrary<BaseRecipe> = fc.oneof(
  { weight: 4, arbitrary: responsesArb },
  { weight: 1, arbitrary: imagesApiArb },
  { weight: 3, arbitrary: fixtureArb },
);

// ---------------------------------------------------------------------------------------------
// Chunking: random splits, down to one byte where it matters
// ---------------------------------------------------------------------------------------------

/** Where a stream is cut into network chunks. */
export interface ChunkPlan {
  /** Cut points, taken modulo the length. */
  cuts: number[];
  /** Landmarks (line ends, non-ASCII bytes, event ends) around which every byte is a chunk. */
  zones: number[];
  /** How many bytes each side of a zone's landmark. */
  width: number;
  /** A short stream (under 4 KiB) goes byte by byte. */
  bytewise: boolean;
}

export const chunkPlanArb: fc.Arbitrary<ChunkPlan> = fc.record({
  cuts: fc.array(fc.nat(), { maxLength: 48 }),
  zones: fc.array(fc.nat(), { maxLength: 4 }),
  width: fc.integer({ min: 1, max: 48 }),
  bytewise: fc.boolean(),
});

/**
 * Byte offsets that matter to a parser: every line break, the first byte of every non-ASCII
 * character, and the end of every unit (sampled when there are many).
 */
export function landmarks(bytes: Uint8Array, ends: readonly number[]): number[] {
  const found: number[] = [...ends];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (b === 10 || b === 13 || (b >= 0xc0 && b < 0xf8)) found.push(i);
  }
  return found;
}

/** The sorted cut offsets of a plan. */
export function chunkOffsets(plan: ChunkPlan, length: number, marks: readonly number[]): number[] {
  if (length <= 1) return [];
  const offsets = new Set<number>();
  if (plan.bytewise && length <= 4096) {
    for (let i = 1; i < length; i++) offsets.add(i);
  }
  for (const cut of plan.cuts) offsets.add(1 + (cut % (length - 1)));
  if (marks.length > 0) {
    for (const zone of plan.zones) {
      const at = marks[zone % marks.length] as number;
      for (let i = at - plan.width; i <= at + plan.width; i++) {
        if (i > 0 && i < length) offsets.add(i);
      }
    }
  }
  return [...offsets].sort((a, b) => a - b);
}

// ---------------------------------------------------------------------------------------------
// Junk between events
// ---------------------------------------------------------------------------------------------

/**
 * Something that is not an event, put between two events:
 * - `garbage`: a `data:` payload that is not JSON (a strict prefix of a JSON object, or text);
 * - `scalar`: JSON that is not an object (`42`, `"x"`, `null`, `[…]`);
 * - `unknown`: a JSON object of no known shape (its keys start with `zz`);
 * - `comment`, `field` (an unknown field, `retry:`, `id:`), `blank` (extra blank lines): SSE
 *   that carries no event.
 */
export type Junk =
  | { kind: 'garbage'; text: string }
  | { kind: 'scalar'; value: unknown }
  | { kind: 'unknown'; value: Record<string, unknown> }
  | { kind: 'comment'; text: string }
  | { kind: 'field'; line: string }
  | { kind: 'blank'; count: number };

/** What a junk unit makes the library report, if anything. */
export function junkCode(junk: Junk): 'malformed-json' | 'invalid-event' | null {
  if (junk.kind === 'garbage') return 'malformed-json';
  if (junk.kind === 'scalar') return 'invalid-event';
  // A bare `data` line is a data field with an empty value: an event whose data is `''`.
  if (junk.kind === 'field' && junk.line === 'data') return 'malformed-json';
  return null;
}

const lineSafe = (text: string) => text.replace(/[\r\n]/g, ' ');

const garbageArb = fc.oneof(
  // A strict prefix of a JSON object is never JSON: a proxy cut a line short.
  fc.tuple(fc.jsonValue(), fc.nat()).map(([value, cut]) => {
    const text = JSON.stringify({ type: 'response.image_generation_call.partial_image', value });
    return text.slice(0, 1 + (cut % (text.length - 1)));
  }),
  fc.string({ maxLength: 40 }).map((text) => `not json: ${text}`),
  fc.constantFrom('undefined', 'NaN', "{'type': 'x'}", '{"a":1,}', '', '[DONE', 'DONE]'),
);

const scalarArb = fc.oneof(
  fc.integer(),
  fc.string({ maxLength: 20 }),
  fc.constant(null),
  fc.boolean(),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }),
);

const unknownArb = fc
  .dictionary(
    fc.string({ maxLength: 8 }).map((key) => `zz${key.replace(/[A-Z_]/g, '')}`),
    fc.jsonValue({ maxDepth: 3 }),
    { maxKeys: 5 },
  )
  .map((value) => value as Record<string, unknown>);

export const junkArb: fc.Arbitrary<Junk> = fc.oneof(
  { weight: 3, arbitrary: garbageArb.map((text) => ({ kind: 'garbage' as const, text })) },
  { weight: 2, arbitrary: scalarArb.map((value) => ({ kind: 'scalar' as const, value })) },
  { weight: 2, arbitrary: unknownArb.map((value) => ({ kind: 'unknown' as const, value })) },
  {
    weight: 1,
    arbitrary: fc
      .string({ maxLength: 30 })
      .map((text) => ({ kind: 'comment' as const, text: lineSafe(text) })),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('retry: 1000', 'id: 42', 'foo: bar', 'eventdata: x', 'data', 'dat: a')
      .map((line) => ({ kind: 'field' as const, line })),
  },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 1, max: 3 }).map((count) => ({ kind: 'blank' as const, count })),
  },
);

/**
 * The junk as a unit of an SSE stream (`sse`) or of a stream of parsed events (`values`: only
 * `scalar` and `unknown` have a form there; the rest become `unknown`).
 */
export function junkUnit(junk: Junk, form: 'sse' | 'values'): Unit {
  if (form === 'values') {
    // A string first in an iterable makes it a stream of SSE text (the source is classified by
    // its first chunk): a string is junk inside an array here.
    if (junk.kind === 'scalar') {
      return { kind: 'value', value: typeof junk.value === 'string' ? [junk.value] : junk.value };
    }
    return { kind: 'value', value: junk.kind === 'unknown' ? junk.value : { zz: true } };
  }
  switch (junk.kind) {
    case 'garbage':
      // `''` is the event name: `event: error` with a text payload is the provider's error.
      return { kind: 'message', event: '', data: lineSafe(junk.text) };
    case 'scalar':
      return { kind: 'message', event: 'zz.scalar', data: JSON.stringify(junk.value) };
    case 'unknown':
      return { kind: 'message', event: '', data: JSON.stringify(junk.value) };
    case 'comment':
      return { kind: 'comment', text: junk.text };
    case 'field':
      return { kind: 'raw', text: `${junk.line}\n\n` };
    case 'blank':
      return { kind: 'raw', text: '\n'.repeat(junk.count) };
  }
}

/** A junk unit and where it goes (a unit index, modulo the length + 1). */
export interface Insert {
  at: number;
  junk: Junk;
}

export const insertsArb: fc.Arbitrary<Insert[]> = fc.array(
  fc.record({ at: fc.nat(), junk: junkArb }),
  { minLength: 1, maxLength: 4 },
);

/** The units with the junk inserted; each insert's position in the result. */
export function insertJunk(
  units: readonly Unit[],
  inserts: readonly Insert[],
  form: 'sse' | 'values',
): { units: Unit[]; placed: { before: number; junk: Junk }[] } {
  // Positions in the original: junk `before` unit k goes ahead of it.
  const placed = inserts
    .map((insert) => ({ before: insert.at % (units.length + 1), junk: insert.junk }))
    .sort((a, b) => a.before - b.before);
  const out: Unit[] = [];
  let next = 0;
  for (let k = 0; k <= units.length; k++) {
    while (next < placed.length && (placed[next] as { before: number }).before === k) {
      out.push(junkUnit((placed[next] as { junk: Junk }).junk, form));
      next++;
    }
    if (k < units.length) out.push(units[k] as Unit);
  }
  return { units: out, placed };
}

// ---------------------------------------------------------------------------------------------
// Dropped, duplicated, reordered events
// ---------------------------------------------------------------------------------------------

/** One change to the order of events. */
export type EventOp =
  | { op: 'drop'; at: number }
  | { op: 'dup'; at: number; later: number }
  | { op: 'move'; at: number; to: number };

export const eventOpArb: fc.Arbitrary<EventOp> = fc.oneof(
  fc.record({ op: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('dup' as const), at: fc.nat(), later: fc.nat() }),
  fc.record({ op: fc.constant('move' as const), at: fc.nat(), to: fc.nat() }),
);

/**
 * Applies `ops` in order. Returns the units and the index of the first unit that differs from
 * the original (everything before it arrived undamaged).
 */
export function applyEventOps(
  units: readonly Unit[],
  ops: readonly EventOp[],
): { units: Unit[]; firstDamaged: number } {
  const out = [...units];
  let first = out.length;
  for (const op of ops) {
    if (out.length === 0) break;
    const at = op.at % out.length;
    if (op.op === 'drop') {
      out.splice(at, 1);
      first = Math.min(first, at);
    } else if (op.op === 'dup') {
      // The copy arrives after the original: a duplicated delivery, or a resume's overlap.
      const to = at + 1 + (op.later % (out.length - at));
      out.splice(to, 0, out[at] as Unit);
      first = Math.min(first, to);
    } else {
      const [unit] = out.splice(at, 1);
      const to = op.to % (out.length + 1);
      out.splice(to, 0, unit as Unit);
      if (to !== at) first = Math.min(first, at, to);
    }
  }
  return { units: out, firstDamaged: first };
}

// ---------------------------------------------------------------------------------------------
// Byte damage
// ---------------------------------------------------------------------------------------------

/** A flipped bit, or a run of random bytes written over the stream. */
export type ByteOp =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'noise'; at: number; bytes: number[] };

export const byteOpArb: fc.Arbitrary<ByteOp> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat(7) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('noise' as const),
      at: fc.nat(),
      bytes: fc.array(fc.nat(255), { minLength: 1, maxLength: 16 }),
    }),
  },
);

/**
 * A damaged copy of `bytes` and the first damaged offset. Offsets are picked modulo the length,
 * or, for every other op, among the `marks` (the bytes a parser cares about).
 */
export function applyByteOps(
  bytes: Uint8Array,
  ops: readonly ByteOp[],
  marks: readonly number[],
): { bytes: Uint8Array; firstDamaged: number } {
  const out = bytes.slice();
  let first = out.length;
  ops.forEach((op, n) => {
    if (out.length === 0) return;
    const at =
      n % 2 === 1 && marks.length > 0
        ? Math.min(out.length - 1, marks[op.at % marks.length] as number)
        : op.at % out.length;
    if (op.op === 'flip') {
      out[at] = (out[at] as number) ^ (1 << op.bit);
      first = Math.min(first, at);
    } else {
      op.bytes.forEach((b, i) => {
        if (at + i < out.length) out[at + i] = b;
      });
      first = Math.min(first, at);
    }
  });
  return { bytes: out, firstDamaged: first };
}

// ---------------------------------------------------------------------------------------------
// The OpenRouter SDK's shape
// ---------------------------------------------------------------------------------------------

const FREE_FORM = new Set(['metadata', 'headers', 'parameters', 'schema', 'input_schema']);

/** snake_case → camelCase, recursively, except inside free-form values: the SDK's renaming. */
export function camelKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelKeys);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const camel = key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    Object.defineProperty(out, camel, {
      value: FREE_FORM.has(key) ? item : camelKeys(item),
      writable: true,
      enumerable: true,
      configurable: true,
    });
  }
  return out;
}

/** Does `camelKeys` round-trip through the library's `snakeKeys` for this event? */
export function camelRoundTrips(value: unknown): boolean {
  return JSON.stringify(snakeKeys(camelKeys(value))) === JSON.stringify(value);
}

/** How one event of an SDK stream is shaped. */
export type Shape = 'wire' | 'camel' | 'unknown-wrapper' | 'unknown-wrapper-text';

export const shapeArb: fc.Arbitrary<Shape> = fc.constantFrom(
  'wire',
  'camel',
  'camel',
  'unknown-wrapper',
  'unknown-wrapper-text',
);

/** The event as the OpenRouter SDK may hand it over: camelCase, or its `UNKNOWN` wrapper. */
export function reshape(value: unknown, shape: Shape): unknown {
  switch (shape) {
    case 'camel':
      return camelKeys(value);
    case 'unknown-wrapper':
      return { type: 'UNKNOWN', isUnknown: true, raw: value };
    case 'unknown-wrapper-text':
      return { type: 'UNKNOWN', isUnknown: true, raw: JSON.stringify(value) };
    default:
      return value;
  }
}
