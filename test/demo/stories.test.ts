import { describe, expect, it } from 'vitest';
import { eventJson, formatSize, shortId } from '../../stories/demo/inspect';
import { abortedItem } from '../../stories/demo/itemStates';
import { createReplay } from '../../stories/replay';

describe('the Inspector story: events as short JSON', () => {
  it('cuts base64 to 40 characters and its size, and keeps the text and the key order', () => {
    const replay = createReplay({ scenes: ['sunset'] });
    const partial = replay.events.find(
      (e) => e.type === 'response.image_generation_call.partial_image',
    );
    const b64 = partial?.partial_image_b64 as string;
    const json = eventJson(partial);
    const parsed = JSON.parse(json) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(Object.keys(partial ?? {}));
    expect(parsed.partial_image_b64).toBe(`${b64.slice(0, 40)}… (${formatSize(b64.length)})`);
    expect(json.length).toBeLessThan(600);
    const done = replay.events.find(
      (e) => e.type === 'response.output_item.done' && (e.item as { result?: string }).result,
    );
    const item = (JSON.parse(eventJson(done)) as { item: Record<string, string> }).item;
    expect(item.result).toMatch(/^[A-Za-z0-9+/]{40}… \(\d+ KB\)$/);
    // A long revised prompt is text, not image data: it stays whole.
    const original = done?.item as { revised_prompt: string } | undefined;
    expect(item.revised_prompt).toBe(original?.revised_prompt);
    expect(item.revised_prompt?.length).toBeGreaterThan(200);
  });

  it('formats sizes and shortens OpenAI ids', () => {
    expect([formatSize(512), formatSize(37_400), formatSize(1_440_000)]).toEqual([
      '512 B',
      '37 KB',
      '1.4 MB',
    ]);
    const id = 'ig_0df93c0bb83a72f20068c979db26ac819e8b5a444fad3f0d7f';
    expect(shortId(id)).toBe('ig_0df93c…0d7f');
    expect(shortId('ig_0')).toBe('ig_0');
    expect(shortId('')).toBe('');
  });
});

describe('the "aborted (frames kept)" state', () => {
  it('is aborted with the previews received so far', () => {
    const item = abortedItem({ scenes: ['sunset'] }, 1);
    expect(item?.status).toBe('failed');
    expect(item?.error?.code).toBe('aborted');
    expect(item?.frames.map((f) => f.index)).toEqual([0, 1]);
    expect(item?.latest?.index).toBe(1);
    expect(abortedItem({ scenes: ['city'] }, 0)?.latest?.index).toBe(0);
  });
});
