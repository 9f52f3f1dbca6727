/**
 * What must hold however broken a stream is, checked on every state a store goes through, and
 * the comparisons between a damaged run and its undamaged reference.
 *
 * A listener must not throw (the store reports a throwing listener as an uncaught error), so
 * violations are collected and checked once `consume()` has settled.
 */

import { createHash } from 'node:crypto';
import {
  createPartialImagesStore,
  type PartialImageItem,
  type PartialImagesSource,
  type PartialImagesState,
  type PartialImagesStoreOptions,
} from '../../src/core';
import { PartialImagesError } from '../../src/core/errors';

/** Every code a `PartialImagesError` may have (src/core/errors.ts). */
export const ERROR_CODES: ReadonlySet<string> = new Set([
  'invalid-event',
  'malformed-json',
  'provider-error',
  'response-failed',
  'response-incomplete',
  'image-failed',
  'missing-final-image',
  'stream-truncated',
  'stream-error',
  'aborted',
  'http-error',
  'frame-too-large',
  'unsupported-media-type',
  'unsafe-url',
  'invalid-source',
  'unrecognized-stream',
  'too-many-images',
]);

const TERMINAL = new Set(['completed', 'incomplete', 'failed', 'aborted']);

/** A `src` the library may hand to `<img>`: an image `data:` URL (base64) or `https:`. */
const SAFE_SRC = /^(?:data:image\/[a-z0-9.+-]+;base64,|https:\/\/)/i;

/** A short digest of a (possibly megabytes long) string, for comparisons and messages. */
export function digest(text: string): string {
  return `${text.length}:${createHash('sha1').update(text).digest('hex').slice(0, 10)}`;
}

/** The parts of a state that a damaged run is compared on (no clock readings, no messages). */
export function snapshot(state: PartialImagesState, options: { errors?: boolean } = {}) {
  const errors = options.errors ?? true;
  return {
    status: state.status,
    responseId: state.responseId,
    error: errors ? (state.error?.code ?? null) : '(not compared)',
    toolDefaults: state.toolDefaults,
    items: state.items.map((item) => ({
      id: item.id,
      outputIndex: item.outputIndex,
      status: item.status,
      error: item.error?.code ?? null,
      revisedPrompt: item.revisedPrompt,
      size: item.size,
      outputFormat: item.outputFormat,
      frames: item.frames.map(
        (frame) =>
          `${frame.index}${frame.isFinal ? ' final' : ''} ${frame.mimeType} ${digest(frame.src)}`,
      ),
    })),
  };
}

/** A snapshot, as {@link snapshot} makes it. */
export type Snapshot = ReturnType<typeof snapshot>;

interface Seen {
  index: number;
  final: string | null;
}

/**
 * Watches the states of one `consume()`: structure, safety, and that nothing goes backwards.
 */
export class Monitor {
  readonly violations: string[] = [];
  /** Every `state.error` code seen, in order (each change once). */
  readonly errorCodes: string[] = [];
  states = 0;
  private readonly seen = new Map<string, Seen>();
  private lastError: PartialImagesError | null = null;

  private fail(message: string) {
    if (this.violations.length < 20) this.violations.push(message);
  }

  /** Checks one state (call it from a listener: it never throws). */
  check(state: PartialImagesState): void {
    this.states++;
    try {
      this.inspect(state);
    } catch (error) {
      this.fail(`inspecting the state threw: ${String(error)}`);
    }
  }

  private inspect(state: PartialImagesState) {
    if (state.error !== this.lastError) {
      this.lastError = state.error;
      if (state.error !== null) this.errorCodes.push(state.error.code);
    }
    if (state.error !== null) this.checkError(state.error, 'state.error');
    const ids = new Set<string>();
    let previousIndex = Number.NEGATIVE_INFINITY;
    for (const item of state.items) {
      if (ids.has(item.id)) this.fail(`item ${item.id} appears twice`);
      ids.add(item.id);
      if (item.outputIndex < previousIndex) {
        this.fail(`items out of order: ${item.id} at outputIndex ${item.outputIndex}`);
      }
      previousIndex = item.outputIndex;
      this.checkItem(item);
    }
    for (const id of this.seen.keys()) {
      if (!ids.has(id)) this.fail(`item ${id} disappeared`);
    }
  }

  private checkError(error: unknown, where: string) {
    if (!(error instanceof PartialImagesError)) {
      this.fail(`${where} is not a PartialImagesError`);
      return;
    }
    if (!ERROR_CODES.has(error.code)) this.fail(`${where} has an unknown code ${error.code}`);
  }

  private checkItem(item: PartialImageItem) {
    const { frames, latest, final } = item;
    const last = frames[frames.length - 1] ?? null;
    if (latest !== last) this.fail(`item ${item.id}: latest is not its newest frame`);
    if (final !== null && latest !== final) this.fail(`item ${item.id}: latest is not its final`);
    for (let i = 1; i < frames.length; i++) {
      if ((frames[i] as { index: number }).index <= (frames[i - 1] as { index: number }).index) {
        this.fail(`item ${item.id}: frame indices do not grow`);
      }
    }
    for (const frame of frames) {
      if (!SAFE_SRC.test(frame.src.slice(0, 64))) {
        this.fail(`item ${item.id}: unsafe src ${JSON.stringify(frame.src.slice(0, 40))}`);
      }
      if (!/^image\//.test(frame.mimeType))
        this.fail(`item ${item.id}: mimeType ${frame.mimeType}`);
    }
    if (item.status === 'completed' && final === null)
      this.fail(`item ${item.id}: completed, no final`);
    if (item.status === 'partial' && (latest === null || final !== null)) {
      this.fail(`item ${item.id}: partial without a preview`);
    }
    if (item.status === 'failed') this.checkError(item.error, `item ${item.id}.error`);
    else if (item.error !== null) this.fail(`item ${item.id}: an error while ${item.status}`);

    const before = this.seen.get(item.id);
    const index = latest?.index ?? -1;
    if (before && index < before.index) {
      this.fail(`item ${item.id}: newest frame went back from ${before.index} to ${index}`);
    }
    if (before?.final != null && (final === null || final.src !== before.final)) {
      this.fail(`item ${item.id}: its final image changed or went away`);
    }
    this.seen.set(item.id, {
      index: Math.max(index, before?.index ?? -1),
      final: final?.src ?? before?.final ?? null,
    });
  }

  /** The checks of the end: a terminal status, no item left open. */
  checkEnd(state: PartialImagesState): void {
    if (!TERMINAL.has(state.status)) this.fail(`consume() settled with status ${state.status}`);
    for (const item of state.items) {
      if (item.status !== 'completed' && item.status !== 'failed') {
        this.fail(`item ${item.id} left ${item.status} at the end`);
      }
    }
  }
}

/** What one `consume()` did. */
export interface Run {
  state: PartialImagesState;
  monitor: Monitor;
}

/** How long an in-memory stream may take before `consume()` counts as hung. */
export const HANG_MS = 15_000;

/**
 * Consumes `source` in a new store (parsing in the page), watching every state. Rejects (with a
 * message saying so) when `consume()` rejects or does not settle in {@link HANG_MS}.
 */
export async function runStore(
  source: PartialImagesSource,
  options: PartialImagesStoreOptions = {},
  hooks: {
    signal?: AbortSignal;
    store?: (store: ReturnType<typeof createPartialImagesStore>) => void;
  } = {},
): Promise<Run> {
  const store = createPartialImagesStore({ worker: false, ...options });
  hooks.store?.(store);
  const monitor = new Monitor();
  const unsubscribe = store.subscribe((state) => monitor.check(state));
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const settled = store.consume(source, { signal: hooks.signal }).then(
      () => 'settled' as const,
      (error: unknown) => {
        throw new Error(`consume() rejected: ${String(error)}`);
      },
    );
    const hung = new Promise<'hung'>((resolve) => {
      timer = setTimeout(() => resolve('hung'), HANG_MS);
    });
    if ((await Promise.race([settled, hung])) === 'hung') {
      throw new Error(`consume() did not settle within ${HANG_MS} ms`);
    }
  } finally {
    clearTimeout(timer);
    unsubscribe();
  }
  const state = store.getState();
  monitor.checkEnd(state);
  return { state, monitor };
}

/**
 * Every frame of `prefix` (the state of the undamaged units before the damage) is still in
 * `final`: its item is there, its newest frame is that one or a newer one, a final stayed the
 * same final, and with `keepHistory` every earlier frame is still in the item's frames.
 */
export function lostFrames(
  prefix: PartialImagesState,
  final: PartialImagesState,
  keepHistory: boolean,
): string[] {
  const problems: string[] = [];
  for (const before of prefix.items) {
    if (before.latest === null) continue;
    const after = final.items.find((item) => item.id === before.id);
    if (!after) {
      problems.push(`item ${before.id} (frame ${before.latest.index}) is gone`);
      continue;
    }
    if (after.latest === null || after.latest.index < before.latest.index) {
      problems.push(
        `item ${before.id}: frame ${before.latest.index} before the damage, ` +
          `${after.latest?.index ?? 'none'} after`,
      );
    }
    if (before.final !== null && after.final?.src !== before.final.src) {
      problems.push(`item ${before.id}: its final image was lost`);
    }
    if (keepHistory) {
      const kept = new Set(after.frames.map((frame) => frame.src));
      for (const frame of before.frames) {
        if (!kept.has(frame.src)) problems.push(`item ${before.id}: frame ${frame.index} dropped`);
      }
    }
  }
  return problems;
}
