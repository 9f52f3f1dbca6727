/**
 * `pipeSSEToNodeResponse` on a real `node:http` server (127.0.0.1, port 0), plus a fake response
 * to watch `write()` / `'drain'` one call at a time.
 */

import { EventEmitter, once } from 'node:events';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { Http2ServerResponse } from 'node:http2';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import type { PartialImagesSource } from '../../src/core';
import {
  type NodeResponseLike,
  type PipeSSEOptions,
  pipeSSEToNodeResponse,
} from '../../src/server';
import { imageResponseEvents } from '../fixtures/events';
import { sse } from '../fixtures/streams';
import { aborted, fakeFetch, readFirst } from './support';

// Node's own response types fit the structural type (checked by tsc).
const fits: ((res: ServerResponse) => NodeResponseLike)[] = [(res) => res];
const fitsHttp2: ((res: Http2ServerResponse) => NodeResponseLike)[] = [(res) => res];
void fits;
void fitsHttp2;

let server: Server | null = null;

afterEach(async () => {
  if (server) {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
    server = null;
  }
});

/** Serves `pipeSSEToNodeResponse(source(), res)` on a fresh port; `piped` settles per request. */
async function serve(source: () => PartialImagesSource, options?: PipeSSEOptions) {
  const piped: Promise<void>[] = [];
  server = createServer((_req: IncomingMessage, res: ServerResponse) => {
    piped.push(pipeSSEToNodeResponse(source(), res, options));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/api/image`, piped };
}

async function* iterate<T>(events: readonly T[]): AsyncGenerator<T> {
  for (const event of events) yield event;
}

describe('pipeSSEToNodeResponse on a real node:http server', () => {
  it('sends the event-stream headers and the relayed events, then ends the response', async () => {
    const events = imageResponseEvents({ items: 2 });
    const { url, piped } = await serve(() => iterate(events), {
      headers: { 'x-request-id': 'req_1' },
    });
    const response = await fetch(url, { method: 'POST' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    expect(response.headers.get('connection')).toBe('keep-alive');
    expect(response.headers.get('x-request-id')).toBe('req_1');
    expect(await response.text()).toBe(sse(events));
    await Promise.all(piped);
  });

  it('a client that disconnects mid-stream aborts the upstream request', async () => {
    const events = imageResponseEvents();
    const upstream = fakeFetch(() => ({ chunks: [sse(events.slice(0, 4))], hang: true }));
    const openai = new OpenAI({ apiKey: 'sk-test', fetch: upstream.fetch, maxRetries: 0 });
    const { url, piped } = await serve(
      () => (signal) =>
        openai.responses.create({ model: 'gpt-5', input: 'x', stream: true }, { signal }),
    );
    const client = new AbortController();
    const response = await fetch(url, { method: 'POST', signal: client.signal });
    const { text } = await readFirst(response.body!, 4);
    expect(text).toContain('"sequence_number":3');
    const upstreamSignal = upstream.requests[0]?.signal;
    expect(upstreamSignal?.aborted).toBe(false);
    client.abort();
    await aborted(upstreamSignal);
    expect(upstreamSignal?.aborted).toBe(true);
    await Promise.all(piped); // and the relay settled
  });
});

describe('pipeSSEToNodeResponse backpressure on a real socket', () => {
  it('stops reading the upstream while a client does not read, and resumes when it does', async () => {
    const frame = 'A'.repeat(1 << 20);
    const events = Array.from({ length: 32 }, (_, i) => ({
      type: 'response.image_generation_call.partial_image',
      item_id: 'ig_0',
      output_index: 0,
      partial_image_index: i,
      partial_image_b64: frame,
      sequence_number: i,
    }));
    let pulled = 0;
    async function* counting() {
      for (const event of events) {
        pulled++;
        yield event;
      }
    }
    const writes: boolean[] = [];
    let blocked: () => void = () => {};
    const full = new Promise<void>((resolve) => {
      blocked = resolve;
    });
    const piped: Promise<void>[] = [];
    server = createServer((_req, res) => {
      const write = res.write.bind(res) as (chunk: Uint8Array) => boolean;
      (res as unknown as NodeResponseLike).write = (chunk: Uint8Array) => {
        const ok = write(chunk);
        writes.push(ok);
        if (!ok) blocked();
        return ok;
      };
      piped.push(pipeSSEToNodeResponse(counting(), res, { keepAlive: false }));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const request = httpRequest({ host: '127.0.0.1', port, method: 'POST' });
    request.end();
    const [response] = (await once(request, 'response')) as [IncomingMessage];
    response.pause(); // a client that does not read
    await full;
    // Let the kernel buffers fill until nothing moves any more.
    let settled = -1;
    while (settled !== writes.length) {
      settled = writes.length;
      await turns(30);
    }
    const pulledWhileBlocked = pulled;
    await turns(30);
    expect(writes).toHaveLength(settled); // waiting for 'drain', not writing on
    expect(writes.at(-1)).toBe(false);
    expect(pulled).toBe(pulledWhileBlocked);
    expect(pulled).toBeLessThan(events.length);
    expect(pulled - writes.length).toBeLessThanOrEqual(2);
    let received = 0;
    response.on('data', (chunk: Buffer) => {
      received += chunk.length;
    });
    response.resume();
    await once(response, 'end');
    await Promise.all(piped);
    expect(pulled).toBe(events.length);
    expect(received).toBe(new TextEncoder().encode(sse(events)).length);
  });
});

/** A fake `ServerResponse`: `write()` answers `false` until told otherwise. */
class FakeResponse extends EventEmitter implements NodeResponseLike {
  statusCode = 0;
  headersSent = false;
  writableEnded = false;
  destroyed = false;
  req: { httpVersionMajor: number };
  headers: Record<string, string> = {};
  writes: string[] = [];
  full = true;
  constructor(httpVersionMajor = 1) {
    super();
    this.req = { httpVersionMajor };
  }
  setHeader(name: string, value: string) {
    this.headers[name] = value;
  }
  flushHeaders() {
    this.headersSent = true;
  }
  write(chunk: Uint8Array) {
    this.writes.push(new TextDecoder().decode(chunk));
    return !this.full;
  }
  end() {
    this.writableEnded = true;
    this.emit('close');
  }
}

/** Lets pending I/O callbacks and promise jobs run (event-loop turns, not time). */
async function turns(n = 20) {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('pipeSSEToNodeResponse backpressure and headers (fake response)', () => {
  it('waits for drain when write() returns false: a slow client holds one event, not all', async () => {
    const events = imageResponseEvents({ partials: 3 });
    let pulled = 0;
    async function* counting() {
      for (const event of events) {
        pulled++;
        yield event;
      }
    }
    const res = new FakeResponse();
    const done = pipeSSEToNodeResponse(counting(), res, { keepAlive: false });
    await turns();
    expect(res.writes).toHaveLength(1);
    expect(pulled).toBeLessThanOrEqual(3); // the one written, one queued, one being read
    await turns();
    expect(res.writes).toHaveLength(1); // still waiting: nothing piles up
    res.emit('drain');
    await turns();
    expect(res.writes).toHaveLength(2);
    expect(pulled).toBeLessThanOrEqual(4);
    res.full = false;
    res.emit('drain');
    await done;
    expect(res.writes.join('')).toBe(sse(events));
    expect(pulled).toBe(events.length);
    expect(res.writableEnded).toBe(true);
  });

  it('a close before the end aborts the upstream and does not end a destroyed response', async () => {
    let upstreamSignal: AbortSignal | undefined;
    const res = new FakeResponse();
    res.full = false;
    const done = pipeSSEToNodeResponse((signal) => {
      upstreamSignal = signal;
      return (async function* () {
        yield imageResponseEvents()[0];
        await new Promise(() => {}); // the model is thinking
      })();
    }, res);
    await turns();
    expect(res.writes).toHaveLength(1);
    res.destroyed = true;
    res.emit('close');
    await done;
    expect(upstreamSignal?.aborted).toBe(true);
    expect(res.writableEnded).toBe(false);
  });

  it('sets status and headers; connection: keep-alive on HTTP/1.x only; leaves sent headers alone', async () => {
    const http1 = new FakeResponse(1);
    await pipeSSEToNodeResponse(iterate([]), http1, { status: 203 });
    expect(http1.statusCode).toBe(203);
    expect(http1.headers).toEqual({
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    });
    const http2 = new FakeResponse(2);
    await pipeSSEToNodeResponse(iterate([]), http2);
    expect(http2.headers).not.toHaveProperty('connection');
    const sent = new FakeResponse();
    sent.headersSent = true;
    sent.full = false;
    await pipeSSEToNodeResponse(iterate(imageResponseEvents()), sent);
    expect(sent.headers).toEqual({});
    expect(sent.writes.join('')).toBe(sse(imageResponseEvents()));
  });
});
