import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { render } from '@testing-library/react';
import {
  parseJsonEventStream,
  readUIMessageStream,
  type UIMessage,
  uiMessageChunkSchema,
} from 'ai';
import { describe, expect, it } from 'vitest';
import { type PartialImageItem, ProgressiveImage, useUIMessageImages } from '../../src';

const folder = join(import.meta.dirname, '../fixtures/integrations/ai-sdk');

/** The `UIMessage` snapshots the AI SDK's own `readUIMessageStream` builds from a recording. */
async function snapshots(name: string): Promise<UIMessage[]> {
  const body = new Response(readFileSync(join(folder, `${name}.ui.sse`))).body;
  if (!body) throw new Error('no body');
  const chunks = parseJsonEventStream({ stream: body, schema: uiMessageChunkSchema }).pipeThrough(
    new TransformStream({
      transform(chunk, controller) {
        if (!chunk.success) throw chunk.error;
        controller.enqueue(chunk.value);
      },
    }),
  );
  const out: UIMessage[] = [];
  for await (const message of readUIMessageStream({ stream: chunks as never })) {
    out.push(structuredClone(message));
  }
  return out;
}

/** Renders every snapshot while streaming, then the last one after the stream; records items. */
async function play(name: string) {
  const messages = await snapshots(name);
  const seen: (readonly PartialImageItem[])[] = [];
  function Probe({ message, streaming }: { message: UIMessage; streaming: boolean }) {
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
  const last = messages.at(-1) as UIMessage;
  const view = render(<Probe message={messages[0] as UIMessage} streaming />);
  for (const message of messages) view.rerender(<Probe message={message} streaming />);
  const whileStreaming = seen.at(-1) ?? [];
  view.rerender(<Probe message={last} streaming={false} />);
  return { messages, seen, whileStreaming, done: seen.at(-1) ?? [], view, Probe, last };
}

describe('useUIMessageImages on the AI SDK’s own message snapshots', () => {
  it('shows each preview as a new frame, and the last output as the final once the stream ends', async () => {
    const { seen, whileStreaming, done, view } = await play('image-generation');
    // The AI SDK sends three outputs for the one image call, none marked preliminary.
    const indices = [...new Set(seen.flatMap((items) => items.map((item) => item.latest?.index)))];
    expect(indices).toEqual([undefined, 0, 1, 2, 3].filter((i) => indices.includes(i)));
    expect(whileStreaming).toHaveLength(1);
    expect(whileStreaming[0]).toMatchObject({ status: 'partial', final: null });
    expect(whileStreaming[0]?.frames.map((frame) => frame.index)).toEqual([0, 1, 2]);
    expect(done[0]).toMatchObject({
      id: expect.stringMatching(/^ig_/),
      status: 'completed',
      outputFormat: 'webp',
      size: { width: 384, height: 256 },
    });
    expect(done[0]?.final?.src).toBe(whileStreaming[0]?.latest?.src);
    expect(view.container.querySelector('[data-state]')).toHaveAttribute('data-state', 'completed');
  });

  it('recognises the image tool by its output, whatever its key, and ignores other tools', async () => {
    for (const name of ['renamed-key', 'with-weather-tool']) {
      const { done } = await play(name);
      expect(done.map((item) => item.status)).toEqual(['completed']);
    }
    expect((await play('text-only')).done).toEqual([]);
  });

  it('reads a user tool that marks its previews preliminary, with its own output shape', async () => {
    const { whileStreaming, done } = await play('preliminary-generator-tool');
    // Three preliminary outputs, then the last one again without the flag: the final.
    expect(whileStreaming[0]).toMatchObject({ status: 'completed', outputFormat: 'webp' });
    expect(done[0]).toBe(whileStreaming[0]);
  });

  it('keeps the items and each item’s identity while the message does not change', async () => {
    const { done, view, Probe, last, seen } = await play('image-generation');
    const again = { ...last, parts: [...last.parts] }; // what useChat hands over on a re-render
    view.rerender(<Probe message={again} streaming={false} />);
    expect(seen.at(-1)).toBe(done);
    expect(seen.at(-1)?.[0]).toBe(done[0]);
  });
});
