/**
 * The relay under load (a benchmark, not a test): 200 concurrent streams of about 1.6 MB each,
 * relayed on loopback through `toSSEResponse` (served by `node:http` with `Readable.fromWeb`)
 * and through `pipeSSEToNodeResponse`, from an upstream of bytes (a provider `Response` body, in
 * fresh 64 KiB chunks as a socket gives them) and of parsed events (an SDK's stream).
 *
 * Each variant runs in a fresh server process, with its clients in another process (so the
 * server's memory is its own), and reports: throughput, peak RSS / heap / external memory while
 * the streams run, and heap, external and ArrayBuffer memory after they end and a full GC,
 * against the baseline measured before.
 *
 * A second pass has slow clients, that stop reading after their first chunk for
 * `RELAY_STALL_MS` (default 3000): what the server holds for a stream that cannot be written.
 *
 * Run: `npx tsx test/bench/relay.ts` (`RELAY_STREAMS`, default 200; `RELAY_ONLY=pipe-bytes,…`,
 * names `response|pipe`-`bytes|events`[`-slow`]).
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { pipeSSEToNodeResponse, toSSEResponse } from '../../src/server';
import { imageResponseEvents } from '../fixtures/events';
import { smallFrames } from '../fixtures/frames';
import { bytesOf, sse } from '../fixtures/streams';

const STREAMS = Number(process.env.RELAY_STREAMS) || 200;
const CHUNK = 64 * 1024;
const MB = 1024 * 1024;

type Relay = 'response' | 'pipe';
type Upstream = 'bytes' | 'events';
/** How long the slow clients of the second pass stop reading (after their first chunk). */
const STALL_MS = Number(process.env.RELAY_STALL_MS ?? 3000);
const VARIANTS: [Relay, Upstream, number][] = [
  ['response', 'bytes', 0],
  ['pipe', 'bytes', 0],
  ['response', 'events', 0],
  ['pipe', 'events', 0],
  ['response', 'bytes', STALL_MS],
  ['pipe', 'bytes', STALL_MS],
];

/** One response of about 1.6 MB: three real PNG images, three previews and a final each. */
function streamEvents() {
  const frames = smallFrames[0]?.frames ?? [];
  return imageResponseEvents({
    items: 3,
    partials: 3,
    format: 'png',
    resultsInCompleted: false,
    frame: (_item, k) => frames[Math.min(k, 3)] as string,
  });
}

// ---------------------------------------------------------------------------------------------
// The clients (their own process): STREAMS concurrent GETs, read and dropped
// ---------------------------------------------------------------------------------------------

const CLIENT = `
const http = require('node:http');
const [url, count, stall] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])];
const agent = new http.Agent({ maxSockets: Infinity });
const started = Date.now();
let bytes = 0, done = 0, failed = 0;
for (let i = 0; i < count; i++) {
  http.get(url, { agent }, (res) => {
    res.on('data', (chunk) => { bytes += chunk.length; });
    // A slow client: it stops reading after the first chunk, for a while.
    if (stall > 0) res.once('data', () => { res.pause(); setTimeout(() => res.resume(), stall); });
    res.on('end', () => finish());
    res.on('error', () => { failed++; finish(); });
  }).on('error', () => { failed++; finish(); });
}
function finish() {
  if (++done < count) return;
  process.stdout.write(JSON.stringify({ bytes, failed, ms: Date.now() - started }));
  agent.destroy();
}
`;

// ---------------------------------------------------------------------------------------------
// One variant (a fresh process)
// ---------------------------------------------------------------------------------------------

interface Memory {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

interface VariantResult {
  variant: string;
  streams: number;
  streamBytes: number;
  received: number;
  failed: number;
  ms: number;
  baseline: Memory;
  peak: Memory;
  after: Memory;
}

function memory(): Memory {
  const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
  return { rss, heapUsed, external, arrayBuffers };
}

async function fullGc(gc: () => void) {
  // ArrayBuffers' backing stores are freed a pass after their wrappers.
  for (let n = 0; n < 4; n++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function serve(relay: Relay, upstream: Upstream, stall: number): Promise<VariantResult> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const events = streamEvents();
  const text = sse(events);
  const bytes = bytesOf(text);

  /** The provider: a fresh stream per request, pulled as the relay reads it. */
  const source = () => {
    if (upstream === 'events') {
      return (async function* () {
        // An SDK parses each event from the wire: a new object per event, as it would have.
        for (const event of events) yield JSON.parse(JSON.stringify(event)) as unknown;
      })();
    }
    let at = 0;
    return new Response(
      new ReadableStream<Uint8Array>({
        pull(controller) {
          if (at >= bytes.length) return controller.close();
          // A new buffer per chunk, as a socket gives them.
          controller.enqueue(bytes.slice(at, at + CHUNK));
          at += CHUNK;
        },
      }),
      { headers: { 'content-type': 'text/event-stream' } },
    );
  };

  let open = 0;
  let served = 0;
  const server = createServer((_req: IncomingMessage, res: ServerResponse) => {
    open++;
    const ended = () => {
      open--;
      served++;
    };
    if (relay === 'pipe') {
      pipeSSEToNodeResponse(() => source(), res, { keepAlive: false }).then(ended, ended);
      return;
    }
    const response = toSSEResponse(() => source(), { keepAlive: false });
    res.writeHead(response.status, Object.fromEntries(response.headers));
    pipeline(Readable.fromWeb(response.body as never), res).then(ended, ended);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

  await fullGc(gc);
  const baseline = memory();
  const peak = { ...baseline };
  const sampler = setInterval(() => {
    const now = memory();
    for (const key of Object.keys(peak) as (keyof Memory)[])
      peak[key] = Math.max(peak[key], now[key]);
  }, 10);

  const client = spawn(process.execPath, ['-e', CLIENT, url, String(STREAMS), String(stall)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  client.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  await once(client as ChildProcess, 'exit');
  const report = JSON.parse(out) as { bytes: number; failed: number; ms: number };
  while (open > 0 || served < STREAMS) await new Promise((resolve) => setImmediate(resolve));
  clearInterval(sampler);
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
  await fullGc(gc);
  return {
    variant:
      `${relay === 'pipe' ? 'pipeSSEToNodeResponse' : 'toSSEResponse'} / ${upstream}` +
      (stall > 0 ? ` / clients stall ${stall} ms` : ''),
    streams: STREAMS,
    streamBytes: bytes.length,
    received: report.bytes,
    failed: report.failed,
    ms: report.ms,
    baseline,
    peak,
    after: memory(),
  };
}

// ---------------------------------------------------------------------------------------------
// The orchestrator
// ---------------------------------------------------------------------------------------------

const mb = (n: number) => `${(n / MB).toFixed(n < 10 * MB ? 2 : 0)} MB`;

async function main() {
  const only = process.env.RELAY_ONLY?.split(',');
  const results: VariantResult[] = [];
  for (const [relay, upstream, stall] of VARIANTS) {
    const name = `${relay}-${upstream}${stall > 0 ? '-slow' : ''}`;
    if (only && !only.includes(name)) continue;
    const child = spawn(
      process.execPath,
      [
        ...process.execArgv,
        fileURLToPath(import.meta.url),
        '--serve',
        relay,
        upstream,
        String(stall),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    if (code !== 0) throw new Error(`${name} exited with ${code}`);
    results.push(JSON.parse(out) as VariantResult);
  }
  console.log(
    `${STREAMS} concurrent streams of ${mb(results[0]?.streamBytes ?? 0)} on loopback ` +
      `(server memory; clients in their own process)\n`,
  );
  const header = [
    'variant'.padEnd(58),
    'MB/s'.padStart(6),
    'peak rss'.padStart(9),
    'peak heap'.padStart(10),
    'peak ext'.padStart(9),
    'heap Δ'.padStart(7),
    'ext Δ'.padStart(7),
    'AB Δ'.padStart(7),
    'failed'.padStart(7),
  ];
  console.log(header.join(' '));
  for (const r of results) {
    const delta = (key: keyof Memory) => `${((r.after[key] - r.baseline[key]) / MB).toFixed(1)}`;
    console.log(
      [
        r.variant.padEnd(58),
        (r.received / MB / (r.ms / 1000)).toFixed(0).padStart(6),
        mb(r.peak.rss).padStart(9),
        mb(r.peak.heapUsed).padStart(10),
        mb(r.peak.external).padStart(9),
        delta('heapUsed').padStart(7),
        delta('external').padStart(7),
        delta('arrayBuffers').padStart(7),
        String(r.failed).padStart(7),
      ].join(' '),
    );
  }
  console.log('\nΔ: after the streams ended and a full GC, minus the baseline before them (MB).');
  for (const r of results) {
    console.log(
      `${r.variant}: baseline rss ${mb(r.baseline.rss)}, heap ${mb(r.baseline.heapUsed)}, ` +
        `external ${mb(r.baseline.external)}; after rss ${mb(r.after.rss)}, heap ` +
        `${mb(r.after.heapUsed)}, external ${mb(r.after.external)}; received ` +
        `${mb(r.received)} of ${mb(r.streamBytes * r.streams)} in ${r.ms} ms`,
    );
  }
}

const at = process.argv.indexOf('--serve');
if (at !== -1) {
  const result = await serve(
    process.argv[at + 1] as Relay,
    process.argv[at + 2] as Upstream,
    Number(process.argv[at + 3]),
  );
  process.stdout.write(JSON.stringify(result));
} else {
  await main();
}
