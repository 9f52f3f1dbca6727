/**
 * The servers around the apps: the fake OpenAI API, and for the Vite and webpack apps a small
 * Node server that relays it at `/api/image` with the packed `react-partial-images/server`
 * (`pipeSSEToNodeResponse`, as an Express route would) and serves the built files.
 */

import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import OpenAI from 'openai';
import type * as ServerEntry from '../../../src/server/index';
import { type FakeOpenAIServer, startFakeOpenAI } from '../../support/fake-openai';

/** The two fakes: paced like a real model (for the apps), and instant (for the decode page). */
export interface Fakes {
  paced: FakeOpenAIServer;
  instant: FakeOpenAIServer;
  close(): Promise<void>;
}

/**
 * Starts the fakes. The paced one waits between events, so that each preview reaches the screen
 * before the next arrives; neither sends the message text (the relay filters it out anyway).
 */
export async function startFakes(): Promise<Fakes> {
  const paced = await startFakeOpenAI({ delayMs: 120, text: false });
  const instant = await startFakeOpenAI({ text: false });
  return {
    paced,
    instant,
    async close() {
      await Promise.all([paced.close(), instant.close()]);
    },
  };
}

/** The image request the apps send to `/api/image`. */
export interface ImageRequestBody {
  prompt?: string;
  format?: 'png' | 'webp' | 'jpeg';
  size?: '1024x1024' | '1536x1024' | '1024x1536';
  partialImages?: number;
  /** Use the instant fake (the decode page paces the events itself). */
  instant?: boolean;
}

/** A running relay (and static) server. */
export interface AppServer {
  origin: string;
  /** Every request path, with its status. */
  requests: { method: string; path: string; status: number }[];
  /** Errors the relay reported through `onError`. */
  relayErrors: string[];
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The file under one of `roots` for a URL path, if any (never outside them). */
async function findFile(roots: readonly string[], path: string): Promise<string | null> {
  const relative = normalize(decodeURIComponent(path === '/' ? '/index.html' : path));
  for (const root of roots) {
    const file = join(root, relative);
    if (!file.startsWith(root.endsWith(sep) ? root : `${root}${sep}`)) continue;
    if (existsSync(file) && (await stat(file)).isFile()) return file;
  }
  return null;
}

/**
 * Starts the server of a client-side app: `POST /api/image` relays the fake through the packed
 * `/server` entry installed in `appDir`; other GETs are files from `roots` (none for the Vite
 * dev server, which proxies `/api` here).
 */
export async function startAppServer(options: {
  appDir: string;
  fakes: Fakes;
  roots?: readonly string[];
}): Promise<AppServer> {
  const entry = join(options.appDir, 'node_modules', 'react-partial-images', 'dist', 'server');
  const { pipeSSEToNodeResponse } = (await import(
    pathToFileURL(join(entry, 'index.js')).href
  )) as typeof ServerEntry;
  const client = (fake: FakeOpenAIServer) =>
    new OpenAI({ baseURL: fake.baseURL, apiKey: 'sk-fake' });
  const paced = client(options.fakes.paced);
  const instant = client(options.fakes.instant);
  const roots = options.roots ?? [];
  const requests: AppServer['requests'] = [];
  const relayErrors: string[] = [];

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const log = () => requests.push({ method: req.method ?? '', path, status: res.statusCode });
    res.once('finish', log);
    void (async () => {
      if (req.method === 'POST' && path === '/api/image') {
        const body = JSON.parse((await readBody(req)) || '{}') as ImageRequestBody;
        const openai = body.instant ? instant : paced;
        await pipeSSEToNodeResponse(
          (signal) =>
            openai.responses.create(
              {
                model: 'gpt-5',
                input: body.prompt ?? 'A lighthouse at dusk',
                stream: true,
                tools: [
                  {
                    type: 'image_generation',
                    partial_images: body.partialImages ?? 2,
                    output_format: body.format ?? 'png',
                    size: body.size ?? 'auto',
                  },
                ],
              },
              { signal },
            ),
          res,
          { filter: 'images', onError: (error) => relayErrors.push(String(error)) },
        );
        return;
      }
      const file = req.method === 'GET' ? await findFile(roots, path) : null;
      if (!file) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      res.writeHead(200, {
        'content-type': MIME[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-store',
      });
      res.end(await readFile(file));
    })().catch((error: unknown) => {
      relayErrors.push(String(error));
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    relayErrors,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
