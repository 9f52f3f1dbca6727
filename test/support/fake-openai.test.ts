/**
 * The fake OpenAI API against the real `openai` SDK and raw `fetch`: wire shape, routes,
 * scripting, failures, and the node server.
 */

import { readFileSync } from 'node:fs';
import OpenAI, { toFile } from 'openai';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_REVISED_PROMPT,
  FAKE_OPENAI_BASE_URL,
  type FakeOpenAIServer,
  fakeOpenAIFetch,
  startFakeOpenAI,
} from './fake-openai';

interface FrameSet {
  scene: string;
  format: 'png' | 'jpeg' | 'webp';
  frames: string[];
}

const FRAME_SETS = JSON.parse(
  readFileSync(new URL('../fixtures/frames/small/frames.json', import.meta.url), 'utf8'),
) as FrameSet[];

function framesOf(format: FrameSet['format']): string[] {
  const set = FRAME_SETS.find((candidate) => candidate.format === format);
  if (!set) throw new Error(`no ${format} frames`);
  return set.frames;
}

const IMAGE_TOOL = { type: 'image_generation', output_format: 'webp', quality: 'low' } as const;

type WireEvent = Record<string, unknown> & { type: string };

/** Splits SSE text into its events: the `event:` line (if any) and the parsed data. */
function parseSSEText(text: string): { name: string | undefined; data: WireEvent }[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const lines = block.split('\n');
      const name = lines.find((line) => line.startsWith('event: '))?.slice(7);
      const data = lines.find((line) => line.startsWith('data: '))?.slice(6) ?? 'null';
      return { name, data: JSON.parse(data) as WireEvent };
    });
}

async function postResponses(fetchFn: typeof fetch, body: unknown): Promise<Response> {
  return fetchFn(`${FAKE_OPENAI_BASE_URL}/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-secret' },
    body: JSON.stringify(body),
  });
}

function client(fetchFn: typeof fetch, maxRetries = 0): OpenAI {
  return new OpenAI({
    baseURL: FAKE_OPENAI_BASE_URL,
    apiKey: 'sk-secret',
    fetch: fetchFn,
    maxRetries,
  });
}

let server: FakeOpenAIServer | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await server?.close();
  server = undefined;
});

describe('POST /v1/responses, streamed', () => {
  it('streams the OpenAI wire shape: event lines, a global sequence, image events with metadata', async () => {
    const fetchFn = fakeOpenAIFetch();
    const response = await postResponses(fetchFn, {
      model: 'gpt-5',
      input: 'Draw a harbour',
      stream: true,
      tools: [{ ...IMAGE_TOOL, partial_images: 3 }],
    });
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const events = parseSSEText(await response.text());

    for (const { name, data } of events) expect(name).toBe(data.type);
    expect(events.map(({ data }) => data.sequence_number)).toEqual(events.map((_, i) => i));
    expect(events.map(({ data }) => data.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.output_item.done',
      'response.output_item.added',
      'response.image_generation_call.in_progress',
      'response.image_generation_call.generating',
      'response.image_generation_call.partial_image',
      'response.image_generation_call.partial_image',
      'response.image_generation_call.partial_image',
      'response.image_generation_call.completed',
      'response.output_item.done',
      'response.output_item.added',
      'response.content_part.added',
      ...events
        .filter(({ data }) => data.type === 'response.output_text.delta')
        .map(() => 'response.output_text.delta'),
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);

    const webp = framesOf('webp');
    const partials = events
      .map(({ data }) => data)
      .filter((data) => data.type === 'response.image_generation_call.partial_image');
    expect(partials.map((data) => data.partial_image_index)).toEqual([0, 1, 2]);
    expect(partials.map((data) => data.partial_image_b64)).toEqual(webp.slice(0, 3));
    expect(partials[0]).toMatchObject({
      output_index: 1,
      item_id: expect.stringMatching(/^ig_[0-9a-f]{50}$/),
      size: '1536x1024',
      quality: 'low',
      background: 'opaque',
      output_format: 'webp',
    });

    const created = events[0]?.data.response as Record<string, unknown>;
    expect(created.tools).toEqual([
      {
        type: 'image_generation',
        background: 'auto',
        moderation: 'auto',
        n: 1,
        output_compression: 100,
        output_format: 'webp',
        quality: 'low',
        size: 'auto',
      },
    ]);

    const done = events.find(
      ({ data }) =>
        data.type === 'response.output_item.done' &&
        (data.item as { type: string }).type === 'image_generation_call',
    )?.data.item as Record<string, unknown>;
    expect(done).toMatchObject({ status: 'completed', result: webp[3], size: '1536x1024' });
    expect(done.revised_prompt).toBe(DEFAULT_REVISED_PROMPT);
    expect(DEFAULT_REVISED_PROMPT).toMatch(/—/);
    expect(DEFAULT_REVISED_PROMPT).toMatch(/“.+”/);

    const completed = events.at(-1)?.data.response as { output: Record<string, unknown>[] };
    expect(completed.output.map((item) => item.type)).toEqual([
      'reasoning',
      'image_generation_call',
      'message',
    ]);
    expect(completed.output[1]?.result).toBe(webp[3]);
  });

  it('defaults to 2 partials, picks frames by output_format, and follows a script', async () => {
    const fetchFn = fakeOpenAIFetch();
    const openai = client(fetchFn);
    const types = async (body: Record<string, unknown>) => {
      const stream = await openai.responses.create({
        model: 'gpt-5',
        stream: true,
        ...body,
      } as never);
      const out: Record<string, unknown>[] = [];
      for await (const event of stream as unknown as AsyncIterable<Record<string, unknown>>)
        out.push(event);
      return out;
    };
    const jpeg = await types({
      input: 'x',
      tools: [{ type: 'image_generation', output_format: 'jpeg' }],
    });
    const partials = jpeg.filter((e) => e.type === 'response.image_generation_call.partial_image');
    expect(partials.map((e) => e.partial_image_b64)).toEqual(framesOf('jpeg').slice(0, 2));

    const scripted = fakeOpenAIFetch({
      script: () => [
        { type: 'image', partials: 1, status: 'generating', completedEvent: false },
        { type: 'image', partials: 0 },
      ],
    });
    const events = await (async () => {
      const stream = await client(scripted).responses.create({
        model: 'gpt-5',
        input: 'two images',
        stream: true,
        tools: [{ type: 'image_generation' }],
      });
      const out: Record<string, unknown>[] = [];
      for await (const event of stream) out.push(event as unknown as Record<string, unknown>);
      return out;
    })();
    const images = events
      .filter((e) => e.type === 'response.output_item.done')
      .map((e) => e.item as Record<string, unknown>);
    expect(images.map((item) => [item.type, item.status, item.output_format])).toEqual([
      ['image_generation_call', 'generating', 'png'],
      ['image_generation_call', 'completed', 'png'],
    ]);
    expect(
      events.filter((e) => e.type === 'response.image_generation_call.completed'),
    ).toHaveLength(1);
  });

  it('answers a mentioned function tool with a function_call, then draws once it has the output', async () => {
    const fetchFn = fakeOpenAIFetch();
    const weather = {
      type: 'function',
      name: 'weather',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    };
    const first = await client(fetchFn).responses.create({
      model: 'gpt-5',
      input: 'What is the weather in Lisbon? Then draw it.',
      tools: [{ type: 'image_generation' }, weather as never],
    });
    const call = first.output.find((item) => item.type === 'function_call');
    expect(call).toMatchObject({ name: 'weather', arguments: '{"city":"Lisbon"}' });
    expect(first.output.some((item) => item.type === 'image_generation_call')).toBe(false);

    const second = await client(fetchFn).responses.create({
      model: 'gpt-5',
      input: [
        { role: 'user', content: 'What is the weather in Lisbon? Then draw it.' },
        {
          type: 'function_call_output',
          call_id: (call as { call_id: string }).call_id,
          output: '19 °C',
        },
      ],
      tools: [{ type: 'image_generation' }, weather as never],
    });
    expect(second.output.map((item) => item.type)).toEqual([
      'reasoning',
      'image_generation_call',
      'message',
    ]);
  });
});

describe('other routes', () => {
  it('returns the JSON response object when not streaming', async () => {
    const response = await client(fakeOpenAIFetch()).responses.create({
      model: 'gpt-5',
      input: 'Draw',
      tools: [{ type: 'image_generation', output_format: 'webp' }],
    });
    expect(response.status).toBe('completed');
    const image = response.output.find((item) => item.type === 'image_generation_call');
    expect(image).toMatchObject({ result: framesOf('webp')[3] });
  });

  it('replays a background response after starting_after, and serves it as JSON', async () => {
    const fetchFn = fakeOpenAIFetch();
    const openai = client(fetchFn);
    const stream = await openai.responses.create({
      model: 'gpt-5',
      input: 'Draw',
      stream: true,
      background: true,
      tools: [{ type: 'image_generation' }],
    });
    const original: Record<string, unknown>[] = [];
    for await (const event of stream) original.push(event as unknown as Record<string, unknown>);
    expect(original.slice(0, 3).map((e) => e.type)).toEqual([
      'response.created',
      'response.queued',
      'response.in_progress',
    ]);
    const id = (original[0]?.response as { id?: string } | undefined)?.id ?? '';

    const replay = await fetchFn(
      `${FAKE_OPENAI_BASE_URL}/responses/${id}?stream=true&starting_after=5`,
    );
    const replayed = parseSSEText(await replay.text()).map(({ data }) => data);
    expect(replayed).toEqual(original.slice(6));

    const retrieved = await openai.responses.retrieve(id);
    expect(retrieved).toMatchObject({ id, status: 'completed' });
    const missing = await fetchFn(`${FAKE_OPENAI_BASE_URL}/responses/resp_nope`);
    expect(missing.status).toBe(404);
  });

  it('streams the Images API (partials then completed) and answers it as JSON', async () => {
    const openai = client(fakeOpenAIFetch());
    const stream = await openai.images.generate({
      model: 'gpt-image-1',
      prompt: 'a harbour',
      stream: true,
      partial_images: 2,
      output_format: 'jpeg',
    });
    const events: Record<string, unknown>[] = [];
    for await (const event of stream) events.push(event as unknown as Record<string, unknown>);
    const jpeg = framesOf('jpeg');
    expect(events.map((e) => [e.type, e.partial_image_index, e.b64_json])).toEqual([
      ['image_generation.partial_image', 0, jpeg[0]],
      ['image_generation.partial_image', 1, jpeg[1]],
      ['image_generation.completed', undefined, jpeg[3]],
    ]);
    expect(events[2]).toMatchObject({ output_format: 'jpeg', size: '1024x1536' });
    expect(events[2]?.usage).toBeDefined();

    const json = await openai.images.generate({ model: 'gpt-image-1', prompt: 'a harbour' });
    expect(json.data?.[0]?.b64_json).toBe(framesOf('png')[3]);
  });

  it('streams image edits from a multipart request, and records its fields', async () => {
    const fetchFn = fakeOpenAIFetch();
    const image = await toFile(Buffer.from(framesOf('png')[0] ?? '', 'base64'), 'in.png', {
      type: 'image/png',
    });
    const stream = await client(fetchFn).images.edit({
      model: 'gpt-image-1',
      image,
      prompt: 'add a boat',
      stream: true,
      partial_images: 1,
    });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types).toEqual(['image_edit.partial_image', 'image_edit.completed']);
    expect(fetchFn.requests[0]?.body).toMatchObject({
      prompt: 'add a boat',
      stream: 'true',
      partial_images: '1',
      image: { file: 'in.png', type: 'image/png' },
    });
  });

  it('uses frames it is given, and answers unknown routes and bad requests as OpenAI does', async () => {
    const frames = [framesOf('jpeg')[0] as string, framesOf('jpeg')[3] as string];
    const fetchFn = fakeOpenAIFetch({ frames, partialImages: 1, size: '3840x2160' });
    const response = await client(fetchFn).responses.create({
      model: 'gpt-5',
      input: 'x',
      tools: [{ type: 'image_generation' }],
    });
    expect(response.output.find((item) => item.type === 'image_generation_call')).toMatchObject({
      result: frames[1],
      output_format: 'jpeg',
      size: '3840x2160',
    });

    const unknown = await fetchFn(`${FAKE_OPENAI_BASE_URL}/chat/completions`, { method: 'POST' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
    const bad = await postResponses(fetchFn, { input: 'no model' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { param: 'model' } });
  });
});

describe('recording', () => {
  it('records method, url, parsed body and headers, without credentials', async () => {
    const fetchFn = fakeOpenAIFetch();
    await postResponses(fetchFn, { model: 'gpt-5', input: 'hi', stream: false });
    await fetchFn(`${FAKE_OPENAI_BASE_URL}/responses/resp_x?stream=true&starting_after=2`, {
      headers: { 'api-key': 'azure-secret', cookie: 'a=b' },
    });
    const [post, get] = fetchFn.requests;
    expect(post).toMatchObject({
      method: 'POST',
      url: '/v1/responses',
      body: { model: 'gpt-5', input: 'hi', stream: false },
      headers: { 'content-type': 'application/json' },
    });
    expect(get).toMatchObject({
      method: 'GET',
      path: '/v1/responses/resp_x',
      query: { stream: 'true', starting_after: '2' },
      body: undefined,
    });
    for (const request of fetchFn.requests) {
      expect(Object.keys(request.headers)).not.toContain('authorization');
      expect(Object.keys(request.headers)).not.toContain('api-key');
      expect(Object.keys(request.headers)).not.toContain('cookie');
    }
  });
});

describe('failures', () => {
  it('sends a nested error event mid-stream, then response.failed', async () => {
    const fetchFn = fakeOpenAIFetch({ failure: { type: 'error-event' } });
    const response = await postResponses(fetchFn, {
      model: 'gpt-5',
      input: 'x',
      stream: true,
      tools: [IMAGE_TOOL],
    });
    const events = parseSSEText(await response.text()).map(({ data }) => data);
    const tail = events.slice(-3);
    expect(tail.map((e) => e.type)).toEqual([
      'response.image_generation_call.partial_image',
      'error',
      'response.failed',
    ]);
    expect(tail[1]).toMatchObject({ error: { code: 'server_error', type: 'server_error' } });
    expect(tail[2]).toMatchObject({
      response: { status: 'failed', error: { code: 'server_error' } },
    });
    expect(tail.map((e) => e.sequence_number)).toEqual([7, 8, 9]);

    const sdk = await client(fetchFn).responses.create({
      model: 'gpt-5',
      input: 'x',
      stream: true,
      tools: [IMAGE_TOOL],
    });
    await expect(
      (async () => {
        for await (const _event of sdk) {
          // drain
        }
      })(),
    ).rejects.toBeInstanceOf(OpenAI.APIError);
  });

  it('answers HTTP 429 with a JSON error, only as many times as asked', async () => {
    const fetchFn = fakeOpenAIFetch({ failure: { type: 'http-429' }, failureTimes: 1 });
    await expect(
      client(fetchFn).responses.create({ model: 'gpt-5', input: 'x' }),
    ).rejects.toMatchObject({ status: 429, code: 'rate_limit_exceeded' });
    const again = await client(fetchFn).responses.create({ model: 'gpt-5', input: 'x' });
    expect(again.status).toBe('completed');
  });

  it('cuts the connection in the middle of a partial image (in process)', async () => {
    const fetchFn = fakeOpenAIFetch({ failure: { type: 'cut', partialImage: 1 } });
    const response = await postResponses(fetchFn, {
      model: 'gpt-5',
      input: 'x',
      stream: true,
      tools: [IMAGE_TOOL],
    });
    const reader = response.body?.getReader();
    if (!reader) throw new Error('no body');
    const decoder = new TextDecoder();
    let text = '';
    const error = await (async () => {
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return undefined;
          text += decoder.decode(value, { stream: true });
        }
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe('terminated');
    const blocks = text.split('\n\n');
    expect(blocks.at(-1)).toMatch(
      /^event: response\.image_generation_call\.partial_image\ndata: \{/,
    );
    expect(blocks.at(-1)).toContain('"partial_image_index":1');
    expect(() => JSON.parse(blocks.at(-1)?.split('data: ')[1] ?? '')).toThrow();
  });

  it('splits events into chunks of at most chunkSize bytes', async () => {
    const fetchFn = fakeOpenAIFetch({ chunkSize: 512 });
    const response = await postResponses(fetchFn, {
      model: 'gpt-5',
      input: 'x',
      stream: true,
      tools: [IMAGE_TOOL],
    });
    const reader = response.body?.getReader();
    if (!reader) throw new Error('no body');
    const sizes: number[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      sizes.push(value.length);
    }
    expect(Math.max(...sizes)).toBeLessThanOrEqual(512);
    expect(sizes.filter((size) => size === 512).length).toBeGreaterThan(40);
  });

  it('waits delayMs between events', async () => {
    vi.useFakeTimers();
    const fetchFn = fakeOpenAIFetch({ delayMs: 1000 });
    const response = await postResponses(fetchFn, { model: 'gpt-5', input: 'x', stream: true });
    const reader = response.body?.getReader();
    if (!reader) throw new Error('no body');
    const decoder = new TextDecoder();
    const first = await reader.read();
    expect(decoder.decode(first.value)).toMatch(/^event: response\.created\n/);
    let second: string | undefined;
    const pending = reader.read().then(({ value }) => {
      second = decoder.decode(value);
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(second).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    await pending;
    expect(second).toMatch(/^event: response\.in_progress\n/);
    await reader.cancel();
  });

  it('errors the body with the abort reason when the request is aborted mid-stream', async () => {
    const fetchFn = fakeOpenAIFetch();
    const controller = new AbortController();
    const response = await fetchFn(`${FAKE_OPENAI_BASE_URL}/responses`, {
      method: 'POST',
      body: JSON.stringify({ model: 'gpt-5', input: 'x', stream: true, tools: [IMAGE_TOOL] }),
      signal: controller.signal,
    });
    const reader = response.body?.getReader();
    if (!reader) throw new Error('no body');
    await reader.read();
    controller.abort();
    await expect(reader.read()).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('startFakeOpenAI', () => {
  it('serves the same routes over HTTP on 127.0.0.1, and drops the socket on a cut', async () => {
    server = await startFakeOpenAI({
      failure: (request) =>
        (request.body as { input?: string }).input === 'cut' ? { type: 'cut' } : undefined,
    });
    expect(server.baseURL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const openai = new OpenAI({ baseURL: server.baseURL, apiKey: 'sk-secret', maxRetries: 0 });
    const response = await openai.responses.create({
      model: 'gpt-5',
      input: 'Draw',
      tools: [{ type: 'image_generation' }],
    });
    expect(response.output.map((item) => item.type)).toContain('image_generation_call');
    expect(server.requests[0]).toMatchObject({ method: 'POST', url: '/v1/responses' });
    expect(server.requests[0]?.headers).not.toHaveProperty('authorization');

    const stream = await openai.responses.create({
      model: 'gpt-5',
      input: 'cut',
      stream: true,
      tools: [{ type: 'image_generation' }],
    });
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const event of stream) seen.push(event.type);
      })(),
    ).rejects.toThrow();
    expect(seen.at(-1)).toBe('response.image_generation_call.generating');
  });
});
