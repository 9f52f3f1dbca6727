/**
 * A local fake of the OpenAI API, for tests, demo apps and benchmarks: the image routes of the
 * Responses API and the Images API, answered in the exact wire shape of the real service
 * (`event:` lines, a global `sequence_number`, the extra fields real image events carry), with
 * real image frames and scriptable failures.
 *
 * Two ways to reach it, with the same routes and behaviour:
 * - {@link startFakeOpenAI}: a `node:http` server on 127.0.0.1 (a random port), for anything that
 *   wants a base URL (`new OpenAI({ baseURL })`, `createOpenAI({ baseURL })`, a browser page);
 * - {@link fakeOpenAIFetch}: a `fetch`-compatible function served in process, for the SDKs'
 *   `fetch` option, so that a test needs no port.
 *
 * Routes:
 * - `POST /v1/responses`: `stream: true` → SSE; otherwise the JSON response object.
 * - `GET /v1/responses/:id` (`?stream=true&starting_after=n` replays the stored events after
 *   `n`, as for resuming a background response; without `stream`, the JSON object).
 * - `POST /v1/images/generations` (JSON) and `POST /v1/images/edits` (multipart):
 *   `stream: true` → `image_generation.*` / `image_edit.*` SSE events; otherwise JSON.
 *
 * What a response holds is decided per request: by default a reasoning item, one
 * `image_generation_call` when the request has the `image_generation` tool, then a message with
 * text deltas. A function tool whose name the prompt mentions (e.g. `weather` in "what's the
 * weather…") is answered with a `function_call` item instead, so that tool loops (the AI SDK's
 * `stopWhen`, the Agents SDK's runner) can be exercised; the next request, which carries the
 * `function_call_output`, gets the image and the text. {@link FakeOpenAIOptions.script} replaces
 * that rule.
 *
 * Known differences from the real service (on purpose): every response can be replayed (OpenAI
 * replays only `background: true` ones and answers 404 otherwise); ids are deterministic per fake;
 * `model` is echoed as sent (OpenAI answers with a dated snapshot, e.g. `gpt-5-2025-08-07`);
 * nothing is validated beyond `model`; usage figures are made up.
 *
 * The recordings in `test/fixtures/integrations/` (AI SDK, Agents SDK) were made against it.
 */

import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

/** An image `output_format`. */
export type FakeImageFormat = 'png' | 'jpeg' | 'webp';

/** Images to stream: partial frames, then the final image (the last entry). */
export interface FakeFrameSet {
  /** The format of the bytes (reported as `output_format`). */
  format: FakeImageFormat;
  /** The API size reported when the request asks for `auto` (e.g. `1536x1024`). */
  size?: string;
  /**
   * Base64 (no `data:` prefix). The last entry is the final image; the others are the partial
   * frames, used in order (the last of them repeats if more partials are asked for).
   */
  frames: readonly string[];
}

/** One request as the fake received it. */
export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. `/v1/responses/resp_…?stream=true&starting_after=3`. */
  url: string;
  /** The path alone. */
  path: string;
  query: Record<string, string>;
  /** Lower-case names; `authorization`, `api-key`, `x-api-key` and `cookie` are left out. */
  headers: Record<string, string>;
  /**
   * The parsed JSON body; for multipart, its fields (files as `{ file, type, size }`); the raw
   * text if it is neither; `undefined` without a body.
   */
  body: unknown;
}

/** A way for a request to fail. */
export type FakeFailure =
  | {
      /**
       * An `error` event mid-stream, after `afterEvents` events (default: right after the first
       * partial image), then `response.failed` (as OpenAI sends it) unless `failed: false`.
       * Non-streamed requests get HTTP 500 with the error as JSON.
       */
      type: 'error-event';
      afterEvents?: number;
      /** OpenAI's real wire nests the error (`{ error: { type, code, message, param } }`). */
      shape?: 'nested' | 'flat';
      code?: string;
      message?: string;
      failed?: boolean;
    }
  | {
      /** HTTP 429 with OpenAI's JSON error body and a `retry-after` header (seconds). */
      type: 'http-429';
      retryAfter?: number;
    }
  | {
      /**
       * The connection drops in the middle of a partial-image event: the first `fraction` of
       * that event's bytes are sent, then the socket is destroyed (in process: the body errors
       * with `TypeError('terminated')`, as undici's does).
       */
      type: 'cut';
      /** Which partial image event (0-based, over the whole stream). @defaultValue 0 */
      partialImage?: number;
      /** @defaultValue 0.5 */
      fraction?: number;
    };

/** One output item of a scripted response. */
export type FakeOutputItem =
  | { type: 'reasoning' }
  | {
      type: 'image';
      /** The frames for this image (default: the fake's frames for the request's format). */
      frames?: FakeFrameSet;
      /** Partial frames for this image (default: the fake's rule). */
      partials?: number;
      /** `output_item.done` status; Azure sends `generating`. @defaultValue 'completed' */
      status?: string;
      /** Send `image_generation_call.completed` (Azure does not). @defaultValue true */
      completedEvent?: boolean;
      revisedPrompt?: string;
    }
  | { type: 'function_call'; name: string; arguments?: unknown }
  | { type: 'message'; text: string };

/** What a {@link FakeOpenAIOptions.script} gets to decide a response. */
export interface FakeTurn {
  request: RecordedRequest;
  /** The request body (`/v1/responses`). */
  body: Record<string, unknown>;
  /** The text of the last user message (or the `input` string). */
  prompt: string;
  /** The type of the last input item: `message`, `function_call_output`, … */
  lastInputType: string;
  /** The request's `image_generation` tool, if any. */
  imageTool: Record<string, unknown> | undefined;
  /** The request's function tools. */
  functionTools: Record<string, unknown>[];
}

/** Options of {@link startFakeOpenAI} and {@link fakeOpenAIFetch}. */
export interface FakeOpenAIOptions {
  /**
   * The images to stream: a frame set, or plain base64 frames (partials then the final; the
   * format is sniffed, or taken from `format`). Default: the committed small frames
   * (`test/fixtures/frames/small/frames.json`) whose format is the requested `output_format`
   * (png: 256x256 "sunset", webp: 384x256 "city", jpeg: 256x384 "forest").
   */
  frames?: FakeFrameSet | readonly string[];
  /** Force this `output_format` (and pick the default frames by it), whatever the request says. */
  format?: FakeImageFormat;
  /** Partial frames per image, whatever the request's `partial_images` says. */
  partialImages?: number;
  /** When the request names no `partial_images`. @defaultValue 2 */
  defaultPartialImages?: number;
  /** Image items per response (or images per Images API stream). @defaultValue 1 */
  images?: number;
  /** Report this size (e.g. `3840x2160`, `auto`) on every image event and item. */
  size?: string;
  /** The `revised_prompt` of every image (default: text with non-ASCII, an em dash, curly quotes). */
  revisedPrompt?: string;
  /** A reasoning item before the images. @defaultValue true */
  reasoning?: boolean;
  /**
   * The message text after the images (sent in word deltas), or `false` for no message.
   * Default: {@link DEFAULT_TEXT} after an image or a tool output, else {@link DEFAULT_PLAIN_TEXT}.
   */
  text?: string | false;
  /** Wait this long between events (on every streamed route). @defaultValue 0 */
  delayMs?: number;
  /** Split every event's bytes into chunks of at most this many bytes (network-like framing). */
  chunkSize?: number;
  /** Write `event:` lines on Images API streams (not confirmed for OpenAI). @defaultValue true */
  imagesEventLines?: boolean;
  /** A failure for every request, or per request (`undefined`: none). */
  failure?: FakeFailure | ((request: RecordedRequest) => FakeFailure | undefined);
  /** Fail only the first `failureTimes` requests (to exercise retries). @defaultValue Infinity */
  failureTimes?: number;
  /** Decide a response's output items (`undefined` falls back to the default rule). */
  script?: (turn: FakeTurn) => FakeOutputItem[] | undefined;
  /** Arguments of a default function call (default: filled from the tool's JSON schema). */
  functionArguments?: (name: string, parameters: unknown) => unknown;
  /** Unix seconds for `created_at`. @defaultValue () => Math.floor(Date.now() / 1000) */
  clock?: () => number;
}

/** A running {@link startFakeOpenAI} server. */
export interface FakeOpenAIServer {
  /** `http://127.0.0.1:<port>/v1` */
  baseURL: string;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /** Closes the server and every open connection. */
  close(): Promise<void>;
}

/** A fetch-compatible function over the fake, with the requests it received. */
export type FakeOpenAIFetch = ((
  input: string | URL | Request,
  init?: RequestInit,
) => Promise<Response>) & {
  requests: RecordedRequest[];
};

/** A base URL for SDKs used with {@link fakeOpenAIFetch} (any origin works; the path matters). */
export const FAKE_OPENAI_BASE_URL = 'https://fake-openai.test/v1';

/** The default `revised_prompt`: non-ASCII text, an em dash, curly quotes and an emoji. */
export const DEFAULT_REVISED_PROMPT =
  'A quiet harbour town at dusk — “Café Ölçü” glows in neon above wet cobblestones; ' +
  'lanterns in 日本語 and Ελληνικά line the quay 🌆';

/** The default message text after an image (or a tool's output). */
export const DEFAULT_TEXT = 'Here is your picture — I called it “Harbour at dusk”. Enjoy! ✨';

/** The default message text of a response with no image. */
export const DEFAULT_PLAIN_TEXT = 'Hello — I can draw “anything” you describe. ✨';

// ---------------------------------------------------------------------------------------------
// Entry points
// ---------------------------------------------------------------------------------------------

/** Starts the fake on 127.0.0.1 (a free port). Close it with `close()`. */
export async function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAIServer> {
  const fake = createFake(options);
  const server = createServer((req, res) => {
    void serveNode(fake, req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests: fake.requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** A `fetch` that answers the fake's routes in process (any origin; see {@link FAKE_OPENAI_BASE_URL}). */
export function fakeOpenAIFetch(options: FakeOpenAIOptions = {}): FakeOpenAIFetch {
  const fake = createFake(options);
  const fetchFn = async (input: string | URL | Request, init?: RequestInit) => {
    const request = new Request(input, init);
    // The openai SDK probes `fetch` with a `data:` URL (FormData support) before uploads: that is
    // not an API call, so the platform's fetch answers it.
    if (!/^https?:$/.test(new URL(request.url).protocol)) return fetch(input, init);
    const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
    if (signal?.aborted) throw signal.reason;
    const answer = await fake.handle(request);
    return toFetchResponse(answer, signal ?? undefined);
  };
  return Object.assign(fetchFn, { requests: fake.requests });
}

// ---------------------------------------------------------------------------------------------
// The fake: request → answer (status, headers, and body chunks with pacing)
// ---------------------------------------------------------------------------------------------

/** Thrown inside a body to drop the connection. */
class ConnectionCut extends Error {}

interface Answer {
  status: number;
  headers: Record<string, string>;
  /** Body pieces, already paced (`delayMs`) and chunked; a thrown `ConnectionCut` drops the line. */
  body: AsyncIterable<Uint8Array>;
}

interface StoredResponse {
  events: Record<string, unknown>[];
  final: Record<string, unknown>;
}

interface Fake {
  requests: RecordedRequest[];
  handle(request: Request): Promise<Answer>;
}

const encoder = new TextEncoder();

function createFake(options: FakeOpenAIOptions): Fake {
  const requests: RecordedRequest[] = [];
  const stored = new Map<string, StoredResponse>();
  const ids = idMaker();
  const clock = options.clock ?? (() => Math.floor(Date.now() / 1000));
  let failures = 0;

  function failureFor(recorded: RecordedRequest): FakeFailure | undefined {
    const failure =
      typeof options.failure === 'function' ? options.failure(recorded) : options.failure;
    if (!failure || recorded.method !== 'POST') return undefined;
    if (failures >= (options.failureTimes ?? Number.POSITIVE_INFINITY)) return undefined;
    failures++;
    return failure;
  }

  async function handle(request: Request): Promise<Answer> {
    const recorded = await record(request);
    requests.push(recorded);
    const path = recorded.path.replace(/\/+$/, '');
    const failure = failureFor(recorded);
    if (failure?.type === 'http-429') return rateLimited(failure);

    if (request.method === 'POST' && /\/responses$/.test(path)) {
      return responsesRoute(recorded, failure);
    }
    const retrieve = /\/responses\/([^/]+)$/.exec(path);
    if (request.method === 'GET' && retrieve?.[1]) return retrieveRoute(retrieve[1], recorded);
    const images = /\/images\/(generations|edits)$/.exec(path);
    if (request.method === 'POST' && images?.[1]) {
      return imagesRoute(
        images[1] === 'edits' ? 'image_edit' : 'image_generation',
        recorded,
        failure,
      );
    }
    return jsonAnswer(404, {
      error: {
        message: `Invalid URL (${request.method} ${recorded.path})`,
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    });
  }

  function responsesRoute(recorded: RecordedRequest, failure: FakeFailure | undefined): Answer {
    const body = isRecord(recorded.body) ? recorded.body : {};
    if (typeof body.model !== 'string') {
      return jsonAnswer(400, {
        error: {
          message: "Missing required parameter: 'model'.",
          type: 'invalid_request_error',
          param: 'model',
          code: 'missing_required_parameter',
        },
      });
    }
    const built = buildResponse(body, recorded, options, ids, clock());
    stored.set(built.final.id as string, built);
    if (body.stream !== true) {
      if (failure?.type === 'error-event') return serverError(failure);
      if (failure?.type === 'cut') return cutJson(built.final, failure);
      return jsonAnswer(200, built.final);
    }
    const events =
      failure?.type === 'error-event' ? withErrorEvent(built.events, failure) : built.events;
    return sseAnswer(
      events.map((event) => frame(event, true)),
      options,
      failure,
    );
  }

  function retrieveRoute(id: string, recorded: RecordedRequest): Answer {
    const response = stored.get(id);
    if (!response) {
      return jsonAnswer(404, {
        error: {
          message: `Response with id '${id}' not found.`,
          type: 'invalid_request_error',
          param: null,
          code: null,
        },
      });
    }
    if (recorded.query.stream !== 'true') return jsonAnswer(200, response.final);
    const after = Number(recorded.query.starting_after ?? -1);
    const events = response.events.filter((event) => Number(event.sequence_number) > after);
    return sseAnswer(
      events.map((event) => frame(event, true)),
      options,
      undefined,
    );
  }

  function imagesRoute(
    kind: 'image_generation' | 'image_edit',
    recorded: RecordedRequest,
    failure: FakeFailure | undefined,
  ): Answer {
    const body = isRecord(recorded.body) ? recorded.body : {};
    const built = buildImagesApi(kind, body, options, clock());
    if (body.stream !== true && body.stream !== 'true') {
      if (failure?.type === 'error-event') return serverError(failure);
      if (failure?.type === 'cut') return cutJson(built.json, failure);
      return jsonAnswer(200, built.json);
    }
    const events =
      failure?.type === 'error-event'
        ? withErrorEvent(built.events, { ...failure, failed: false })
        : built.events;
    const eventLines = options.imagesEventLines ?? true;
    return sseAnswer(
      events.map((event) => frame(event, eventLines)),
      options,
      failure,
    );
  }

  return { requests, handle };
}

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

const SECRET_HEADERS = new Set(['authorization', 'api-key', 'x-api-key', 'cookie']);

async function record(request: Request): Promise<RecordedRequest> {
  const url = new URL(request.url);
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    if (!SECRET_HEADERS.has(name.toLowerCase())) headers[name.toLowerCase()] = value;
  });
  const query: Record<string, string> = {};
  url.searchParams.forEach((value, name) => {
    query[name] = value;
  });
  let body: unknown;
  const type = request.headers.get('content-type') ?? '';
  if (type.startsWith('multipart/form-data')) {
    const form = await request.formData();
    const fields: Record<string, unknown> = {};
    form.forEach((value, name) => {
      fields[name] =
        typeof value === 'string'
          ? value
          : { file: (value as File).name, type: value.type, size: value.size };
    });
    body = fields;
  } else {
    const text = await request.text();
    if (text !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
  }
  return {
    method: request.method,
    url: url.pathname + url.search,
    path: url.pathname,
    query,
    headers,
    body,
  };
}

// ---------------------------------------------------------------------------------------------
// Frames
// ---------------------------------------------------------------------------------------------

interface SmallFrameSet {
  scene: string;
  width: number;
  height: number;
  format: FakeImageFormat;
  frames: string[];
}

let smallFrames: SmallFrameSet[] | undefined;

/** The committed small frames, read once. */
function defaultFrameSets(): SmallFrameSet[] {
  smallFrames ??= JSON.parse(
    readFileSync(new URL('../fixtures/frames/small/frames.json', import.meta.url), 'utf8'),
  ) as SmallFrameSet[];
  return smallFrames;
}

/** The API size a small frame set stands for (the small ones are scaled by 1/4). */
function apiSize(set: SmallFrameSet): string {
  return `${set.width * 4}x${set.height * 4}`;
}

/** The format of base64 image bytes, from their signature. */
export function sniffFormat(base64: string): FakeImageFormat | undefined {
  if (base64.startsWith('iVBORw0KGgo')) return 'png';
  if (base64.startsWith('/9j/')) return 'jpeg';
  if (base64.startsWith('UklGR')) return 'webp';
  return undefined;
}

function isFormat(value: unknown): value is FakeImageFormat {
  return value === 'png' || value === 'jpeg' || value === 'webp';
}

/** The frames to use for `requested` (the request's `output_format`). */
function resolveFrames(options: FakeOpenAIOptions, requested: unknown): FakeFrameSet {
  const { frames } = options;
  if (frames && !Array.isArray(frames)) return frames as FakeFrameSet;
  if (frames && frames.length > 0) {
    const list = frames as readonly string[];
    const format = options.format ?? sniffFormat(list[0] ?? '') ?? 'png';
    return { format, frames: list };
  }
  const format = options.format ?? (isFormat(requested) ? requested : 'png');
  const set = defaultFrameSets().find((candidate) => candidate.format === format);
  if (!set) throw new Error(`no default frames in format ${format}`);
  return { format, size: apiSize(set), frames: set.frames };
}

function partialFrame(set: FakeFrameSet, index: number): string {
  const partials = set.frames.length - 1;
  const frame = partials > 0 ? set.frames[Math.min(index, partials - 1)] : set.frames[0];
  return frame ?? '';
}

function finalFrame(set: FakeFrameSet): string {
  return set.frames[set.frames.length - 1] ?? '';
}

// ---------------------------------------------------------------------------------------------
// Responses API
// ---------------------------------------------------------------------------------------------

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deterministic ids in OpenAI's shape (`resp_` + 50 hex digits, `call_` + 24 letters). */
function idMaker() {
  let n = 0;
  return (prefix: string): string => {
    n++;
    let state = (n * 2654435761 + prefix.length * 40503) >>> 0;
    const next = () => {
      state = (state * 1664525 + 1013904223) >>> 0;
      return state;
    };
    if (prefix === 'call') {
      const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
      let id = '';
      for (let i = 0; i < 24; i++) id += letters[next() % letters.length];
      return `call_${id}`;
    }
    let hex = '';
    while (hex.length < 50) hex += next().toString(16).padStart(8, '0');
    return `${prefix}_${hex.slice(0, 50)}`;
  };
}

function promptOf(input: unknown): { prompt: string; lastInputType: string } {
  if (typeof input === 'string') return { prompt: input, lastInputType: 'message' };
  if (!Array.isArray(input)) return { prompt: '', lastInputType: 'none' };
  const last = input[input.length - 1];
  const lastInputType = isRecord(last)
    ? typeof last.type === 'string'
      ? last.type
      : 'message'
    : 'none';
  for (let i = input.length - 1; i >= 0; i--) {
    const item = input[i];
    if (!isRecord(item) || item.role !== 'user') continue;
    if (typeof item.content === 'string') return { prompt: item.content, lastInputType };
    if (Array.isArray(item.content)) {
      const text = item.content
        .map((part) => (isRecord(part) && typeof part.text === 'string' ? part.text : ''))
        .join(' ');
      return { prompt: text, lastInputType };
    }
  }
  return { prompt: '', lastInputType };
}

/** Does the prompt mention the tool (its name, its name in words, or its last word)? */
function mentions(prompt: string, name: string): boolean {
  const text = prompt.toLowerCase();
  const parts = name
    .toLowerCase()
    .split(/[_\-\s.]+/)
    .filter(Boolean);
  const last = parts[parts.length - 1];
  return (
    text.includes(name.toLowerCase()) ||
    text.includes(parts.join(' ')) ||
    (last !== undefined && last.length >= 4 && text.includes(last))
  );
}

/**
 * Arguments from a JSON schema: a place-like string (`city`, `location`, …) is `'Lisbon'`, any
 * other string the user's prompt; the first enum value; numbers 20; booleans true.
 */
function argumentsFor(schema: unknown, prompt: string, key = ''): unknown {
  if (!isRecord(schema)) return {};
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (type === 'object' || isRecord(schema.properties)) {
    const out: Record<string, unknown> = {};
    const properties = isRecord(schema.properties) ? schema.properties : {};
    for (const [name, value] of Object.entries(properties)) {
      out[name] = argumentsFor(value, prompt, name);
    }
    return out;
  }
  if (type === 'string') return /city|location|place|town/i.test(key) ? 'Lisbon' : prompt;
  if (type === 'number' || type === 'integer') return 20;
  if (type === 'boolean') return true;
  if (type === 'array') return [argumentsFor(schema.items, prompt, key)];
  return null;
}

function defaultScript(turn: FakeTurn, options: FakeOpenAIOptions): FakeOutputItem[] {
  const out: FakeOutputItem[] = [];
  const toolChoice = turn.body.tool_choice;
  if (options.reasoning !== false) out.push({ type: 'reasoning' });
  const forced = isRecord(toolChoice) ? toolChoice : undefined;
  const forcedFunction =
    forced?.type === 'function' && typeof forced.name === 'string' ? forced.name : undefined;
  const called =
    forcedFunction ??
    (turn.lastInputType === 'function_call_output' ||
    toolChoice === 'none' ||
    forced?.type === 'image_generation'
      ? undefined
      : turn.functionTools.find((tool) => mentions(turn.prompt, String(tool.name)))?.name);
  if (typeof called === 'string') {
    const tool = turn.functionTools.find((candidate) => candidate.name === called);
    const args = options.functionArguments
      ? options.functionArguments(called, tool?.parameters)
      : argumentsFor(tool?.parameters, turn.prompt);
    out.push({ type: 'function_call', name: called, arguments: args });
    return out;
  }
  const drawing = turn.imageTool !== undefined && toolChoice !== 'none';
  if (drawing) for (let i = 0; i < (options.images ?? 1); i++) out.push({ type: 'image' });
  const text =
    options.text ??
    (drawing || turn.lastInputType === 'function_call_output' ? DEFAULT_TEXT : DEFAULT_PLAIN_TEXT);
  if (text !== false) out.push({ type: 'message', text });
  return out;
}

/** The `tools` echo of `response.created`: resolved, with OpenAI's defaults filled in. */
function echoTools(tools: unknown): unknown[] {
  if (!Array.isArray(tools)) return [];
  return tools.map((tool) => {
    if (!isRecord(tool)) return tool;
    if (tool.type === 'image_generation') {
      // Observed echo key order (vercel/ai openai-image-generation-tool fixture); no
      // `partial_images` in the echo, as on the real wire.
      return {
        type: 'image_generation',
        background: tool.background ?? 'auto',
        moderation: tool.moderation ?? 'auto',
        n: 1,
        output_compression: tool.output_compression ?? 100,
        output_format: tool.output_format ?? 'png',
        quality: tool.quality ?? 'auto',
        size: tool.size ?? 'auto',
      };
    }
    if (tool.type === 'function') {
      return {
        type: 'function',
        description: tool.description ?? null,
        name: tool.name,
        parameters: tool.parameters ?? null,
        strict: tool.strict ?? true,
      };
    }
    return tool;
  });
}

/** Word deltas as OpenAI sends them: each word with the space before it. */
const wordDeltas = (text: string) => text.match(/\s*\S+/gu) ?? [];

interface BuiltResponse extends StoredResponse {
  final: Record<string, unknown> & { id: string };
}

function buildResponse(
  body: Record<string, unknown>,
  request: RecordedRequest,
  options: FakeOpenAIOptions,
  id: (prefix: string) => string,
  createdAt: number,
): BuiltResponse {
  const tools = Array.isArray(body.tools) ? body.tools.filter(isRecord) : [];
  const imageTool = tools.find((tool) => tool.type === 'image_generation');
  const functionTools = tools.filter((tool) => tool.type === 'function');
  const { prompt, lastInputType } = promptOf(body.input);
  const turn: FakeTurn = { request, body, prompt, lastInputType, imageTool, functionTools };
  const plan = options.script?.(turn) ?? defaultScript(turn, options);

  const background = body.background === true;
  const responseId = id('resp');
  const base: Record<string, unknown> = {
    id: responseId,
    object: 'response',
    created_at: createdAt,
    status: background ? 'queued' : 'in_progress',
    background,
    error: null,
    incomplete_details: null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    max_tool_calls: body.max_tool_calls ?? null,
    model: body.model,
    output: [],
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: body.previous_response_id ?? null,
    prompt_cache_key: body.prompt_cache_key ?? null,
    reasoning: {
      effort: isRecord(body.reasoning) ? (body.reasoning.effort ?? 'medium') : 'medium',
      summary: isRecord(body.reasoning) ? (body.reasoning.summary ?? null) : null,
    },
    safety_identifier: null,
    service_tier: 'auto',
    store: body.store ?? true,
    temperature: body.temperature ?? 1,
    text: { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: body.tool_choice ?? 'auto',
    tools: echoTools(body.tools),
    top_logprobs: 0,
    top_p: body.top_p ?? 1,
    truncation: 'disabled',
    usage: null,
    user: null,
    metadata: body.metadata ?? {},
  };

  const events: Record<string, unknown>[] = [];
  const push = (event: Record<string, unknown>) => {
    // `sequence_number` second, as OpenAI orders it; global across the whole response.
    const { type, ...rest } = event;
    events.push({ type, sequence_number: events.length, ...rest });
  };
  push({ type: 'response.created', response: { ...base } });
  if (background) push({ type: 'response.queued', response: { ...base } });
  push({ type: 'response.in_progress', response: { ...base, status: 'in_progress' } });

  const output: Record<string, unknown>[] = [];
  let images = 0;
  for (const item of plan) {
    const outputIndex = output.length;
    if (item.type === 'reasoning') {
      const reasoning = { id: id('rs'), type: 'reasoning', summary: [] };
      push({ type: 'response.output_item.added', output_index: outputIndex, item: reasoning });
      push({ type: 'response.output_item.done', output_index: outputIndex, item: reasoning });
      output.push(reasoning);
    } else if (item.type === 'image') {
      images++;
      const set = item.frames ?? resolveFrames(options, imageTool?.output_format);
      const itemId = id('ig');
      const meta = imageMeta(imageTool, set, options);
      const requested =
        typeof imageTool?.partial_images === 'number' ? imageTool.partial_images : undefined;
      const partials =
        item.partials ?? options.partialImages ?? requested ?? options.defaultPartialImages ?? 2;
      const at = { output_index: outputIndex, item_id: itemId };
      push({
        type: 'response.output_item.added',
        output_index: outputIndex,
        item: { id: itemId, type: 'image_generation_call', status: 'in_progress' },
      });
      push({ type: 'response.image_generation_call.in_progress', ...at });
      push({ type: 'response.image_generation_call.generating', ...at });
      for (let i = 0; i < partials; i++) {
        push({
          type: 'response.image_generation_call.partial_image',
          ...at,
          partial_image_index: i,
          partial_image_b64: partialFrame(set, i),
          size: meta.size,
          quality: meta.quality,
          background: meta.background,
          output_format: meta.output_format,
        });
      }
      if (item.completedEvent !== false) {
        push({ type: 'response.image_generation_call.completed', ...at });
      }
      const done = {
        id: itemId,
        type: 'image_generation_call',
        status: item.status ?? 'completed',
        background: meta.background,
        output_format: meta.output_format,
        quality: meta.quality,
        result: finalFrame(set),
        revised_prompt: item.revisedPrompt ?? options.revisedPrompt ?? DEFAULT_REVISED_PROMPT,
        size: meta.size,
      };
      push({ type: 'response.output_item.done', output_index: outputIndex, item: done });
      output.push(done);
    } else if (item.type === 'function_call') {
      const itemId = id('fc');
      const args =
        typeof item.arguments === 'string' ? item.arguments : JSON.stringify(item.arguments ?? {});
      const callId = id('call');
      push({
        type: 'response.output_item.added',
        output_index: outputIndex,
        item: {
          id: itemId,
          type: 'function_call',
          status: 'in_progress',
          arguments: '',
          call_id: callId,
          name: item.name,
        },
      });
      const at = { item_id: itemId, output_index: outputIndex };
      for (const [n, delta] of chunksOfText(args, 8).entries()) {
        push({
          type: 'response.function_call_arguments.delta',
          ...at,
          delta,
          obfuscation: obfuscation(n),
        });
      }
      push({ type: 'response.function_call_arguments.done', ...at, arguments: args });
      const done = {
        id: itemId,
        type: 'function_call',
        status: 'completed',
        arguments: args,
        call_id: callId,
        name: item.name,
      };
      push({ type: 'response.output_item.done', output_index: outputIndex, item: done });
      output.push(done);
    } else {
      const itemId = id('msg');
      const at = { item_id: itemId, output_index: outputIndex, content_index: 0 };
      const part = (text: string) => ({ type: 'output_text', annotations: [], logprobs: [], text });
      push({
        type: 'response.output_item.added',
        output_index: outputIndex,
        item: {
          id: itemId,
          type: 'message',
          status: 'in_progress',
          content: [],
          role: 'assistant',
        },
      });
      push({ type: 'response.content_part.added', ...at, part: part('') });
      for (const [n, delta] of wordDeltas(item.text).entries()) {
        push({
          type: 'response.output_text.delta',
          ...at,
          delta,
          logprobs: [],
          obfuscation: obfuscation(n),
        });
      }
      push({ type: 'response.output_text.done', ...at, text: item.text, logprobs: [] });
      push({ type: 'response.content_part.done', ...at, part: part(item.text) });
      const done = {
        id: itemId,
        type: 'message',
        status: 'completed',
        content: [part(item.text)],
        role: 'assistant',
      };
      push({ type: 'response.output_item.done', output_index: outputIndex, item: done });
      output.push(done);
    }
  }

  const outputTokens = 12 + output.length * 7;
  const final: Record<string, unknown> & { id: string } = {
    ...base,
    id: responseId,
    status: 'completed',
    output,
    usage: {
      input_tokens: 24,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: outputTokens,
      output_tokens_details: { reasoning_tokens: options.reasoning === false ? 0 : 64 },
      total_tokens: 24 + outputTokens,
    },
    ...(images > 0
      ? {
          tool_usage: {
            image_gen: {
              input_tokens: 40,
              input_tokens_details: { image_tokens: 0, text_tokens: 40 },
              output_tokens: 272 * images,
              output_tokens_details: { image_tokens: 272 * images, text_tokens: 0 },
              total_tokens: 40 + 272 * images,
            },
          },
        }
      : {}),
  };
  push({ type: 'response.completed', response: final });
  return { events, final };
}

interface ImageMeta {
  size: string;
  quality: string;
  background: string;
  output_format: FakeImageFormat;
}

/** The resolved image settings reported on events and items (`auto` resolved, as OpenAI does). */
function imageMeta(
  tool: Record<string, unknown> | undefined,
  set: FakeFrameSet,
  options: FakeOpenAIOptions,
): ImageMeta {
  const size =
    options.size ??
    (typeof tool?.size === 'string' && tool.size !== 'auto'
      ? tool.size
      : (set.size ?? '1024x1024'));
  const quality =
    typeof tool?.quality === 'string' && tool.quality !== 'auto' ? tool.quality : 'medium';
  const background =
    typeof tool?.background === 'string' && tool.background !== 'auto' ? tool.background : 'opaque';
  return { size, quality, background, output_format: set.format };
}

function chunksOfText(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out.length > 0 ? out : [''];
}

/** The padding string real deltas carry (its length hides the token's). */
function obfuscation(n: number): string {
  const letters = 'fnaZDlQxOXxI4omOuTUyBElMJSNAySC1S9hV3s';
  const length = 4 + ((n * 7) % 11);
  let out = '';
  for (let i = 0; i < length; i++) out += letters[(n * 13 + i * 5) % letters.length];
  return out;
}

/** The events up to the failure point, then `error` (and `response.failed`). */
function withErrorEvent(
  events: Record<string, unknown>[],
  failure: Extract<FakeFailure, { type: 'error-event' }>,
): Record<string, unknown>[] {
  const firstPartial = events.findIndex((event) => String(event.type).endsWith('partial_image'));
  const after = failure.afterEvents ?? (firstPartial >= 0 ? firstPartial + 1 : events.length - 1);
  const kept = events.slice(0, Math.max(0, Math.min(after, events.length)));
  const sequenced = kept.length > 0 && 'sequence_number' in (kept[0] ?? {});
  const seq = kept.length;
  const code = failure.code ?? 'server_error';
  const message =
    failure.message ??
    'An error occurred while processing your request. You can retry your request, or contact us through our help center if the error persists.';
  const sequence = sequenced ? { sequence_number: seq } : {};
  const error =
    failure.shape === 'flat'
      ? { type: 'error', code, message, param: null, ...sequence }
      : { type: 'error', ...sequence, error: { type: code, code, message, param: null } };
  const out = [...kept, error];
  const created = kept.find((event) => event.type === 'response.created')?.response;
  if (failure.failed !== false && isRecord(created)) {
    out.push({
      type: 'response.failed',
      sequence_number: seq + 1,
      response: { ...created, status: 'failed', error: { code, message } },
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Images API
// ---------------------------------------------------------------------------------------------

function buildImagesApi(
  kind: 'image_generation' | 'image_edit',
  body: Record<string, unknown>,
  options: FakeOpenAIOptions,
  createdAt: number,
): { events: Record<string, unknown>[]; json: Record<string, unknown> } {
  const set = resolveFrames(options, body.output_format);
  const meta = imageMeta(body, set, options);
  const requested = Number(body.partial_images);
  const partials =
    options.partialImages ??
    (Number.isFinite(requested) && body.partial_images !== undefined
      ? requested
      : (options.defaultPartialImages ?? 2));
  const count = Number(body.n ?? options.images ?? 1) || 1;
  const usage = {
    total_tokens: 312,
    input_tokens: 40,
    output_tokens: 272,
    input_tokens_details: { text_tokens: 40, image_tokens: 0 },
  };
  const common = {
    created_at: createdAt,
    size: meta.size,
    quality: meta.quality,
    background: meta.background,
    output_format: meta.output_format,
  };
  const events: Record<string, unknown>[] = [];
  for (let image = 0; image < count; image++) {
    for (let i = 0; i < partials; i++) {
      events.push({
        type: `${kind}.partial_image`,
        b64_json: partialFrame(set, i),
        ...common,
        partial_image_index: i,
      });
    }
    events.push({ type: `${kind}.completed`, b64_json: finalFrame(set), ...common, usage });
  }
  const json = {
    created: createdAt,
    background: meta.background,
    data: Array.from({ length: count }, () => ({ b64_json: finalFrame(set) })),
    output_format: meta.output_format,
    quality: meta.quality,
    size: meta.size,
    usage,
  };
  return { events, json };
}

// ---------------------------------------------------------------------------------------------
// Answers
// ---------------------------------------------------------------------------------------------

function frame(event: Record<string, unknown>, eventLine: boolean): string {
  const line = eventLine && typeof event.type === 'string' ? `event: ${event.type}\n` : '';
  return `${line}data: ${JSON.stringify(event)}\n\n`;
}

const baseHeaders = () => ({
  'openai-version': '2020-10-01',
  'openai-processing-ms': '1',
  'x-request-id': 'req_fake',
});

function jsonAnswer(status: number, value: unknown, extra: Record<string, string> = {}): Answer {
  const bytes = encoder.encode(JSON.stringify(value));
  return {
    status,
    headers: { 'content-type': 'application/json', ...baseHeaders(), ...extra },
    body: (async function* () {
      yield bytes;
    })(),
  };
}

function rateLimited(failure: Extract<FakeFailure, { type: 'http-429' }>): Answer {
  return jsonAnswer(
    429,
    {
      error: {
        message:
          'Rate limit reached for gpt-image-1 in organization org-fake on images per minute (IPM): Limit 5, Used 5, Requested 1. Please try again in 12s.',
        type: 'requests',
        param: null,
        code: 'rate_limit_exceeded',
      },
    },
    {
      'retry-after': String(failure.retryAfter ?? 1),
      'x-ratelimit-limit-requests': '5',
      'x-ratelimit-remaining-requests': '0',
    },
  );
}

function serverError(failure: Extract<FakeFailure, { type: 'error-event' }>): Answer {
  return jsonAnswer(500, {
    error: {
      message: failure.message ?? 'The server had an error while processing your request.',
      type: failure.code ?? 'server_error',
      param: null,
      code: failure.code ?? 'server_error',
    },
  });
}

function cutJson(value: unknown, failure: Extract<FakeFailure, { type: 'cut' }>): Answer {
  const bytes = encoder.encode(JSON.stringify(value));
  const keep = Math.floor(bytes.length * (failure.fraction ?? 0.5));
  return {
    status: 200,
    headers: { 'content-type': 'application/json', ...baseHeaders() },
    body: (async function* () {
      yield bytes.slice(0, keep);
      throw new ConnectionCut('cut');
    })(),
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function sseAnswer(
  frames: string[],
  options: FakeOpenAIOptions,
  failure: FakeFailure | undefined,
): Answer {
  const delay = options.delayMs ?? 0;
  const chunk = options.chunkSize;
  const cut = failure?.type === 'cut' ? failure : undefined;
  async function* body(): AsyncGenerator<Uint8Array> {
    let partials = 0;
    for (const [n, text] of frames.entries()) {
      if (delay > 0 && n > 0) await sleep(delay);
      let bytes = encoder.encode(text);
      let cutHere = false;
      if (cut && /"type":"[^"]*partial_image"/.test(text.slice(0, 200))) {
        if (partials === (cut.partialImage ?? 0)) {
          bytes = bytes.slice(0, Math.floor(bytes.length * (cut.fraction ?? 0.5)));
          cutHere = true;
        }
        partials++;
      }
      if (chunk && chunk > 0) {
        for (let i = 0; i < bytes.length; i += chunk) yield bytes.slice(i, i + chunk);
      } else {
        yield bytes;
      }
      if (cutHere) throw new ConnectionCut('cut');
    }
  }
  return {
    status: 200,
    headers: { 'content-type': 'text/event-stream; charset=utf-8', ...baseHeaders() },
    body: body(),
  };
}

/** An in-process `Response`: the body errors as undici's do on a cut or an abort. */
function toFetchResponse(answer: Answer, signal: AbortSignal | undefined): Response {
  const iterator = answer.body[Symbol.asyncIterator]();
  let onAbort: (() => void) | undefined;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      if (!signal) return;
      onAbort = () => {
        controller.error(signal.reason);
        void iterator.return?.();
      };
      signal.addEventListener('abort', onAbort, { once: true });
    },
    async pull(controller) {
      try {
        const next = await iterator.next();
        if (signal?.aborted) return;
        if (next.done) {
          if (onAbort) signal?.removeEventListener('abort', onAbort);
          controller.close();
        } else {
          controller.enqueue(next.value);
        }
      } catch (error) {
        if (onAbort) signal?.removeEventListener('abort', onAbort);
        controller.error(
          error instanceof ConnectionCut
            ? new TypeError('terminated', { cause: new Error('other side closed') })
            : error,
        );
      }
    },
    cancel() {
      if (onAbort) signal?.removeEventListener('abort', onAbort);
      void iterator.return?.();
    },
  });
  return new Response(stream, { status: answer.status, headers: answer.headers });
}

/** Serves one node request through the fake. */
async function serveNode(fake: Fake, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === 'string') headers.set(name, value);
    else if (Array.isArray(value)) headers.set(name, value.join(', '));
  }
  const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
  const request = new Request(`http://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}`, {
    method: req.method,
    headers,
    body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
  });
  let answer: Answer;
  try {
    answer = await fake.handle(request);
  } catch (error) {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(String(error));
    return;
  }
  const iterator = answer.body[Symbol.asyncIterator]();
  let closed = false;
  res.on('close', () => {
    closed = true;
    void iterator.return?.();
  });
  res.writeHead(answer.status, answer.headers);
  // Send the headers now, so that clients see the response start before the first (paced) event.
  res.flushHeaders();
  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done || closed) break;
      await new Promise<void>((resolve, reject) =>
        res.write(next.value, (error) => (error ? reject(error) : resolve())),
      );
    }
    res.end();
  } catch {
    // A scripted cut (or a write to a closed socket): drop the connection without ending the
    // chunked body, which clients see as a truncated response.
    res.destroy();
  }
}
