/**
 * Where a stream is decoded. In a browser, the bytes of a `Response` or byte stream go to a
 * shared Web Worker, which parses them off the main thread and sends back normalised events
 * (and, for object-URL images, each frame's bytes as a Blob). Where no Worker can start (Node,
 * jsdom, server rendering, a CSP that refuses workers, a worker script that fails to load), and
 * for streams of parsed events, the same decoder runs in the page, loaded on first use. Both give
 * the same events, in the same order.
 */

import { wantsFrameBlobs } from './blob';
import type { Decoder } from './decoder';
import { PartialImagesError } from './errors';
import type { PartialImageEvent } from './events';
import { decodeEvent, type FromWorker, type ToWorker } from './protocol';
import { abortedError, isByteChunk, notA, type OpenedSource, raceAbort, toBytes } from './source';

/** How the store may parse in a Worker: default (`undefined`), never (`false`), or your own. */
export type WorkerOption = false | (() => Worker) | undefined;

/** What a decoding session reports to its store. @internal */
export interface SessionSink {
  /** An event; with `blob` when the Worker decoded the frame it carries into one. */
  event(event: PartialImageEvent, blob?: Blob): void;
  raw?: ((raw: unknown, event: PartialImageEvent | null) => void) | undefined;
}

/** One `consume`'s decoding, across the connections of its resumes. @internal */
export interface Session {
  /** Reads `source` to its end (or throws what reading it threw), delivering its events. */
  read(source: OpenedSource, signal: AbortSignal): Promise<void>;
  /** Ends the stream: its last events are delivered; returns how it ended. */
  end(): Promise<'done' | 'eof'>;
  /** Where a resume continues. */
  readonly cursor: number | null;
  /** `data: [DONE]` was read: the stream ended on purpose (no resume). */
  readonly done: boolean;
  /** Lets go of everything (abort, a new `consume`). */
  close(): void;
}

// ---------------------------------------------------------------------------------------------
// The Worker
// ---------------------------------------------------------------------------------------------

/** A Worker shared by every stream that uses the same factory. */
interface Pool {
  worker: Worker | null;
  /** Resolves `true` once the Worker said it runs, `false` if it failed to start. */
  ready: Promise<boolean>;
  isReady: boolean;
  broken: boolean;
  streams: Map<number, (message: FromWorker | 'failed') => void>;
  idle: ReturnType<typeof setTimeout> | undefined;
}

const pools = new Map<(() => Worker) | 'default', Pool>();
let nextId = 1;
/** An idle Worker is kept this long for the next stream, then terminated. */
const IDLE_MS = 15_000;
/** A Worker that has not started by then is given up on (the stream parses in the page). */
const START_TIMEOUT_MS = 5_000;

function defaultWorker(): Worker {
  return new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
}

/** Can this environment run a Worker at all? */
function canUseWorkers(): boolean {
  return typeof Worker === 'function' && typeof window !== 'undefined' && typeof URL === 'function';
}

function startPool(key: (() => Worker) | 'default'): Pool {
  const pool: Pool = {
    worker: null,
    ready: Promise.resolve(false),
    isReady: false,
    broken: false,
    streams: new Map(),
    idle: undefined,
  };
  let worker: Worker;
  try {
    worker = key === 'default' ? defaultWorker() : key();
  } catch {
    pool.broken = true;
    return pool;
  }
  pool.worker = worker;
  pool.ready = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => fail(), START_TIMEOUT_MS);
    const fail = () => {
      clearTimeout(timer);
      if (!pool.isReady) {
        pool.broken = true;
        resolve(false);
      } else {
        // It ran, then broke: the streams it had cannot go on.
        pool.broken = true;
        for (const handler of pool.streams.values()) handler('failed');
      }
      if (pools.get(key) === pool) pools.delete(key);
      worker.terminate();
    };
    worker.addEventListener('error', (event) => {
      event.preventDefault?.();
      fail();
    });
    worker.addEventListener('messageerror', () => fail());
    worker.addEventListener('message', (event: MessageEvent<FromWorker>) => {
      const data = event.data;
      if (data.t === 'ready') {
        clearTimeout(timer);
        pool.isReady = true;
        resolve(true);
        return;
      }
      pool.streams.get(data.id)?.(data);
    });
  });
  return pool;
}

function acquire(key: (() => Worker) | 'default'): Pool {
  let pool = pools.get(key);
  if (!pool || pool.broken) {
    pool = startPool(key);
    if (!pool.broken) pools.set(key, pool);
  }
  clearTimeout(pool.idle);
  return pool;
}

function release(key: (() => Worker) | 'default', pool: Pool, id: number) {
  pool.streams.delete(id);
  if (pool.streams.size > 0) return;
  clearTimeout(pool.idle);
  pool.idle = setTimeout(() => {
    if (pool.streams.size > 0) return;
    pool.worker?.terminate();
    if (pools.get(key) === pool) pools.delete(key);
  }, IDLE_MS);
}

// ---------------------------------------------------------------------------------------------
// Sessions
// ---------------------------------------------------------------------------------------------

let decoderModule: Promise<typeof import('./decoder')> | null = null;
/** The decoder, for parsing in the page; loaded the first time it is needed. */
function loadDecoder() {
  decoderModule ??= import('./decoder');
  return decoderModule;
}

/** Options of {@link createSession}. @internal */
export interface SessionOptions {
  worker?: WorkerOption;
  maxFrameBytes?: number | undefined;
}

/** A session that decodes in the page. */
function pageSession(sink: SessionSink, options: SessionOptions): Session {
  let decoder: Decoder | null = null;
  const get = async () => {
    if (decoder === null) {
      const { createDecoder } = await loadDecoder();
      decoder ??= createDecoder((event) => sink.event(event), {
        maxFrameBytes: options.maxFrameBytes,
        onRaw: sink.raw,
      });
    }
    return decoder;
  };
  return {
    async read(source, signal) {
      const d = await get();
      if (signal.aborted) throw abortedError(signal);
      if (source.kind === 'object') return d.value(source.value);
      const { reader } = source;
      let finished = false;
      try {
        for (;;) {
          const step = await reader.read();
          if (step.done) break;
          feed(d, source.kind, step.value);
        }
        finished = true;
      } finally {
        if (!finished) reader.cancel();
        d.pause();
      }
    },
    async end() {
      return (await get()).end();
    },
    get cursor() {
      return decoder?.cursor ?? null;
    },
    get done() {
      return decoder?.done ?? false;
    },
    close() {},
  };
}

function feed(decoder: Decoder, kind: OpenedSource['kind'], value: unknown) {
  if (kind === 'events') return decoder.value(value);
  if (kind === 'text') {
    if (typeof value !== 'string') throw notA('text', value);
    return decoder.text(value);
  }
  if (!isByteChunk(value)) throw notA('bytes', value);
  if (kind === 'json') decoder.jsonBytes(toBytes(value));
  else decoder.bytes(toBytes(value));
}

/**
 * A session that decodes in the shared Worker, with the page as its fallback: nothing is read
 * from the source until the Worker says it runs, so a Worker that fails to start costs only the
 * wait, and no chunk is lost to it.
 */
function workerSession(
  sink: SessionSink,
  options: SessionOptions,
  key: (() => Worker) | 'default',
): Session {
  const pool = acquire(key);
  const id = nextId++;
  let page: Session | null = null;
  let cursor: number | null = null;
  let done = false;
  let opened = false;
  let closed = false;
  let waiter: ((message: FromWorker | 'failed') => void) | null = null;
  let received = 0;

  pool.streams.set(id, (message) => {
    if (closed) return;
    if (message === 'failed') {
      sink.event({
        type: 'stream.error',
        fatal: true,
        sequenceNumber: null,
        receivedAt: Date.now(),
        error: new PartialImagesError('stream-error', 'The parsing Worker stopped.'),
      });
      waiter?.(message);
      return;
    }
    if (message.t === 'events' || message.t === 'entries') {
      // A frame's Blob comes with its event, so it is there before anyone sees the frame.
      const blobs = message.blobs.length === 0 ? null : new Map(message.blobs);
      const apply = (event: PartialImageEvent) => {
        const n = received++; // counted for every event, with a Blob or not
        sink.event(event, blobs?.get(n));
      };
      if (message.t === 'events') {
        for (const wire of message.events) apply(decodeEvent(wire));
      } else {
        for (const entry of message.entries) {
          const event = entry.event === null ? null : decodeEvent(entry.event);
          if (entry.raw) sink.raw?.(entry.value, event);
          if (event !== null) apply(event);
        }
      }
    } else if (message.t === 'paused' || message.t === 'ended') {
      cursor = message.cursor;
      if (message.t === 'paused') done = message.done;
      waiter?.(message);
    }
  });

  const post = (message: ToWorker, transfer: Transferable[] = []) =>
    pool.worker?.postMessage(message, transfer);

  /** The Worker's answer to a `pause` or `end`. */
  const answer = (signal?: AbortSignal) =>
    new Promise<FromWorker | 'failed'>((resolve, reject) => {
      const onAbort = () => {
        waiter = null;
        reject(abortedError(signal as AbortSignal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      waiter = (message) => {
        waiter = null;
        signal?.removeEventListener('abort', onAbort);
        resolve(message);
      };
    });

  /** Parses in the page from now on (the Worker never ran for this stream). */
  const inPage = () => {
    page ??= pageSession(sink, options);
    pool.streams.delete(id);
    return page;
  };

  return {
    async read(source, signal) {
      if (page) return page.read(source, signal);
      if (
        source.kind === 'object' ||
        ((source.kind === 'events' || source.kind === 'text') && !opened)
      ) {
        // Parsed events are read in the page (cloning them to the Worker would gain nothing).
        return inPage().read(source, signal);
      }
      if (!pool.isReady && !(await raceAbort(pool.ready, signal)))
        return inPage().read(source, signal);
      if (!opened) {
        opened = true;
        post({ t: 'open', id, maxFrameBytes: options.maxFrameBytes, raw: sink.raw !== undefined });
      }
      const { reader } = source;
      let finished = false;
      try {
        for (;;) {
          const step = await reader.read();
          if (step.done) break;
          const blobs = wantsFrameBlobs();
          if (source.kind === 'sse' || source.kind === 'json') {
            const { value } = step;
            if (!isByteChunk(value)) throw notA('bytes', value);
            const bytes = toBytes(value);
            // A fetch body's chunks are ours alone: transfer them. Others may be shared (a tee
            // gives both branches the same chunk): copy them.
            const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
            const chunk = source.fromFetch && whole ? bytes : bytes.slice();
            post({ t: 'bytes', id, json: source.kind === 'json', chunk, blobs }, [chunk.buffer]);
          } else {
            post({ t: 'value', id, value: step.value, blobs });
          }
        }
        finished = true;
      } finally {
        if (!finished) reader.cancel();
      }
      const pausing = answer(signal);
      post({ t: 'pause', id });
      await pausing;
    },
    async end() {
      if (page) return page.end();
      if (!opened) return inPage().end();
      const ending = answer();
      post({ t: 'end', id });
      const message = await ending;
      closed = true;
      release(key, pool, id);
      return message !== 'failed' && message.t === 'ended' ? message.reason : 'eof';
    },
    get cursor() {
      return page ? page.cursor : cursor;
    },
    get done() {
      return page ? page.done : done;
    },
    close() {
      page?.close();
      if (closed) return;
      closed = true;
      if (opened) post({ t: 'close', id });
      waiter?.('failed');
      release(key, pool, id);
    },
  };
}

/**
 * Starts the decoding of one `consume`: in the shared Worker when it can, else in the page.
 * @internal
 */
export function createSession(sink: SessionSink, options: SessionOptions = {}): Session {
  if (options.worker === false || (options.worker === undefined && !canUseWorkers())) {
    return pageSession(sink, options);
  }
  return workerSession(sink, options, options.worker ?? 'default');
}
