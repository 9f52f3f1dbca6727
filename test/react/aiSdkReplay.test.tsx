/**
 * The UI message stream of the "With the AI SDK" story (`test/fixtures/uiMessageStream.ts`),
 * read the way the story's `useChat` reads it: the real `ai` package's `DefaultChatTransport`
 * (with the replaying `fetch`) and `readUIMessageStream`, each message snapshot handed to
 * `useUIMessageImages`. Without `useChat` itself, so that it runs against React 18 too (the
 * react18 project aliases React for our code, not for `@ai-sdk/react` in node_modules).
 */

import { render } from '@testing-library/react';
import {
  DefaultChatTransport,
  parseJsonEventStream,
  readUIMessageStream,
  type UIMessage,
  uiMessageChunkSchema,
} from 'ai';
import { describe, expect, it } from 'vitest';
import { type PartialImageItem, ProgressiveImage, useUIMessageImages } from '../../src';
import {
  type FrameSet,
  pickFrames,
  play,
  scheduleChunks,
  smallFrames,
  type TimedUIMessageChunk,
  toReadableStream,
  toUIMessageStreamText,
  UI_MESSAGE_STREAM_HEADERS,
  uiMessageChunks,
  uiMessageSegments,
} from '../../stories/replay';

/** The story's `fetch`: the chunks, paced (here instantly), as a `Response`; records requests. */
function replayFetch(chunks: readonly TimedUIMessageChunk[]) {
  const requests: { url: string; method: string | undefined; body: unknown }[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    requests.push({
      url: String(input),
      method: init?.method,
      body: JSON.parse(String(init?.body)),
    });
    const schedule = scheduleChunks(uiMessageSegments(chunks));
    const signal = init?.signal ?? undefined;
    const body = toReadableStream(
      (stop) => play(schedule, { speed: Number.POSITIVE_INFINITY, signal: stop }),
      signal,
    );
    return new Response(body, { status: 200, headers: UI_MESSAGE_STREAM_HEADERS });
  };
  return { fetch, requests };
}

/** Every `UIMessage` snapshot of the reply, as `useChat` gets them through the transport. */
async function snapshots(chunks: readonly TimedUIMessageChunk[]) {
  const { fetch, requests } = replayFetch(chunks);
  const transport = new DefaultChatTransport({ api: '/api/chat', fetch });
  const user: UIMessage = { id: 'u1', role: 'user', parts: [{ type: 'text', text: 'A city' }] };
  const stream = await transport.sendMessages({
    trigger: 'submit-message',
    chatId: 'chat-1',
    messageId: undefined,
    messages: [user],
    abortSignal: undefined,
  });
  const messages: UIMessage[] = [];
  for await (const message of readUIMessageStream({ stream })) {
    messages.push(structuredClone(message));
  }
  return { messages, requests };
}

/** Renders each snapshot while streaming, then the last one once the stream is over. */
function renderReply(messages: readonly UIMessage[]) {
  const seen: (readonly PartialImageItem[])[] = [];
  function Reply({ message, streaming }: { message: UIMessage; streaming: boolean }) {
    const items = useUIMessageImages(message, { streaming });
    seen.push(items);
    return (
      <>
        {items.map((item) => (
          <ProgressiveImage key={item.id} item={item} />
        ))}
      </>
    );
  }
  const [first, ...rest] = messages;
  if (!first) throw new Error('no message snapshot');
  const view = render(<Reply message={first} streaming />);
  for (const message of rest) view.rerender(<Reply message={message} streaming />);
  const whileStreaming = seen.at(-1) ?? [];
  view.rerender(<Reply message={messages.at(-1) as UIMessage} streaming={false} />);
  return { seen, whileStreaming, done: seen.at(-1) ?? [], view };
}

/** Consecutive duplicates dropped: `[a, a, b, a]` → `[a, b, a]`. */
const runs = <T,>(values: readonly T[]) => values.filter((v, i) => i === 0 || v !== values[i - 1]);

const setOf = (scene: string) => pickFrames(smallFrames, 1, { scenes: [scene] })[0] as FrameSet;

describe('the AI SDK replay’s UI message stream', () => {
  it('is what toUIMessageStreamResponse sends, and the AI SDK’s own parser accepts every chunk', async () => {
    const chunks = uiMessageChunks({ frames: setOf('city'), messageMetadata: { note: 'replay' } });
    const text = toUIMessageStreamText(chunks);
    // `data: <json>` events only (no `event:` lines), then `[DONE]`.
    const events = text.split('\n\n');
    expect(events.pop()).toBe('');
    expect(events.pop()).toBe('data: [DONE]');
    expect(events.map((event) => JSON.parse(event.replace(/^data: /, '')))).toEqual(
      chunks.map(({ chunk }) => chunk),
    );
    const body = new Response(text).body as ReadableStream<Uint8Array>;
    const parsed = [];
    for await (const result of parseJsonEventStream({
      stream: body,
      schema: uiMessageChunkSchema,
    })) {
      parsed.push(result);
    }
    expect(parsed.every((result) => result.success)).toBe(true);
    expect(parsed).toHaveLength(chunks.length);
    expect(runs(chunks.map(({ chunk }) => chunk.type))).toEqual([
      'start',
      'start-step',
      'reasoning-start',
      'reasoning-end',
      'tool-input-available',
      'tool-output-available',
      'text-start',
      'text-delta',
      'text-end',
      'finish-step',
      'finish',
    ]);
    const outputs = chunks.filter(({ chunk }) => chunk.type === 'tool-output-available');
    // Three previews and the final, for the one call, none flagged `preliminary` (as ai 6 sends).
    expect(outputs.map(({ chunk }) => (chunk.output as { result: string }).result)).toEqual(
      setOf('city').frames,
    );
    expect(new Set(outputs.map(({ chunk }) => chunk.toolCallId)).size).toBe(1);
    expect(outputs.some(({ chunk }) => 'preliminary' in chunk)).toBe(false);
  });

  for (const set of smallFrames) {
    it(`${set.scene} (${set.format}): useUIMessageImages goes partial → completed, frames in order`, async () => {
      const chunks = uiMessageChunks({ frames: set, messageMetadata: { size: '1024x1024' } });
      const { messages, requests } = await snapshots(chunks);
      expect(requests).toEqual([
        {
          url: '/api/chat',
          method: 'POST',
          body: expect.objectContaining({ messages: [expect.objectContaining({ role: 'user' })] }),
        },
      ]);
      const last = messages.at(-1) as UIMessage;
      expect(last.metadata).toEqual({ size: '1024x1024' });
      expect(last.parts.map((part) => part.type)).toEqual([
        'step-start',
        'reasoning',
        'tool-image_generation',
        'text',
      ]);
      expect(last.parts.at(-1)).toMatchObject({
        type: 'text',
        text: expect.stringMatching(/^Here is .+\. Let me know/),
        state: 'done',
      });

      const { seen, whileStreaming, done, view } = renderReply(messages);
      const statuses = seen.map((items) => items.map((item) => item.status).join(','));
      // No item before the first preview (the call alone says nothing of an image), then one.
      expect(runs(statuses).filter(Boolean)).toEqual(['partial', 'completed']);
      // Each output becomes the newest frame, in the order sent.
      const latest = seen.map((items) => items[0]?.latest?.b64).filter(Boolean);
      expect(runs(latest)).toEqual(set.frames);
      expect(whileStreaming[0]?.frames.map((frame) => frame.b64)).toEqual(set.frames);
      expect(whileStreaming[0]?.final).toBeNull();
      expect(done).toHaveLength(1);
      expect(done[0]).toMatchObject({
        id: expect.stringMatching(/^ig_[0-9a-f]{50}$/),
        status: 'completed',
        outputFormat: set.format,
        size: { width: set.width, height: set.height },
      });
      expect(done[0]?.final?.b64).toBe(set.frames[3]);
      expect(done[0]?.final?.mimeType).toBe(set.mimeType);
      expect(view.container.querySelector('[data-state]')).toHaveAttribute(
        'data-state',
        'completed',
      );
    });
  }

  it('sends the previews asked for, under the tool’s key, and one item per reply', async () => {
    const set = setOf('forest');
    const { messages } = await snapshots(
      uiMessageChunks({ frames: set, partials: 1, toolName: 'picture' }),
    );
    expect(messages.at(-1)?.parts.map((part) => part.type)).toContain('tool-picture');
    const { whileStreaming, done } = renderReply(messages);
    expect(whileStreaming[0]?.frames.map((frame) => frame.b64)).toEqual([
      set.frames[0],
      set.frames[3],
    ]);
    expect(done.map((item) => item.status)).toEqual(['completed']);
    expect(done[0]?.final?.b64).toBe(set.frames[3]);

    const alone = renderReply(
      (await snapshots(uiMessageChunks({ frames: set, partials: 0 }))).messages,
    );
    expect(alone.done[0]?.frames.map((frame) => frame.b64)).toEqual([set.frames[3]]);
    expect(alone.done[0]?.status).toBe('completed');
    expect(() => uiMessageChunks({ frames: set, partials: 4 })).toThrow(RangeError);
  });

  it('gives every reply its own ids (by seed), and the same seed the same stream', () => {
    const set = setOf('sunset');
    const ids = (seed: number) =>
      uiMessageChunks({ frames: set, seed })
        .map(({ chunk }) => chunk.toolCallId)
        .find(Boolean);
    expect(ids(1)).not.toBe(ids(2));
    expect(toUIMessageStreamText(uiMessageChunks({ frames: set, seed: 3 }))).toBe(
      toUIMessageStreamText(uiMessageChunks({ frames: set, seed: 3 })),
    );
  });
});
