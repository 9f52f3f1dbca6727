import { describe, expect, it, vi } from 'vitest';
import { createPartialImagesStore, type PartialImagesState } from '../../src/core';
import { sniffImageFormat, sniffImageSize } from '../../src/core/sniff';
import { createSSEScanner } from '../../src/core/sse';
import { joinPieces } from '../../src/core/text';
import {
  dotnetStreams,
  openRouterRecording,
  pydanticImageResult,
  pydanticStream,
  responseJson,
  responseJsonImageResult,
  vercelChunks,
} from '../fixtures/recordings';
import { byteStream, bytesOf, chunksOf, prng, splitAt } from '../fixtures/streams';

vi.mock('react', () => ({}));

const background = dotnetStreams(
  'openai-dotnet__ResponsesTests__CanStreamBackgroundResponses.json',
);

/** Every recorded stream, as SSE text, with what it must reduce to. */
const recorded: { name: string; sse: string; expect: (state: PartialImagesState) => void }[] = [
  {
    name: 'OpenAI image generation (vercel)',
    sse: vercelChunks('vercel-ai__openai-image-generation-tool.1.chunks.txt'),
    expect: (state) => {
      expect(state).toMatchObject({
        status: 'completed',
        responseId: 'resp_0df93c0bb83a72f20068c979db26ac819e8b5a444fad3f0d7f',
      });
      expect(state.items).toHaveLength(1);
      expect(state.items[0]).toMatchObject({
        id: 'ig_0df93c0bb83a72f20068c979f589c0819e9f0fc2d1a27aa1b8',
        outputIndex: 1,
        status: 'completed',
        size: { width: 1536, height: 1024 },
        outputFormat: 'webp',
        final: { mimeType: 'image/webp', index: 1 },
      });
      expect(state.items[0]?.revisedPrompt).toMatch(/^Create a high-resolution/);
    },
  },
  {
    name: 'Azure image generation: done with status "generating", no .completed (vercel)',
    sse: vercelChunks('vercel-ai__azure-image-generation-tool.1.chunks.txt'),
    expect: (state) => {
      expect(state.status).toBe('completed');
      expect(state.items[0]).toMatchObject({
        status: 'completed',
        final: { mimeType: 'image/png' },
        size: { width: 1024, height: 1024 },
      });
    },
  },
  {
    name: 'xAI image generation: no partials, `prompt` instead of revised_prompt (vercel)',
    sse: vercelChunks('vercel-ai__xai-image-generation-tool.1.chunks.txt'),
    expect: (state) => {
      expect(state.status).toBe('completed');
      expect(state.items[0]).toMatchObject({ status: 'completed', final: { index: 0 } });
      expect(state.items[0]?.revisedPrompt).toBeTruthy();
    },
  },
  {
    name: 'OpenAI error then response.failed (vercel)',
    sse: vercelChunks('vercel-ai__openai-error.1.chunks.txt'),
    expect: (state) => {
      expect(state).toMatchObject({
        status: 'failed',
        items: [],
        error: { code: 'provider-error', providerCode: 'insufficient_quota' },
      });
    },
  },
  {
    name: 'OpenAI text stream (openai-dotnet)',
    sse: dotnetStreams('openai-dotnet__ResponsesTests__StreamingResponses.json')[0]?.sse ?? '',
    expect: (state) => expect(state).toMatchObject({ status: 'completed', items: [], error: null }),
  },
  {
    name: 'OpenAI background stream with response.queued (openai-dotnet)',
    sse: background[0]?.sse ?? '',
    expect: (state) =>
      expect(state).toMatchObject({
        status: 'completed',
        responseId: expect.stringMatching(/^resp_/),
        error: null,
      }),
  },
  {
    name: 'OpenRouter: comments, a split event, a truncated final event, [DONE]',
    sse: openRouterRecording('openrouter-ai-sdk-provider__69A9tNSV4LJ'),
    expect: (state) => {
      expect(state).toMatchObject({
        status: 'completed',
        items: [],
        error: { code: 'malformed-json' },
      });
    },
  },
  {
    name: 'OpenRouter clean text stream with [DONE]',
    sse: openRouterRecording('openrouter-ai-sdk-provider__CHlILDuJN6g'),
    expect: (state) => expect(state).toMatchObject({ status: 'completed', error: null }),
  },
  {
    name: 'OpenAI stream in a VCR cassette (pydantic-ai)',
    sse: pydanticStream('pydantic-ai__test_openai_responses_moderation_stream.yaml'),
    expect: (state) => expect(state).toMatchObject({ status: 'completed', error: null }),
  },
];

interface Message {
  event: string;
  data: string;
}

function scanAll(chunks: Uint8Array[]): Message[] {
  const out: Message[] = [];
  const scanner = createSSEScanner((item) => {
    if (item.kind === 'message') out.push({ event: item.event, data: joinPieces(item.data) });
  });
  for (const chunk of chunks) scanner.feed(chunk);
  scanner.end();
  return out;
}

/**
 * Where to cut a stream: every offset of a small one; for a large one, the offsets where the
 * scanner has state to carry (around line ends, and the first bytes), plus a seeded sample.
 */
function cutsOf(bytes: Uint8Array): number[] {
  if (bytes.length <= 20_000) return Array.from({ length: bytes.length - 1 }, (_, i) => i + 1);
  const cuts = new Set<number>();
  for (let i = 1; i < 64; i++) cuts.add(i);
  const ends: number[] = [];
  for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, i + 1)) ends.push(i);
  const step = Math.max(1, Math.floor(ends.length / 150));
  for (let k = 0; k < ends.length; k += step) {
    const end = ends[k] as number;
    for (let d = -2; d <= 2; d++) if (end + d > 0 && end + d < bytes.length) cuts.add(end + d);
  }
  const random = prng(bytes.length);
  for (let k = 0; k < 200; k++) cuts.add(1 + Math.floor(random() * (bytes.length - 1)));
  return [...cuts].sort((a, b) => a - b);
}

async function consume(chunks: Uint8Array[]): Promise<PartialImagesState> {
  vi.setSystemTime(0);
  const store = createPartialImagesStore();
  await store.consume(byteStream(chunks));
  return store.getState();
}

describe('recorded provider streams', () => {
  for (const fixture of recorded) {
    it(`reduces: ${fixture.name}`, async () => {
      expect(fixture.sse.length).toBeGreaterThan(500);
      fixture.expect(await consume([bytesOf(fixture.sse)]));
    });
  }

  it('gives the same messages wherever the stream is split', () => {
    for (const fixture of recorded) {
      const bytes = bytesOf(fixture.sse);
      const whole = scanAll([bytes]);
      expect(whole.length).toBeGreaterThan(3);
      for (const cut of cutsOf(bytes)) {
        const split = scanAll(splitAt(bytes, [cut]));
        if (
          split.length !== whole.length ||
          split.some((m, i) => m.data !== whole[i]?.data || m.event !== whole[i]?.event)
        ) {
          expect.fail(`${fixture.name}: split at ${cut} changed the messages`);
        }
      }
    }
  });

  it('gives the same final state in 1-byte chunks and in random network chunks', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const random = prng(9);
    for (const fixture of recorded) {
      const bytes = bytesOf(fixture.sse);
      const whole = await consume([bytes]);
      expect(await consume(chunksOf(bytes, 1))).toEqual(whole);
      for (let round = 0; round < 5; round++) {
        const cuts = Array.from({ length: 20 }, () => Math.floor(random() * bytes.length));
        expect(await consume(splitAt(bytes, cuts))).toEqual(whole);
      }
    }
    vi.useRealTimers();
  });

  it('resumes the background run from starting_after=1 without duplicates (openai-dotnet)', async () => {
    const [first, resumed] = background;
    if (!first || !resumed) throw new Error('fixture');
    expect(resumed.uri).toContain('starting_after=1');
    // The first connection drops after sequence number 1; resume replays 2..411.
    const cut = first.sse.indexOf('event:', first.sse.indexOf('"sequence_number":1'));
    const asked: (number | null)[] = [];
    const store = createPartialImagesStore({
      resume: (last) => {
        asked.push(last);
        return new Response(resumed.sse, { headers: { 'content-type': 'text/event-stream' } });
      },
    });
    await store.consume(
      new Response(first.sse.slice(0, cut), { headers: { 'content-type': 'text/event-stream' } }),
    );
    expect(asked).toEqual([1]);
    const direct = createPartialImagesStore();
    await direct.consume(
      new Response(first.sse, { headers: { 'content-type': 'text/event-stream' } }),
    );
    // The replay of 2..411 after the cut reduces to what the whole first stream does.
    expect(store.getState()).toEqual(direct.getState());
    expect(store.getState()).toMatchObject({ status: 'completed', error: null });
  });

  it('decodes the real final images of the non-streamed recordings', async () => {
    const png = responseJsonImageResult('vercel-ai__azure-image-generation-tool.1.json');
    expect(png.length).toBe(2_121_556);
    expect(sniffImageFormat(png)).toBe('png');
    expect(sniffImageSize(png, 'png')).toEqual({ width: 1024, height: 1024 });
    const jpeg = pydanticImageResult(
      'pydantic-ai__test_openai_responses_image_generation_jpeg.yaml',
    );
    expect(jpeg.length).toBe(187_880);
    expect(sniffImageFormat(jpeg)).toBe('jpeg');
    expect(sniffImageSize(jpeg, 'jpeg')).toEqual({ width: 1536, height: 1024 });
    // The whole non-streamed body, as a JSON response, becomes one completed image.
    const store = createPartialImagesStore();
    await store.consume(
      new Response(JSON.stringify(responseJson('vercel-ai__azure-image-generation-tool.1.json')), {
        headers: { 'content-type': 'application/json' },
      }),
    );
    expect(store.getState()).toMatchObject({
      status: 'completed',
      items: [
        { status: 'completed', final: { mimeType: 'image/png', byteLength: expect.any(Number) } },
      ],
    });
    expect(store.getState().items[0]?.final?.b64).toBe(png);
  });
});
