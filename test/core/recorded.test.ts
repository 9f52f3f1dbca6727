import { describe, expect, it, vi } from 'vitest';
import {
  createPartialImagesStore,
  type PartialImagesState,
  sniffImageFormat,
  sniffImageSize,
} from '../../src/core';
import { createSSEScanner, type ScannedMessage } from '../../src/core/sse';
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
      expect(state).toMatchObject({ status: 'completed', lastSequenceNumber: 411, error: null }),
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

function scanAll(chunks: Uint8Array[]): ScannedMessage[] {
  const out: ScannedMessage[] = [];
  const scanner = createSSEScanner((message) => out.push(message));
  for (const chunk of chunks) scanner.feed(chunk);
  scanner.end();
  return out;
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

  it('gives the same messages whatever byte the stream is split at', () => {
    for (const fixture of recorded) {
      const bytes = bytesOf(fixture.sse);
      const whole = scanAll([bytes]);
      expect(whole.length).toBeGreaterThan(3);
      // Every offset of the small streams; for the 100 KB ones every offset near a line end
      // (where the parser has state to carry) and every 61st byte elsewhere.
      for (let cut = 1; cut < bytes.length; cut++) {
        if (
          bytes.length > 20_000 &&
          cut % 61 !== 0 &&
          bytes.slice(cut - 3, cut + 3).indexOf(10) === -1
        )
          continue;
        const split = scanAll(splitAt(bytes, [cut]));
        if (
          split.length !== whole.length ||
          split.some((m, i) => m.data !== whole[i]?.data || m.event !== whole[i]?.event)
        ) {
          expect.fail(`${fixture.name}: split at ${cut} changed the messages`);
        }
      }
    }
  }, 60_000);

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
    expect(store.getState()).toMatchObject({ status: 'completed', lastSequenceNumber: 411 });
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
