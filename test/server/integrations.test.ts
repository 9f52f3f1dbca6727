/**
 * Where users already are: the real Vercel AI SDK and OpenAI Agents SDK, talking to a local fake
 * of the OpenAI API, read by the store directly and through the relay; and the shapes proxies
 * and Gemini send (recorded-style fixtures with their public sources in
 * test/fixtures/integrations/README.md).
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createOpenAI } from '@ai-sdk/openai';
import {
  Agent,
  tool as agentTool,
  imageGenerationTool,
  OpenAIProvider,
  Runner,
  setTracingDisabled,
} from '@openai/agents';
import { stepCountIs, streamText, type ToolSet, tool } from 'ai';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createPartialImagesStore,
  type PartialImagesSource,
  type PartialImagesState,
} from '../../src/core';
import { toSSEResponse, toSSEStream } from '../../src/server';
import { FAKE_OPENAI_BASE_URL, fakeOpenAIFetch } from '../support/fake-openai';

setTracingDisabled(true);

interface Watched {
  state: PartialImagesState;
  /** Every frame the state showed, as `id/index` (`final` for the final), in order. */
  frames: string[];
}

async function watch(source: PartialImagesSource): Promise<Watched> {
  const store = createPartialImagesStore();
  const frames: string[] = [];
  store.subscribe((state) => {
    for (const item of state.items) {
      const frame = item.latest;
      if (!frame) continue;
      const key = `${item.id}/${frame.isFinal ? 'final' : frame.index}`;
      if (!frames.includes(key)) frames.push(key);
    }
  });
  await store.consume(source);
  return { state: store.getState(), frames };
}

function imageOnly(watched: Watched) {
  const [item] = watched.state.items;
  return { status: watched.state.status, items: watched.state.items.length, item };
}

describe('the Vercel AI SDK (ai 6, @ai-sdk/openai 3): toUIMessageStreamResponse()', () => {
  function uiStream(tools: 'image' | 'renamed' | 'weather' | 'none') {
    const fetch = fakeOpenAIFetch();
    const openai = createOpenAI({ baseURL: FAKE_OPENAI_BASE_URL, apiKey: 'test', fetch });
    const image = openai.tools.imageGeneration({ partialImages: 2, outputFormat: 'webp' });
    const weather = tool({
      description: 'The current weather in a city',
      inputSchema: z.object({ city: z.string() }),
      execute: async ({ city }) => ({ city, temperature: 19 }),
    });
    const set: ToolSet =
      tools === 'image'
        ? { image_generation: image }
        : tools === 'renamed'
          ? { picture: image }
          : tools === 'weather'
            ? { image_generation: image, weather }
            : {};
    return streamText({
      model: openai.responses('gpt-5'),
      prompt:
        tools === 'weather' ? 'What is the weather in Lisbon? Then draw it.' : 'Draw a harbour.',
      tools: set,
      stopWhen: stepCountIs(3),
    }).toUIMessageStreamResponse();
  }

  it('shows the previews in order, and the last output as the final, directly and relayed', async () => {
    for (const source of [() => uiStream('image'), () => toSSEStream(uiStream('image'))]) {
      const watched = await watch(source());
      expect(imageOnly(watched)).toMatchObject({
        status: 'completed',
        items: 1,
        item: { status: 'completed', outputFormat: 'webp', error: null },
      });
      const id = watched.state.items[0]?.id;
      expect(watched.frames).toEqual([`${id}/0`, `${id}/1`, `${id}/2`, `${id}/final`]);
      // The final is the last output (the full image), not the first, blurriest preview.
      expect(watched.state.items[0]?.final?.b64?.length).toBeGreaterThan(20_000);
    }
  });

  it('recognises the image tool under any key, and a weather tool is no item', async () => {
    for (const kind of ['renamed', 'weather'] as const) {
      const watched = await watch(uiStream(kind));
      expect(imageOnly(watched)).toMatchObject({ status: 'completed', items: 1 });
    }
    expect(imageOnly(await watch(uiStream('none')))).toMatchObject({
      status: 'completed',
      items: 0,
    });
  });

  it('takes a flagged final early: preliminary outputs, then one without the flag', async () => {
    const text = readFileSync(
      join(
        import.meta.dirname,
        '../fixtures/integrations/ai-sdk/preliminary-generator-tool.ui.sse',
      ),
    );
    const watched = await watch(
      new Response(text, { headers: { 'content-type': 'text/event-stream' } }),
    );
    const id = watched.state.items[0]?.id;
    expect(watched.frames).toEqual([`${id}/0`, `${id}/1`, `${id}/2`, `${id}/final`]);
    expect(watched.state.items[0]).toMatchObject({ status: 'completed', outputFormat: 'webp' });
  });
});

describe('the OpenAI Agents SDK (0.20): run(agent, prompt, { stream: true })', () => {
  async function streamedRun(weather = false) {
    const openAIClient = new OpenAI({
      baseURL: FAKE_OPENAI_BASE_URL,
      apiKey: 'test',
      fetch: fakeOpenAIFetch(),
    });
    const runner = new Runner({ modelProvider: new OpenAIProvider({ openAIClient }) });
    const agent = new Agent({
      name: 'Artist',
      instructions: 'Draw what you are asked for.',
      model: 'gpt-5',
      tools: [
        imageGenerationTool({ partialImages: 2, outputFormat: 'webp' }),
        agentTool({
          name: 'weather',
          description: 'The current weather in a city',
          parameters: z.object({ city: z.string() }),
          execute: async ({ city }) => ({ city, temperature: 19 }),
        }),
      ],
    });
    const prompt = weather ? 'What is the weather in Lisbon? Then draw it.' : 'Draw a harbour.';
    return runner.run(agent, prompt, { stream: true });
  }

  it('reads the StreamedRunResult, its toStream(), and the relay of it: previews, then the final', async () => {
    const ways: [string, () => Promise<PartialImagesSource>][] = [
      ['result', async () => (await streamedRun()) as unknown as PartialImagesSource],
      [
        'toStream()',
        async () => (await streamedRun()).toStream() as unknown as PartialImagesSource,
      ],
      ['toSSEResponse(result)', async () => toSSEResponse(await streamedRun())],
    ];
    for (const [name, source] of ways) {
      const watched = await watch(await source());
      expect(imageOnly(watched), name).toMatchObject({
        status: 'completed',
        items: 1,
        item: { status: 'completed', outputFormat: 'webp', size: { width: 1536, height: 1024 } },
      });
      const id = watched.state.items[0]?.id;
      expect(watched.frames, name).toEqual([`${id}/0`, `${id}/1`, `${id}/final`]);
      expect(watched.state.items[0]?.revisedPrompt, name).toMatch(/—/);
    }
  });

  it('a run with two model responses (a function call, then the image) is one response', async () => {
    const watched = await watch((await streamedRun(true)) as unknown as PartialImagesSource);
    const id = watched.state.items[0]?.id;
    expect(watched.frames).toEqual([`${id}/0`, `${id}/1`, `${id}/final`]);
    expect(watched.state.status).toBe('completed');
  });
});

describe('proxies and Gemini', () => {
  const folder = join(import.meta.dirname, '../fixtures/integrations');
  const sseFile = (name: string) =>
    new Response(readFileSync(join(folder, name)), {
      headers: { 'content-type': 'text/event-stream' },
    });

  it('Images API events on a Responses stream, with no item id or sequence number (LiteLLM, Azure)', async () => {
    for (const name of [
      'proxies/litellm-responses-images-api-events.sse',
      'proxies/azure-images-api-stream.sse',
    ]) {
      const watched = await watch(sseFile(name));
      expect(watched.frames, name).toEqual(['image_0/0', 'image_0/1', 'image_0/final']);
      expect(watched.state.items[0], name).toMatchObject({
        status: 'completed',
        outputFormat: 'jpeg',
      });
    }
  });

  it('a b64_json that is already a data: URL, and the bytes over a wrong declared type', async () => {
    const watched = await watch(sseFile('proxies/images-api-stream-b64-json-data-url.sse'));
    expect(watched.state.items[0]).toMatchObject({ status: 'completed' });
    const json = await watch(
      new Response(readFileSync(join(folder, 'proxies/xai-images-b64-json-data-url.json')), {
        headers: { 'content-type': 'application/json' },
      }),
    );
    // The data: URL says PNG, the bytes are JPEG: the bytes win.
    expect(json.state.items[0]?.final).toMatchObject({ mimeType: 'image/jpeg' });
    expect(json.state.items[0]?.final?.src.startsWith('data:image/jpeg;base64,/9j/')).toBe(true);
  });

  it('any WIDTHxHEIGHT size, and auto (the size then comes from the bytes)', async () => {
    const big = await watch(sseFile('proxies/responses-size-3840x2160.sse'));
    expect(big.state.items[0]?.size).toEqual({ width: 3840, height: 2160 });
    const auto = await watch(sseFile('proxies/images-api-size-auto.sse'));
    expect(auto.state.items[0]?.size).toEqual({ width: 256, height: 384 });
  });

  it("Gemini's inlineData images are final-only items; a thinking model's interim images are previews", async () => {
    const images = await watch(sseFile('gemini/stream-generate-content-images.sse'));
    expect(images.state.status).toBe('completed');
    expect(images.frames).toEqual(['image_0/final', 'image_1/final']);
    const thought = await watch(sseFile('gemini/stream-generate-content-thought-images.sse'));
    expect(thought.frames).toEqual(['image_0/0', 'image_0/1', 'image_0/final']);
  });
});

describe('an unrecognised stream', () => {
  it('ends with unrecognized-stream, naming what its first events looked like', async () => {
    const text = 'data: {"kind":"delta","text":"hi"}\n\ndata: {"kind":"done"}\n\n';
    const { state } = await watch(
      new Response(text, { headers: { 'content-type': 'text/event-stream' } }),
    );
    expect(state).toMatchObject({ status: 'failed', error: { code: 'unrecognized-stream' } });
    expect(state.error?.message).toContain('{"kind":"delta","text":"hi"}');
    expect(state.error?.message).toContain('README');
    // A recognised response with no image still completes with nothing.
    const text2 =
      'data: {"type":"response.created","response":{"id":"r"}}\n\ndata: {"type":"response.completed","response":{"id":"r","output":[]}}\n\n';
    const plain = await watch(
      new Response(text2, { headers: { 'content-type': 'text/event-stream' } }),
    );
    expect(plain.state).toMatchObject({ status: 'completed', items: [], error: null });
  });
});
