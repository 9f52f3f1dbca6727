/**
 * `createPartialImagesStore()`: state, listeners, and the loop that feeds a source into them.
 * A closure in the shape of zustand's vanilla store; React binds to it with
 * `useSyncExternalStore`, and anything else can `subscribe`.
 */

import { offerFrameBlob } from './blob';
import { describeThrown, PartialImagesError } from './errors';
import { type PartialImageEvent, streamErrorEvent } from './events';
import { createSession, type WorkerOption } from './pipeline';
import { type ReduceOptions, reducePartialImages } from './reducer';
import {
  abortedError,
  errorFields,
  HttpStatusError,
  openSource,
  type PartialImagesSource,
} from './source';
import {
  initialPartialImagesState,
  isTerminalStatus,
  type PartialImageFrame,
  type PartialImagesState,
} from './state';

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
   * dropped by sequence number, so no frame is duplicated. A `resume` that throws counts as a
   * failed attempt, as one that rejects does; one that returns `null` gives up.
   */
  resume?:
    | ((lastSequenceNumber: number | null, context: ResumeContext) => PartialImagesSource | null)
    | undefined;
  /**
   * How many times `resume` may be called per `consume`.
   * @defaultValue 3
   */
  maxResumeAttempts?: number | undefined;
  /**
   * Called for every raw event the store receives, with what it normalised to (`null` for events
   * that do not concern images). Meant for inspectors and logging; with it, a Worker also sends
   * every raw event back to the page.
   */
  onEvent?: ((raw: unknown, event: PartialImageEvent | null) => void) | undefined;
  /**
   * Where byte streams are parsed. By default, in a browser, a shared Web Worker parses them off
   * the main thread (and the page takes over when no Worker can start); `false` parses in the
   * page; a function supplies your own Worker (for a custom bundler or CSP set-up), which must
   * run this package's `dist/core/worker.js` as a module Worker. That file is not a package export
   * and imports `zod/mini`: have your bundler build it from its path.
   * @defaultValue a shared Worker where one can run
   */
  worker?: WorkerOption;
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
   * Applies one normalised event (the reducer's input). To push a raw provider event by hand,
   * normalise it first: `store.dispatch(normalizeEvent(raw))`, or `consume` an iterable of them.
   */
  dispatch(event: PartialImageEvent | null): void;
  /**
   * Reads a source to its end. Resolves (never rejects) when it ends, fails or is aborted, with
   * the outcome in the state. Starting a new `consume` stops the previous one.
   */
  consume(source: PartialImagesSource, options?: ConsumeOptions): Promise<void>;
  /** Aborts the running `consume`, if any: status `aborted`, frames kept. */
  abort(reason?: unknown): void;
  /** Stops any running `consume` (without marking the state aborted) and empties the state. */
  reset(): void;
}

function report(error: unknown) {
  // A throwing listener must not break the stream; surface it without swallowing it.
  queueMicrotask(() => {
    throw error;
  });
}

const MAX_MESSAGE = 300;
const clip = (text: string) =>
  text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text;

/** Anything reading a source threw, as a fatal {@link PartialImagesError}. */
function sourceError(thrown: unknown, signal: AbortSignal): PartialImagesError {
  if (signal.aborted) return abortedError(signal);
  if (thrown instanceof PartialImagesError) return thrown;
  if (thrown instanceof HttpStatusError) {
    const fields = errorFields(thrown.body);
    let detail = thrown.statusText;
    if (typeof fields?.message === 'string') detail = fields.message;
    else if (thrown.body && !fields && !thrown.body.trimStart().startsWith('<'))
      detail = thrown.body.trim();
    const code = fields?.code;
    return new PartialImagesError(
      'http-error',
      clip(`HTTP ${thrown.status}${detail ? `: ${detail}` : ''}`),
      {
        httpStatus: thrown.status,
        providerCode: typeof code === 'string' || typeof code === 'number' ? String(code) : null,
        providerType: typeof fields?.type === 'string' ? fields.type : null,
      },
    );
  }
  return new PartialImagesError(
    'stream-error',
    clip(`Reading the stream failed: ${describeThrown(thrown)}`),
    {
      cause: thrown,
    },
  );
}

/** The newest frame that `next` has and `previous` had not (what one event added). */
function addedFrame(
  previous: PartialImagesState,
  next: PartialImagesState,
): PartialImageFrame | null {
  if (next === previous) return null;
  for (const item of next.items) {
    if (item.latest === null) continue;
    const before = previous.items.find((p) => p.id === item.id);
    if (before?.latest !== item.latest) return item.latest;
  }
  return null;
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

  const apply = (event: PartialImageEvent) => setState(reducePartialImages(state, event, options));

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

    const session = createSession(
      {
        event(event, blob) {
          if (run.superseded) return;
          const next = reducePartialImages(state, event, options);
          // The Worker's Blob of the frame is offered before any listener sees the frame.
          const frame = blob === undefined ? null : addedFrame(state, next);
          if (frame !== null && blob !== undefined) offerFrameBlob(frame, blob);
          setState(next);
        },
        raw: options.onEvent
          ? (raw, event) => {
              if (run.superseded) return;
              try {
                options.onEvent?.(raw, event);
              } catch (error) {
                report(error);
              }
            }
          : undefined,
      },
      { worker: options.worker, maxFrameBytes: options.maxFrameBytes },
    );

    let next: PartialImagesSource | null = source;
    let attempt = 0;
    const maxAttempts = options.maxResumeAttempts ?? 3;
    let failure: PartialImagesError | null = null;
    try {
      while (next !== null) {
        const reading: PartialImagesSource = next;
        next = null;
        failure = null;
        try {
          await session.read(await openSource(reading, signal), signal);
        } catch (thrown) {
          failure = sourceError(thrown, signal);
        }
        if (run.superseded) return;
        const dropped =
          !isTerminalStatus(state.status) &&
          !signal.aborted &&
          !session.done &&
          (failure === null || failure.code === 'stream-error');
        if (dropped && options.resume && attempt < maxAttempts) {
          attempt++;
          const error =
            failure ??
            new PartialImagesError(
              'stream-truncated',
              'The stream ended without a terminal event.',
            );
          const context = { responseId: state.responseId, attempt, signal, error };
          try {
            next = options.resume(session.cursor, context);
          } catch (thrown) {
            // A resume that throws is a failed attempt, as one that rejects is.
            next = () => Promise.reject(thrown);
          }
        }
      }
      if (failure) {
        apply(streamErrorEvent(failure, true));
      } else {
        const reason = await session.end();
        if (run.superseded) return;
        apply({ type: 'stream.end', reason, sequenceNumber: null, receivedAt: Date.now() });
      }
    } catch (thrown) {
      // Only an abort while the stream's last events are read gets here.
      if (!run.superseded) apply(streamErrorEvent(sourceError(thrown, signal), true));
    } finally {
      session.close();
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
    dispatch(event) {
      if (event) apply(event);
    },
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
      setState(initialPartialImagesState);
    },
  };
}
