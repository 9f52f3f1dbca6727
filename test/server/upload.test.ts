import { describe, expect, it, vi } from 'vitest';
import { createPartialImagesStore } from '../../src/core';
import { type FinalImageUpload, toSSEStream } from '../../src/server';
import { sse, sseResponse } from '../fixtures/streams';
import { imagesApiEvents, readEvents, readText, realFrameEvents } from './support';

/** An object store in memory, standing in for any S3-compatible client's `putObject`. */
function memoryBucket() {
  const objects = new Map<string, { bytes: Uint8Array; contentType: string }>();
  const upload = vi.fn(async (image: FinalImageUpload) => {
    const key = `images/${image.itemId}.${image.mimeType.split('/')[1]}`;
    objects.set(key, { bytes: image.bytes, contentType: image.mimeType });
    return `https://bucket.example.com/${key}`;
  });
  return { objects, upload };
}

function finalOf(events: Record<string, unknown>[]): string {
  const done = events.find(
    (e) => e.type === 'response.output_item.done' && (e.item as { result?: string }).result,
  );
  if (!done) throw new Error('no response.output_item.done with a result');
  return (done.item as { result: string }).result;
}

describe('toSSEStream({ uploadFinalImage })', () => {
  it('sends the final as its https URL, never as base64; previews stream as before', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const events = realFrameEvents();
    const final = finalOf(events);
    const bucket = memoryBucket();
    const relay = () => toSSEStream(sseResponse(sse(events)), { uploadFinalImage: bucket.upload });
    const text = await readText(relay());
    expect(text).not.toContain(final); // not in output_item.done, not in response.completed
    expect(bucket.upload).toHaveBeenCalledTimes(1);
    const [object] = [...bucket.objects.values()];
    expect(Buffer.from(object?.bytes ?? []).toString('base64')).toBe(final);
    expect(object?.contentType).toBe('image/png');
    expect(bucket.upload.mock.calls[0]?.[0]).toMatchObject({
      itemId: 'ig_0',
      revisedPrompt: 'A revised prompt for image 0',
    });
    const store = createPartialImagesStore({ keepHistory: true });
    await store.consume(relay());
    const item = store.getState().items[0];
    expect(store.getState().status).toBe('completed');
    expect(item?.frames.map((frame) => frame.src.slice(0, 22))).toEqual([
      'data:image/png;base64,',
      'data:image/png;base64,',
      'data:image/png;base64,',
      'https://bucket.example',
    ]);
    expect(item?.final?.src).toBe('https://bucket.example.com/images/ig_0.png');
    vi.useRealTimers();
  });

  it('sends the base64 when the upload fails, and onError hears why', async () => {
    const events = realFrameEvents();
    const onError = vi.fn();
    const failing = vi.fn(async () => {
      throw new Error('bucket unavailable');
    });
    const relayed = await readEvents(
      toSSEStream(sseResponse(sse(events)), { uploadFinalImage: failing, onError }),
    );
    expect(finalOf(relayed.map((m) => m.json as Record<string, unknown>))).toBe(finalOf(events));
    expect(onError).toHaveBeenCalledWith(
      expect.objectContaining({ message: 'bucket unavailable' }),
    );
    // Not an https URL: refused the same way.
    const wrong = vi.fn(async () => 'http://insecure.example.com/a.png');
    const text = await readText(
      toSSEStream(sseResponse(sse(events)), { uploadFinalImage: wrong, onError }),
    );
    expect(text).toContain(finalOf(events));
    expect(onError).toHaveBeenCalledTimes(2);
  });

  it('uploads the Images API final too, and sends each final once with the images filter', async () => {
    const bucket = memoryBucket();
    const relayed = await readEvents(
      toSSEStream(sseResponse(sse(imagesApiEvents())), { uploadFinalImage: bucket.upload }),
    );
    const completed = relayed.at(-1)?.json as { type: string; b64_json: string };
    expect(completed.type).toBe('image_generation.completed');
    expect(completed.b64_json).toMatch(/^https:\/\/bucket\.example\.com\/images\/image_0\./);
    const images = await readEvents(
      toSSEStream(sseResponse(sse(realFrameEvents())), { filter: 'images' }),
    );
    const final = finalOf(realFrameEvents());
    expect(images.filter((m) => JSON.stringify(m.json).includes(final))).toHaveLength(1);
  });
});
