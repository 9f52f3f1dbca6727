/**
 * The parsing Worker: the stream's bytes come in (transferred), normalised events go out. The
 * SSE scan, JSON, base64 decoding and format sniffing happen here, off the page's main thread;
 * the reducer and the one state stay in the page. Many streams share one Worker.
 */

import { base64ToBytes } from './blob';
import { createDecoder, type Decoder } from './decoder';
import type { PartialImageEvent } from './events';
import { IMAGE_MIME_TYPES } from './mime';
import {
  type Entry,
  encodeEvent,
  type FrameBlob,
  type FromWorker,
  type ToWorker,
  type WireEvent,
} from './protocol';
import { sniffImageFormat } from './sniff';

interface Scope {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<ToWorker>) => void): void;
}

const scope = globalThis as unknown as Scope;

interface Stream {
  decoder: Decoder;
  events: WireEvent[];
  /** With `onEvent`: the raw events too, in order with the events. */
  entries: Entry[] | null;
  /** Payloads to decode into Blobs once the events are posted: [event number, payload]. */
  payloads: [number, string][];
  /** Events posted so far (the page numbers them the same way). */
  sent: number;
  blobs: boolean;
}

const streams = new Map<number, Stream>();

function decodeBase64(b64: string): Uint8Array<ArrayBuffer> | null {
  try {
    return base64ToBytes(b64);
  } catch {
    return null;
  }
}

/** The base64 of an image payload, when it is base64 (not an `https:` URL). */
function base64Of(payload: string): string | null {
  if (payload.startsWith('data:')) {
    const comma = payload.indexOf(',');
    return comma !== -1 && /;base64$/i.test(payload.slice(0, comma))
      ? payload.slice(comma + 1)
      : null;
  }
  return payload.includes(':') ? null : payload;
}

function open(id: number, maxFrameBytes: number | undefined, raw: boolean) {
  let fromRaw: PartialImageEvent | null = null;
  const stream: Stream = {
    decoder: null as unknown as Decoder,
    events: [],
    entries: raw ? [] : null,
    payloads: [],
    sent: 0,
    blobs: false,
  };
  const count = () => stream.sent + stream.events.length;
  const note = (event: PartialImageEvent) => {
    if (!stream.blobs) return;
    const n = count() - 1;
    if (event.type === 'image.partial') stream.payloads.push([n, event.b64]);
    else if (event.type === 'image.final') stream.payloads.push([n, event.result]);
  };
  const collect = (event: PartialImageEvent) => {
    if (event === fromRaw) {
      fromRaw = null; // already listed with its raw event
      return;
    }
    const wire = encodeEvent(event);
    stream.events.push(wire);
    stream.entries?.push({ raw: false, event: wire });
    note(event);
  };
  stream.decoder = createDecoder(collect, {
    maxFrameBytes,
    onRaw: raw
      ? (value, event) => {
          const wire = event ? encodeEvent(event) : null;
          if (event && wire) {
            fromRaw = event;
            stream.events.push(wire);
            note(event);
          }
          stream.entries?.push({ raw: true, value, event: wire });
        }
      : undefined,
  });
  streams.set(id, stream);
}

/**
 * Posts what the last input produced: the events, with the Blobs of their frames when an
 * object-URL image wants them (decoded first, so that they arrive with the frames).
 */
function flush(id: number, stream: Stream) {
  if (stream.events.length === 0 && (stream.entries === null || stream.entries.length === 0))
    return;
  const blobs: FrameBlob[] = [];
  for (const [event, payload] of stream.payloads) {
    const b64 = base64Of(payload);
    const bytes = b64 === null ? null : decodeBase64(b64);
    if (!bytes || !b64) continue;
    const format = sniffImageFormat(b64);
    const type = format === null ? '' : IMAGE_MIME_TYPES[format];
    blobs.push([event, new Blob([bytes], { type })]);
  }
  stream.payloads = [];
  stream.sent += stream.events.length;
  if (stream.entries !== null) {
    scope.postMessage({ t: 'entries', id, entries: stream.entries, blobs });
    stream.entries = [];
  } else {
    scope.postMessage({ t: 'events', id, events: stream.events, blobs });
  }
  stream.events = [];
}

scope.addEventListener('message', (message) => {
  const data = message.data;
  if (data.t === 'open') return open(data.id, data.maxFrameBytes, data.raw);
  const stream = streams.get(data.id);
  if (!stream) return;
  switch (data.t) {
    case 'bytes':
      stream.blobs = data.blobs;
      if (data.json) stream.decoder.jsonBytes(data.chunk);
      else stream.decoder.bytes(data.chunk);
      return flush(data.id, stream);
    case 'value':
      stream.blobs = data.blobs;
      stream.decoder.value(data.value);
      return flush(data.id, stream);
    case 'pause':
      stream.decoder.pause();
      flush(data.id, stream);
      return scope.postMessage({
        t: 'paused',
        id: data.id,
        cursor: stream.decoder.cursor,
        done: stream.decoder.done,
      });
    case 'end': {
      const reason = stream.decoder.end();
      flush(data.id, stream);
      streams.delete(data.id);
      return scope.postMessage({ t: 'ended', id: data.id, reason, cursor: stream.decoder.cursor });
    }
    case 'close':
      streams.delete(data.id);
      return;
  }
});

scope.postMessage({ t: 'ready' });
