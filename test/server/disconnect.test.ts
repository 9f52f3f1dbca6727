/**
 * Clients that go away: on a real `node:http` server (127.0.0.1, port 0), a browser disconnects
 * at every tenth of a relayed stream and in the middle of a frame's base64, from
 * `pipeSSEToNodeResponse` (an `http.get` whose socket is destroyed) and from `toSSEResponse`
 * served with `Readable.fromWeb` (a `fetch` that is aborted). Each time the upstream is stopped
 * by every handle it has (its signal fires, its body is cancelled or its iterator returned), the
 * relay settles, and no keep-alive timer, socket or buffer is left behind.
 */

import { once } from 'node:events';
import {
  createServer,
  get,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipeSSEToNodeResponse, toSSEResponse } from '../../src/server';
import { imageResponseEvents } from '../fixtures/events';
import { smallFrames } from '../fixtures/frames';
import { bytesOf, chunksOf, sse } from '../fixtures/streams';
import { relayTimers } from '../fuzz/relay';

/** A response with three real PNG images (3 previews and a final each): about 2 MB of SSE. */
const sunset = smallFrames[0]?.frames ?? [];
const events = imageResponseEvents({
  items: 3,
  partials: 3,
  format: 'png',
  frame: (item, k) => sunset[Math.min(3, k + (item % 2))] as string,
});
const text = sse(events);
const chunks = chunksOf(bytesOf(text), 64 * 1024);
const total = bytesOf(text).byteLength;

/** Where the client leaves: after 0, 1/10, …, 9/10 of the bytes, and inside a frame's base64. */
const midFrame = text.indexOf('"partial_image_b64":"', text.length / 2) + 5000;
const points: [string, number][] = [
  ...Array.from(
    { length: 10 },
    (_, i) => [`${i}/10`, Math.floor((total * i) / 10)] as [string, number],
  ),
  ['mid-frame', Buffer.byteLength(text.slice(0, midFrame))],
];

/** What one upstream saw. */
interface Upstream {
  signal: AbortSignal | null;
  released: boolean;
}

/**
 * The provider: the function form, so the relay owns the request. As bytes (a fetch body,
 * pull-based) or as parsed events (an SDK's stream). Either stays open after its last event (the
 * model still at work), so a client leaving always finds it running.
 */
function upstream(kind: 'bytes' | 'events', seen: Upstream) {
  return (signal: AbortSignal) => {
    seen.signal = signal;
    const stalled = () =>
      new Promise<void>((resolve) =>
        signal.addEventListener('abort', () => resolve(), { once: true }),
      );
    if (kind === 'events') {
      return (async function* () {
        try {
          yield* events;
          await stalled();
        } finally {
          seen.released = true;
        }
      })();
    }
    let i = 0;
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        const chunk = chunks[i++];
        if (chunk) controller.enqueue(chunk.slice());
        else await stalled();
      },
      cancel() {
        seen.released = true;
      },
    });
  };
}

type Relay = 'pipeSSEToNodeResponse' | 'toSSEResponse';

let server: Server;
let url = '';
let next: { relay: Relay; kind: 'bytes' | 'events'; seen: Upstream; done: Promise<void> } | null =
  null;
let settle: () => void = () => {};

/** Event-loop turns until `ready()` (no clock); at most `max`. */
async function until(ready: () => boolean, max = 2000) {
  for (let n = 0; n < max && !ready(); n++) await new Promise((resolve) => setImmediate(resolve));
}

function resources() {
  const counts = new Map<string, number>();
  for (const name of process.getActiveResourcesInfo())
    counts.set(name, (counts.get(name) ?? 0) + 1);
  return counts;
}

const gc = (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

let before: Map<string, number>;
let externalBefore = 0;

beforeAll(async () => {
  gc();
  before = resources();
  externalBefore = process.memoryUsage().arrayBuffers;
  server = createServer((_req: IncomingMessage, res: ServerResponse) => {
    const job = next;
    if (!job) {
      res.statusCode = 500;
      res.end();
      return;
    }
    const source = upstream(job.kind, job.seen);
    if (job.relay === 'pipeSSEToNodeResponse') {
      pipeSSEToNodeResponse(source, res, { keepAlive: 250 }).then(settle, settle);
      return;
    }
    // A fetch-API handler behind node:http: the client going away destroys the pipeline, which
    // cancels the Response body.
    const response = toSSEResponse(source, { keepAlive: 250 });
    res.writeHead(response.status, Object.fromEntries(response.headers));
    pipeline(Readable.fromWeb(response.body as never), res).then(settle, settle);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/image`;
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
});

/** An `http.get` that destroys its socket once `limit` bytes of the body have arrived. */
function leaveWithHttp(limit: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let read = 0;
    const request = get(url, (response) => {
      const leave = () => {
        request.destroy();
        resolve(read);
      };
      if (limit === 0) return leave();
      response.on('data', (chunk: Buffer) => {
        read += chunk.byteLength;
        if (read >= limit) leave();
      });
      response.on('end', () => reject(new Error('the relay ended: the upstream never does')));
    });
    request.on('error', () => resolve(read));
  });
}

/** A `fetch` whose body is read until `limit` bytes, then aborted. */
async function leaveWithFetch(limit: number): Promise<number> {
  const controller = new AbortController();
  const response = await fetch(url, { signal: controller.signal });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  let read = 0;
  while (read < limit) {
    const step = await reader.read();
    if (step.done) throw new Error('the relay ended: the upstream never does');
    read += step.value.byteLength;
  }
  controller.abort();
  await reader.cancel().catch(() => {});
  return read;
}

const cases: [Relay, 'bytes' | 'events', 'http' | 'fetch'][] = [
  ['pipeSSEToNodeResponse', 'bytes', 'http'],
  ['pipeSSEToNodeResponse', 'events', 'http'],
  ['toSSEResponse', 'bytes', 'fetch'],
  ['toSSEResponse', 'events', 'fetch'],
];

describe('clients that disconnect, on a real node:http server', () => {
  for (const [relay, kind, client] of cases) {
    it(`${relay}, upstream ${kind}, ${client} client: every disconnect stops the upstream`, async () => {
      for (const [name, limit] of points) {
        const seen: Upstream = { signal: null, released: false };
        const done = new Promise<void>((resolve) => {
          settle = resolve;
        });
        next = { relay, kind, seen, done };
        let read = 0;
        const left = await relayTimers(async () => {
          read = await (client === 'http' ? leaveWithHttp(limit) : leaveWithFetch(limit));
          await done; // the relay settled
          await until(() => seen.released);
        });
        next = null;
        expect(read, name).toBeGreaterThanOrEqual(limit);
        expect(seen.signal?.aborted, `${name}: the upstream's signal`).toBe(true);
        expect(seen.released, `${name}: the upstream's body or iterator`).toBe(true);
        expect(left, `${name}: keep-alive timers left`).toBe(0);
      }
    });
  }

  it('leaves no socket, server handle, timer or buffer behind', async () => {
    server.closeAllConnections();
    const leftover = () => {
      const now = resources();
      return ['TCPSocketWrap', 'Timeout', 'TCPWRAP'].filter(
        (name) => (now.get(name) ?? 0) > (before.get(name) ?? 0),
      );
    };
    await until(() => leftover().length === 0);
    expect(leftover()).toEqual([]);
    // Buffers are freed by the GC's second pass (their backing stores after their wrappers).
    for (let n = 0; n < 3; n++) {
      gc();
      await new Promise((resolve) => setImmediate(resolve));
    }
    // 44 streams of 2 MB went through: what stays is well under one of them (about 50 KB).
    const external = process.memoryUsage().arrayBuffers - externalBefore;
    expect(external).toBeLessThan(1024 * 1024);
  });
});
