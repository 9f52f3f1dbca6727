/**
 * `createPartialImagesStore()`: state, listeners, and the loop that feeds a source into them.
 * A closure in the shape of zustand's vanilla store; React binds to it with
 * `useSyncExternalStore`, and anything else can `subscribe`.
 */

import { type PartialImagesSource, pumpSource, type SourceEnd, toSourceError } from './consume';
import { PartialImagesError } from './errors';
import { normalizeEvent, type PartialImageEvent, streamErrorEvent } from './events';
import { type ReduceOptions, reducePartialImages } from './reducer';
import { initialPartialImagesState, isTerminalStatus, type PartialImagesState } from './state';

/** What `resume` is told besides the last sequence number. */
export interface ResumeContext {
  /** The response id (`resp_…`) to resume, when the stream said it. */
  responseId: string | null;
  /** 1 for the first resume of this `consume`, then 2, … */
  attempt: number;
  /** Aborts with the store; pass it to `fetch`. */
  signal: AbortSignal;
  /** Why the previous connection ended: it was cut short, or reading it threw. */
  error: PartialImagesError;
}

/** Options of {@link createPartialImagesStore}. */
export interface PartialImagesStoreOptions extends ReduceOptions {
  /**
   * Reconnects after a dropped connection (never after a normal end or an abort): return a new
   * source that continues after `lastSequenceNumber`, e.g. OpenAI's
   * `GET /v1/responses/{id}?stream=true&starting_after={lastSequenceNumber}`. Replayed events are
   * dropped by sequence number, so no frame is duplicated.
   */
  resume?:
    | ((lastSequenceNumber: number | null, context: ResumeContext) => PartialImagesSource)
    | undefined;
  /**
   * How many times `resume` may be called per `consume`.
   * @defaultValue 3
   */
  maxResumeAttempts?: number | undefined;
  /**
   * Called for every raw event the store receives, with what it normalized to (`null` for events
   * that do not concern images). Meant for inspectors and logging.
   */
  onEvent?: ((raw: unknown, event: PartialImageEvent | null) => void) | undefined;
}

/** Options of {@link PartialImagesStore.consume}. */
export interface ConsumeOptions {
  /** Aborting it stops reading: the status becomes `aborted` and frames stay. */
  signal?: AbortSignal | undefined;
}

/** Called after every change, with the new and the previous state. */
export type PartialImagesListener = (
  state: PartialImagesState,
  previous: PartialImagesState,
) => void;

/** A store of {@link PartialImagesState}. */
export interface PartialImagesStore {
  /** The current state. The same object until something changes. */
  getState(): PartialImagesState;
  /** The state before any event (`initialPartialImagesState`). */
  getInitialState(): PartialImagesState;
  /** Calls `listener` after each change. Returns the function that unsubscribes. */
  subscribe(listener: PartialImagesListener): () => void;
  /**
   * Applies one raw event (any shape {@link normalizeEvent} accepts). Never throws: problems go
   * into the state.
   */
  dispatch(raw: unknown): void;
  /**
   * Reads a source to its end. Resolves (never rejects) when it ends, fails or is aborted, with
   * the outcome in the state. Starting a new `consume` stops the previous one.
   */
  consume(source: PartialImagesSource, options?: ConsumeOptions): Promise<void>;
  /** Aborts the running `consume`, if any: status `aborted`, frames kept. */
  abort(reason?: unknown): void;
  /** Stops any running `consume` (without marking the state aborted) and empties the state. */
  reset(): void;
  /** The options the store was made with. */
  readonly options: Readonly<PartialImagesStoreOptions>;
}

function report(error: unknown) {
  // A throwing listener must not break the stream; surface it without swallowing it.
  queueMicrotask(() => {
    throw error;
  });
}

/**
 * Creates a store. One store holds one response's images (use one per chat message).
 *
 * @example
 * ```ts
 * const store = createPartialImagesStore({ outputFormat: 'webp' })
 * store.subscribe((state) => render(state.items))
 * await store.consume(fetch('/api/image', { method: 'POST', body }))
 * ```
 */
export function createPartialImagesStore(
  options: PartialImagesStoreOptions = {},
): PartialImagesStore {
  let state = initialPartialImagesState;
  const listeners = new Set<PartialImagesListener>();
  // The highest sequence number seen on any event, images or not: where a resume continues.
  let cursor: number | null = null;
  let current: { controller: AbortController; superseded: boolean } | null = null;

  const setState = (next: PartialImagesState) => {
    if (Object.is(next, state)) return;
    const previous = state;
    state = next;
    for (const listener of listeners) {
      try {
        listener(state, previous);
      } catch (error) {
        report(error);
      }
    }
  };

  const apply = (event: PartialImageEvent) => {
    setState(reducePartialImages(state, event, options));
  };

  const dispatch = (raw: unknown) => {
    let event: PartialImageEvent | null;
    try {
      event = normalizeEvent(raw);
    } catch (error) {
      // normalizeEvent does not throw; a getter on a hostile object could.
      event = streamErrorEvent(
        new PartialImagesError('invalid-event', 'An event could not be read.', { cause: error }),
        false,
      );
    }
    const seq = (raw as { sequence_number?: unknown; sequenceNumber?: unknown } | null) ?? null;
    const n = seq === null ? undefined : (seq.sequence_number ?? seq.sequenceNumber);
    if (typeof n === 'number' && (cursor === null || n > cursor)) cursor = n;
    if (options.onEvent) {
      try {
        options.onEvent(raw, event);
      } catch (error) {
        report(error);
      }
    }
    if (event) apply(event);
  };

  const stop = (superseded: boolean, reason?: unknown) => {
    if (!current) return;
    current.superseded = superseded;
    current.controller.abort(reason);
    current = null;
  };

  const consume = async (source: PartialImagesSource, consumeOptions: ConsumeOptions = {}) => {
    stop(true);
    const run = { controller: new AbortController(), superseded: false };
    current = run;
    const { signal } = run.controller;
    const outer = consumeOptions.signal;
    const onOuterAbort = () => run.controller.abort(outer?.reason);
    if (outer?.aborted) run.controller.abort(outer.reason);
    else outer?.addEventListener('abort', onOuterAbort, { once: true });

    const sink = {
      raw: (value: unknown) => {
        if (!run.superseded) dispatch(value);
      },
      event: (event: PartialImageEvent) => {
        if (!run.superseded) apply(event);
      },
    };

    let next: PartialImagesSource | null = source;
    let attempt = 0;
    const maxAttempts = options.maxResumeAttempts ?? 3;
    try {
      while (next !== null) {
        const reading: PartialImagesSource = next;
        next = null;
        let end: SourceEnd | null = null;
        let failure: PartialImagesError | null = null;
        try {
          end = await pumpSource(reading, signal, sink);
        } catch (thrown) {
          failure = toSourceError(thrown, signal);
        }
        if (run.superseded) return;
        const terminal = isTerminalStatus(state.status);
        const dropped =
          !terminal &&
          !signal.aborted &&
          ((end === 'eof' && failure === null) ||
            (failure !== null &&
              (failure.code === 'stream-error' || failure.code === 'malformed-json')));
        if (dropped && options.resume && attempt < maxAttempts) {
          attempt++;
          const error =
            failure ??
            new PartialImagesError(
              'stream-truncated',
              'The stream ended without a terminal event.',
            );
          try {
            next = options.resume(cursor, { responseId: state.responseId, attempt, signal, error });
            continue;
          } catch (thrown) {
            failure = toSourceError(thrown, signal);
          }
        }
        if (failure) apply(streamErrorEvent(failure, true));
        else
          apply({
            type: 'stream.end',
            reason: end ?? 'eof',
            sequenceNumber: null,
            receivedAt: Date.now(),
          });
      }
    } finally {
      outer?.removeEventListener('abort', onOuterAbort);
      if (current === run) current = null;
    }
  };

  return {
    getState: () => state,
    getInitialState: () => initialPartialImagesState,
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    dispatch,
    consume,
    abort(reason) {
      if (current) return stop(false, reason);
      // Fed by hand (dispatch): mark it aborted all the same.
      if (state.status === 'streaming') {
        apply(
          streamErrorEvent(
            new PartialImagesError('aborted', 'The stream was aborted.', { cause: reason }),
            true,
          ),
        );
      }
    },
    reset() {
      stop(true);
      cursor = null;
      setState(initialPartialImagesState);
    },
    options,
  };
}
