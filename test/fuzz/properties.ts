/**
 * The fuzz properties of the core: each one a fast-check arbitrary of small recipes and an async
 * check that builds a damaged stream from the recipe, consumes it through the public API
 * (`createPartialImagesStore().consume()`, `parseSSE`, `normalizeEvent`, `reducePartialImages`)
 * and asserts the invariants. Shared by `test/core/fuzz.test.ts` (a time budget in `npm test`)
 * and `test/fuzz/run.ts` (`npm run fuzz -- --seconds N`), so it uses `node:assert`, not vitest.
 */

import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  initialPartialImagesState,
  normalizeEvent,
  type PartialImagesState,
  type PartialImagesStoreOptions,
  parseSSE,
  reducePartialImages,
} from '../../src/core';
import { type BaseRecipe, type BaseStream, baseStream, type Unit } from './corpus';
import {
  applyByteOps,
  applyEventOps,
  baseArb,
  byteOpArb,
  type ChunkPlan,
  camelRoundTrips,
  chunkOffsets,
  chunkPlanArb,
  eventOpArb,
  insertJunk,
  insertsArb,
  junkCode,
  landmarks,
  reshape,
  shapeArb,
} from './damage';
import {
  BYTE_DELIVERIES,
  byteSource,
  cutBytes,
  type Delivery,
  frameUnits,
  parsedOf,
  unitsBefore,
  valueSource,
} from './frame';
import { lostFrames, Monitor, type Run, runStore, snapshot } from './invariants';

/** One property: what to generate, and what must hold for it. */
export interface FuzzProperty<T = unknown> {
  name: string;
  arbitrary: fc.Arbitrary<T>;
  check(input: T): Promise<void>;
}

/** A property, typed by its arbitrary. */
export function property<T>(
  name: string,
  arbitrary: fc.Arbitrary<T>,
  check: (input: T) => Promise<void>,
): FuzzProperty<T> {
  return { name, arbitrary, check };
}

// ---------------------------------------------------------------------------------------------
// Running a stream
// ---------------------------------------------------------------------------------------------

/** The parsed events of SSE units, as an SDK yields them; `null` when one is not JSON. */
export function valuesOf(units: readonly Unit[]): unknown[] | null {
  const values: unknown[] = [];
  for (const unit of units) {
    if (unit.kind === 'comment' || unit.kind === 'raw') continue;
    if (unit.kind === 'message' && unit.data === '[DONE]') continue;
    const value = parsedOf(unit);
    if (value === undefined) return null;
    values.push(value);
  }
  return values;
}

/** Store options the fuzzer varies. */
const optionsArb = fc.record({ keepHistory: fc.boolean() });
type Options = { keepHistory: boolean };

function storeOptions(options: Options): PartialImagesStoreOptions {
  return { keepHistory: options.keepHistory };
}

/** Consumes SSE units as bytes, cut by `plan`, delivered as `delivery`. */
async function runBytes(
  units: readonly Unit[],
  eol: string,
  delivery: Delivery,
  plan: ChunkPlan | null,
  options: PartialImagesStoreOptions,
): Promise<Run> {
  const { bytes, ends } = frameUnits(units, eol);
  const offsets = plan ? chunkOffsets(plan, bytes.length, landmarks(bytes, ends)) : [];
  return runStore(byteSource(cutBytes(bytes, offsets), delivery), options);
}

/** Consumes units the way their form allows: bytes for SSE streams, values otherwise. */
function runUnits(
  base: BaseStream,
  units: readonly Unit[],
  options: PartialImagesStoreOptions,
  delivery: Delivery = 'byte-stream',
  plan: ChunkPlan | null = null,
): Promise<Run> {
  if (base.form === 'values') {
    const values = units.map((unit) => parsedOf(unit));
    return runStore(
      valueSource(values, delivery === 'array' ? 'array' : 'async-iterable'),
      options,
    );
  }
  return runBytes(units, base.eol, delivery, plan, options);
}

const references = new Map<string, Run>();

/** The undamaged run of a base stream (one chunk), cached. */
async function reference(
  recipe: BaseRecipe,
  options: Options,
  as: 'bytes' | 'values' = 'bytes',
): Promise<Run> {
  const key = `${JSON.stringify(recipe)}|${options.keepHistory}|${as}`;
  let run = references.get(key);
  if (run === undefined) {
    const base = baseStream(recipe);
    if (as === 'values' && base.form === 'sse') {
      const values = valuesOf(base.units);
      if (values === null) throw new Error(`${base.name} has payloads that are not JSON`);
      run = await runStore(valueSource(values, 'array'), storeOptions(options));
    } else {
      run = await runUnits(base, base.units, storeOptions(options));
    }
    assert.deepEqual(run.monitor.violations, [], `the undamaged ${base.name} breaks an invariant`);
    if (references.size > 4000) references.clear();
    references.set(key, run);
  }
  return run;
}

function assertClean(run: Run, what: string) {
  assert.deepEqual(run.monitor.violations, [], `${what}: invariants broken`);
}

/** A recipe whose base stream has bytes (SSE), for the byte-level damage. */
const sseBaseArb = baseArb.filter((recipe) => baseStream(recipe).form === 'sse');

const byteDeliveryArb = fc.constantFrom(...BYTE_DELIVERIES);

// ---------------------------------------------------------------------------------------------
// The properties
// ---------------------------------------------------------------------------------------------

/**
 * Splits (down to single bytes, across line ends and multi-byte characters), line endings, a BOM
 * and keep-alive comments change nothing: the state is the undamaged stream's, exactly.
 */
const splits = property(
  'splits, line endings, BOM and keep-alives change nothing',
  fc.record({
    base: baseArb,
    options: optionsArb,
    delivery: fc.constantFrom<Delivery>(...BYTE_DELIVERIES, 'async-iterable', 'array'),
    plan: chunkPlanArb,
    eol: fc.constantFrom('same', '\n', '\r\n', '\r'),
    bom: fc.boolean(),
    comments: fc.array(fc.nat(), { maxLength: 4 }),
  }),
  async ({ base: recipe, options, delivery, plan, eol, bom, comments }) => {
    const base = baseStream(recipe);
    if (base.form === 'values' || delivery === 'async-iterable' || delivery === 'array') {
      const values = base.form === 'values' ? base.units.map(parsedOf) : valuesOf(base.units);
      if (values === null) return; // a payload that is not JSON has no parsed form
      const expected = await reference(
        recipe,
        options,
        base.form === 'values' ? 'bytes' : 'values',
      );
      const run = await runStore(
        valueSource(values, delivery === 'array' ? 'array' : 'async-iterable'),
        storeOptions(options),
      );
      assertClean(run, base.name);
      assert.deepEqual(snapshot(run.state), snapshot(expected.state));
      return;
    }
    const expected = await reference(recipe, options);
    const units = [...base.units];
    for (const at of comments) {
      units.splice(at % (units.length + 1), 0, { kind: 'comment', text: ' keep-alive' });
    }
    const { bytes, ends } = frameUnits(units, eol === 'same' ? base.eol : eol, bom);
    const offsets = chunkOffsets(plan, bytes.length, landmarks(bytes, ends));
    const run = await runStore(
      byteSource(cutBytes(bytes, offsets), delivery),
      storeOptions(options),
    );
    assertClean(run, base.name);
    assert.deepEqual(snapshot(run.state), snapshot(expected.state));
  },
);

/**
 * A connection cut at any byte: the state is the one of the events that arrived whole (the half
 * event costs nothing and adds nothing), and a response cut before its terminal event ends
 * `failed` with `stream-truncated`.
 */
const truncation = property(
  'a cut stream keeps what arrived and says stream-truncated',
  fc.record({
    base: sseBaseArb,
    options: optionsArb,
    delivery: byteDeliveryArb,
    plan: chunkPlanArb,
    cut: fc.nat(),
    nearMark: fc.boolean(),
  }),
  async ({ base: recipe, options, delivery, plan, cut, nearMark }) => {
    const base = baseStream(recipe);
    const { bytes, ends } = frameUnits(base.units, base.eol);
    const marks = landmarks(bytes, ends);
    const at =
      nearMark && marks.length > 0
        ? Math.min(bytes.length, (marks[cut % marks.length] as number) + (cut % 3) - 1)
        : cut % (bytes.length + 1);
    const kept = unitsBefore(ends, at);
    const cutBytesOf = bytes.slice(0, Math.max(0, at));
    const offsets = chunkOffsets(plan, cutBytesOf.length, landmarks(cutBytesOf, ends));
    const run = await runStore(
      byteSource(cutBytes(cutBytesOf, offsets), delivery),
      storeOptions(options),
    );
    assertClean(run, base.name);
    const prefix = await runUnits(base, base.units.slice(0, kept), storeOptions(options));
    assert.deepEqual(
      snapshot(run.state),
      snapshot(prefix.state),
      `cut at byte ${at} of ${bytes.length} (${kept} of ${base.units.length} units whole)`,
    );
    const terminalArrived = base.terminalAt !== null && kept > base.terminalAt;
    const { state } = run;
    if (base.terminalAt !== null && !terminalArrived && base.truncation !== 'eof-ends') {
      assert.equal(
        state.status,
        'failed',
        `cut before the terminal event (unit ${base.terminalAt})`,
      );
      assert.equal(state.error?.code, 'stream-truncated');
    }
    if (terminalArrived) {
      const expected = await reference(recipe, options);
      assert.equal(run.state.status, expected.state.status);
    }
  },
);

/**
 * Junk between events (text that is not JSON, JSON that is not an object, objects of no known
 * shape, comments, unknown fields, blank lines) is skipped: every frame and status is the
 * undamaged stream's, the junk's error code shows in `state.error` while the stream goes on, and
 * the error that ended a failed stream is still the one at the end.
 */
const junk = property(
  'junk between events is skipped and named in state.error',
  fc.record({
    base: baseArb,
    options: optionsArb,
    inserts: insertsArb,
    delivery: byteDeliveryArb,
    plan: chunkPlanArb,
  }),
  async ({ base: recipe, options, inserts, delivery, plan }) => {
    const base = baseStream(recipe);
    const expected = await reference(recipe, options);
    const damaged = insertJunk(base.units, inserts, base.form);
    const run = await runUnits(base, damaged.units, storeOptions(options), delivery, plan);
    assertClean(run, base.name);
    assert.deepEqual(
      snapshot(run.state, { errors: false }),
      snapshot(expected.state, { errors: false }),
    );
    const stop = base.terminalAt ?? base.units.length;
    for (const { before, junk } of damaged.placed) {
      const code = base.form === 'values' && junk.kind !== 'scalar' ? null : junkCode(junk);
      if (code === null || before > stop) continue;
      assert.ok(
        run.monitor.errorCodes.includes(code),
        `${junk.kind} junk before unit ${before}: expected ${code} in state.error, saw ` +
          `[${run.monitor.errorCodes.join(', ')}]`,
      );
    }
    if (expected.state.error !== null && expected.state.status !== 'completed') {
      assert.equal(
        run.state.error?.code,
        expected.state.error.code,
        'the error that ended the stream must stay state.error',
      );
    }
  },
);

/**
 * Dropped, duplicated and reordered events: no frame goes backwards, no item doubles, nothing
 * received before the damage is lost. A duplicated delivery of a stream whose events can be told
 * from their replays (sequence numbers, Images API repeats) changes nothing at all.
 */
const reorder = property(
  'dropped, duplicated and reordered events lose nothing from before the damage',
  fc.record({
    base: baseArb,
    options: optionsArb,
    ops: fc.array(eventOpArb, { minLength: 1, maxLength: 4 }),
    delivery: fc.constantFrom<Delivery>('byte-stream', 'response', 'async-iterable'),
  }),
  async ({ base: recipe, options, ops, delivery }) => {
    const base = baseStream(recipe);
    const damaged = applyEventOps(base.units, ops);
    const run = await runUnits(base, damaged.units, storeOptions(options), delivery);
    assertClean(run, base.name);
    const prefix = await runUnits(
      base,
      base.units.slice(0, damaged.firstDamaged),
      storeOptions(options),
    );
    assert.deepEqual(lostFrames(prefix.state, run.state, options.keepHistory), []);
    if (ops.every((op) => op.op === 'dup') && base.replaySafe) {
      const expected = await reference(recipe, options);
      assert.deepEqual(snapshot(run.state), snapshot(expected.state), 'a replay changed the state');
    }
  },
);

/** Bit flips and random bytes anywhere: nothing throws, regresses, or loses earlier frames. */
const bitflips = property(
  'bit flips and noise: nothing throws, nothing regresses, earlier frames stay',
  fc.record({
    base: sseBaseArb,
    options: optionsArb,
    ops: fc.array(byteOpArb, { minLength: 1, maxLength: 4 }),
    delivery: byteDeliveryArb,
    plan: chunkPlanArb,
  }),
  async ({ base: recipe, options, ops, delivery, plan }) => {
    const base = baseStream(recipe);
    const { bytes, ends } = frameUnits(base.units, base.eol);
    const marks = landmarks(bytes, ends);
    const damaged = applyByteOps(bytes, ops, marks);
    const offsets = chunkOffsets(plan, damaged.bytes.length, marks);
    const chunks = cutBytes(damaged.bytes, offsets);
    const run = await runStore(byteSource(chunks, delivery), storeOptions(options));
    assertClean(run, base.name);
    const prefix = await runUnits(
      base,
      base.units.slice(0, unitsBefore(ends, damaged.firstDamaged)),
      storeOptions(options),
    );
    assert.deepEqual(lostFrames(prefix.state, run.state, options.keepHistory), []);
    // parseSSE reads any bytes without throwing.
    let messages = 0;
    for await (const _ of parseSSE(
      byteSource(chunks, 'byte-stream') as ReadableStream<Uint8Array>,
    )) {
      messages++;
    }
    assert.ok(messages <= damaged.bytes.length);
  },
);

/**
 * The OpenRouter SDK's shapes (camelCase events, its `UNKNOWN` wrapper), mixed event by event
 * with wire events, and events without their `sequence_number`: the same state as the wire.
 */
const shapes = property(
  "the OpenRouter SDK's camelCase and UNKNOWN wrapper read like the wire",
  fc.record({
    base: baseArb.filter((recipe) => {
      const base = baseStream(recipe);
      return base.wire && base.form === 'sse' && valuesOf(base.units) !== null;
    }),
    options: optionsArb,
    shapes: fc.array(shapeArb, { minLength: 1, maxLength: 64 }),
    dropSequence: fc.boolean(),
  }),
  async ({ base: recipe, options, shapes, dropSequence }) => {
    const base = baseStream(recipe);
    const values = valuesOf(base.units) as unknown[];
    const expected = await reference(recipe, options, 'values');
    const reshaped = values.map((value, i) => {
      let event = value;
      if (dropSequence && typeof event === 'object' && event !== null) {
        const { sequence_number: _seq, ...rest } = event as Record<string, unknown>;
        event = rest;
      }
      const shape = shapes[i % shapes.length] ?? 'wire';
      // An event whose keys would not come back the same is left in the wire's shape.
      return shape === 'camel' && !camelRoundTrips(event) ? event : reshape(event, shape);
    });
    const run = await runStore(valueSource(reshaped, 'async-iterable'), storeOptions(options));
    assertClean(run, base.name);
    assert.deepEqual(snapshot(run.state), snapshot(expected.state));
  },
);

/**
 * A stream cut (once or more) and resumed from `resume(lastSequenceNumber)` by a server that
 * replays a few events before the one asked for: the same state as an uncut stream, and `resume`
 * is told the last sequence number that arrived whole.
 */
const resume = property(
  'a resumed stream with an overlap ends as if it was never cut',
  fc.record({
    base: sseBaseArb.filter((recipe) => baseStream(recipe).resumable),
    options: optionsArb,
    cuts: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
    overlaps: fc.array(fc.nat(4), { minLength: 3, maxLength: 3 }),
    delivery: byteDeliveryArb,
    plan: chunkPlanArb,
  }),
  async ({ base: recipe, options, cuts, overlaps, delivery, plan }) => {
    const base = baseStream(recipe);
    const expected = await reference(recipe, options);
    const seqOf = (unit: Unit) =>
      (parsedOf(unit) as { sequence_number?: number } | undefined)?.sequence_number;
    /** One connection: the units from `from` on, cut after `cut` bytes (or whole). */
    const connection = (from: number, cut: number | undefined) => {
      const units = base.units.filter((unit, i) => {
        const seq = seqOf(unit);
        return seq === undefined ? i >= from : seq >= from;
      });
      const { bytes, ends } = frameUnits(units, base.eol);
      const at = cut === undefined ? bytes.length : cut % (bytes.length + 1);
      const kept = units.slice(0, unitsBefore(ends, at));
      const part = bytes.slice(0, at);
      const offsets = chunkOffsets(plan, part.length, landmarks(part, ends));
      return { source: byteSource(cutBytes(part, offsets), delivery), kept };
    };
    let lastWhole: number | null = null;
    const note = (kept: readonly Unit[]) => {
      for (const unit of kept) {
        const seq = seqOf(unit);
        // Replays of an overlap do not move it back.
        if (seq !== undefined && (lastWhole === null || seq > lastWhole)) lastWhole = seq;
      }
    };
    const first = connection(0, cuts[0]);
    note(first.kept);
    const told: (number | null)[] = [];
    const expectedTold: (number | null)[] = [];
    const run = await runStore(first.source, {
      ...storeOptions(options),
      maxResumeAttempts: cuts.length,
      resume: (last, context) => {
        told.push(last);
        expectedTold.push(lastWhole);
        const overlap = overlaps[context.attempt - 1] ?? 0;
        const from = last === null ? 0 : Math.max(0, last + 1 - overlap);
        const next = connection(from, cuts[context.attempt]);
        note(next.kept);
        return next.source;
      },
    });
    assertClean(run, base.name);
    assert.deepEqual(told, expectedTold, 'resume must get the last sequence number read whole');
    if (run.state.status === 'failed' && run.state.error?.code === 'stream-truncated') {
      // Every attempt was cut again: what arrived is kept.
      assert.equal(told.length, cuts.length);
      return;
    }
    assert.deepEqual(snapshot(run.state), snapshot(expected.state));
  },
);

/** An abort at any chunk (the signal or `store.abort()`): settles `aborted`, frames stay. */
const abort = property(
  'an abort at any point settles aborted and keeps the frames',
  fc.record({
    base: sseBaseArb,
    options: optionsArb,
    delivery: fc.constantFrom<Delivery>('response', 'byte-stream', 'async-bytes'),
    plan: chunkPlanArb,
    at: fc.nat(),
    how: fc.constantFrom('signal', 'store'),
  }),
  async ({ base: recipe, options, delivery, plan, at, how }) => {
    const base = baseStream(recipe);
    const expected = await reference(recipe, options);
    const { bytes, ends } = frameUnits(base.units, base.eol);
    const chunks = cutBytes(bytes, chunkOffsets(plan, bytes.length, landmarks(bytes, ends)));
    const abortAt = at % (chunks.length + 1);
    const controller = new AbortController();
    let store: { abort(): void } | null = null;
    const source = byteSource(chunks, delivery, {
      onPull: (index) => {
        if (index !== abortAt) return;
        if (how === 'signal') controller.abort(new Error('user left'));
        else store?.abort();
      },
    });
    const run = await runStore(source, storeOptions(options), {
      signal: controller.signal,
      store: (s) => {
        store = s;
      },
    });
    assertClean(run, base.name);
    const sum = (n: number) =>
      chunks.slice(0, Math.max(0, n)).reduce((total, chunk) => total + chunk.byteLength, 0);
    // A ReadableStream is pulled one chunk ahead: the chunk read just before the abort may be
    // dropped with it. An iterator is asked for the next value only once the last one is read.
    const surely = sum(delivery === 'async-bytes' ? abortAt : abortAt - 1);
    const handed = sum(abortAt);
    if (run.state.status === 'aborted') {
      assert.equal(run.state.error?.code, 'aborted');
    } else {
      // Not aborted: the response had ended in what was handed out before the abort.
      const terminal = base.terminalAt ?? base.units.length - 1;
      assert.ok(
        base.terminalAt === null || (ends[terminal] as number) <= handed,
        `status ${run.state.status} though the abort came before the end`,
      );
      assert.equal(run.state.status, expected.state.status);
    }
    const prefix = await runUnits(
      base,
      base.units.slice(0, unitsBefore(ends, surely)),
      storeOptions(options),
    );
    assert.deepEqual(lostFrames(prefix.state, run.state, options.keepHistory), []);
  },
);

/**
 * Values no provider sends: anything at all, objects with a throwing getter, a revoked proxy.
 * The last two are made inside the check (fast-check itself cannot print or clone them).
 */
type Hostile = { anything: unknown } | { getter: string } | { revoked: true };

const hostileArb: fc.Arbitrary<Hostile> = fc.oneof(
  fc
    .anything({
      withBigInt: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withTypedArray: true,
      withSparseArray: true,
      withObjectString: true,
    })
    .map((anything) => ({ anything })),
  fc
    .constantFrom('type', 'sequence_number', 'partial_image_b64', 'item', 'response')
    .map((getter) => ({ getter })),
  fc.constant({ revoked: true as const }),
);

function materialize(hostile: Hostile): unknown {
  if ('anything' in hostile) return hostile.anything;
  if ('getter' in hostile) {
    const value: Record<string, unknown> = { type: 'response.image_generation_call.partial_image' };
    Object.defineProperty(value, hostile.getter, {
      enumerable: true,
      get() {
        throw new Error(`hostile getter ${hostile.getter}`);
      },
    });
    return value;
  }
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

/**
 * Nothing throws out of the public API on hostile values: `normalizeEvent` and the reducer fed
 * anything, and `consume()` of an event stream with hostile values among real events.
 */
const hostile = property(
  'hostile values never throw out of normalizeEvent, the reducer or consume()',
  fc.record({
    base: baseArb,
    options: optionsArb,
    values: fc.array(fc.tuple(fc.nat(), hostileArb), { minLength: 1, maxLength: 6 }),
  }),
  async ({ base: recipe, options, values }) => {
    const base = baseStream(recipe);
    const parsed = base.form === 'values' ? base.units.map(parsedOf) : valuesOf(base.units);
    const real = parsed ?? [];
    const mixed: unknown[] = [...real];
    // After the first event: the first decides what kind of source it is (a string or bytes
    // first would make it a text or byte stream).
    for (const [at, value] of values) {
      mixed.splice(1 + (at % Math.max(1, mixed.length)), 0, materialize(value));
    }
    // The pure API.
    const monitor = new Monitor();
    let state: PartialImagesState = initialPartialImagesState;
    for (const raw of mixed) {
      const event = normalizeEvent(raw);
      if (event === null) continue;
      state = reducePartialImages(state, event, storeOptions(options));
      monitor.check(state);
    }
    assert.deepEqual(monitor.violations, [], 'reducer: invariants broken');
    // The store.
    const run = await runStore(valueSource(mixed, 'async-iterable'), storeOptions(options));
    assertClean(run, base.name);
    if (parsed === null || real.length === 0) return;
    // The hostile values are skipped: the stream reads as without them.
    const expected = await reference(recipe, options, base.form === 'values' ? 'bytes' : 'values');
    assert.deepEqual(
      snapshot(run.state, { errors: false }),
      snapshot(expected.state, { errors: false }),
    );
  },
);

/** Every property of the core, in the order they run. */
export const coreProperties: readonly FuzzProperty<never>[] = [
  splits,
  truncation,
  junk,
  reorder,
  bitflips,
  shapes,
  resume,
  abort,
  hostile,
] as unknown as FuzzProperty<never>[];
