import { describe, expect, it, vi } from 'vitest';
import {
  createPartialImagesStore,
  initialPartialImagesState,
  normalizeEvent,
  type PartialImagesState,
  reducePartialImages,
} from '../../src/core';
import { sniffImageFormat, sniffImageSize } from '../../src/core/sniff';
import { imageResponseEvents } from '../fixtures/events';
import { smallFrames } from '../fixtures/frames';
import { fakeBase64, sse, sseResponse } from '../fixtures/streams';

vi.mock('react', () => ({}));

/** Real PNG, JPEG and WebP frames made by test/fixtures/frames/make-frames.ts. */
const sets = smallFrames;

describe('real encoded frames', () => {
  it('covers every format and aspect ratio', () => {
    expect(new Set(sets.map((s) => s.format))).toEqual(new Set(['png', 'jpeg', 'webp']));
    expect(new Set(sets.map((s) => Math.sign(s.width - s.height)))).toEqual(new Set([-1, 0, 1]));
  });

  for (const set of sets) {
    it(`${set.format} (${set.scene}): right MIME type and size with no format declared anywhere`, async () => {
      // Partial events as the OpenRouter SDK yields them: camelCase, metadata stripped.
      const events = imageResponseEvents({
        format: set.format,
        frame: (_, k) => set.frames[Math.min(k, 3)] as string,
        partials: 3,
      }).map((event) => {
        const { output_format, size, ...rest } = event as Record<string, unknown>;
        if (event.type === 'response.created' || event.type === 'response.in_progress') {
          return { ...rest, response: { id: 'resp_real', status: 'in_progress' } };
        }
        if (event.type === 'response.output_item.done') {
          const { output_format: _f, size: _s, ...item } = event.item as Record<string, unknown>;
          return { ...rest, item };
        }
        return rest;
      });
      const store = createPartialImagesStore();
      const mimes: string[] = [];
      store.subscribe((state) => {
        const frame = state.items[0]?.latest;
        if (frame && frame.mimeType !== mimes.at(-1)) mimes.push(frame.mimeType);
      });
      await store.consume(events);
      const item = store.getState().items[0];
      expect(mimes).toEqual([set.mimeType]);
      expect(item).toMatchObject({
        status: 'completed',
        outputFormat: set.format,
        size: { width: set.width, height: set.height },
        final: { mimeType: set.mimeType, b64: set.frames[3] },
      });
      expect(sniffImageFormat(set.frames[0])).toBe(set.format);
      expect(sniffImageSize(set.frames[0], set.format)).toEqual({
        width: set.width,
        height: set.height,
      });
      expect(item?.final?.byteLength).toBe(Buffer.from(set.frames[3], 'base64').length);
    });
  }
});

describe('memory', () => {
  it('in a long chat, the base64 kept is within 5% of the final images themselves', () => {
    // 30 responses, 1 to 4 images each, 3 previews of 40-60 KB each plus a final.
    let retained = 0;
    let finals = 0;
    for (let message = 0; message < 30; message++) {
      const items = 1 + (message % 4);
      const frame = (item: number, k: number) =>
        fakeBase64(40_000 + k * 7_000 + item * 100, 'iVBORw0KGgo', message * 100 + item * 10 + k);
      let state: PartialImagesState = initialPartialImagesState;
      for (const raw of imageResponseEvents({
        items,
        partials: 3,
        frame,
        responseId: `resp_${message}`,
      })) {
        const event = normalizeEvent(raw);
        if (event) state = reducePartialImages(state, event);
      }
      for (const item of state.items) {
        finals += item.final?.b64?.length ?? 0;
        const kept = new Set([...item.frames, item.latest, item.final].filter(Boolean));
        for (const kept_ of kept) retained += kept_?.b64?.length ?? 0;
      }
    }
    expect(finals).toBeGreaterThan(4_000_000);
    expect(retained / finals).toBeLessThanOrEqual(1.05);
  });

  it('a frame shares its base64 with its data URL rather than holding a second copy', async () => {
    const store = createPartialImagesStore();
    await store.consume(sseResponse(sse(imageResponseEvents())));
    const frame = store.getState().items[0]?.final;
    expect(Object.getOwnPropertyDescriptor(frame, 'b64')?.get).toBeTypeOf('function');
    expect(frame?.src.endsWith(frame?.b64 ?? '-')).toBe(true);
    expect({ ...frame }).toHaveProperty('b64', frame?.b64);
  });
});
