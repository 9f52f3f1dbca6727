import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import {
  createPartialImagesStore,
  initialPartialImagesState,
  normalizeEvent,
  type PartialImageEvent,
  PartialImagesError,
  type PartialImagesState,
  type ReduceOptions,
  reducePartialImages,
} from '../../src/core';
import { withDetection } from '../../src/core/normalize';
import { imageResponseEvents } from '../fixtures/events';
import { fakeBase64 } from '../fixtures/streams';

vi.mock('react', () => ({}));

function run(raws: readonly unknown[], options?: ReduceOptions, start = initialPartialImagesState) {
  const states: PartialImagesState[] = [start];
  let state = start;
  for (const raw of raws) {
    const event = normalizeEvent(raw);
    if (event) state = reducePartialImages(state, event, options);
    states.push(state);
  }
  return { state, states };
}

/** An event without its timestamp (distributes over the union, so literals still narrow). */
type Untimed<E> = E extends unknown ? Omit<E, 'receivedAt'> : never;
/** With what its bytes say attached, as the normaliser does (the reducer never scans base64). */
const ev = (event: Untimed<PartialImageEvent>) =>
  withDetection({ receivedAt: 1, ...event } as PartialImageEvent);

describe('reducePartialImages', () => {
  it('goes idle → streaming → partial 0 → partial 1 → completed, keeping the final only', () => {
    const { state, states } = run(imageResponseEvents({ partials: 2 }));
    expect(state.status).toBe('completed');
    expect(state.responseId).toBe('resp_test');
    expect(state.error).toBeNull();
    const [item] = state.items;
    expect(item).toMatchObject({
      id: 'ig_0',
      outputIndex: 1,
      status: 'completed',
      revisedPrompt: 'A revised prompt for image 0',
      size: { width: 1536, height: 1024 },
      outputFormat: 'png',
    });
    expect(item?.frames).toHaveLength(1);
    expect(item?.final).toBe(item?.latest);
    expect(item?.final).toMatchObject({ isFinal: true, index: 2, mimeType: 'image/png' });
    expect(item?.final?.src.startsWith('data:image/png;base64,iVBORw0KGgo')).toBe(true);
    expect(item?.final?.src).toBe(`data:image/png;base64,${item?.final?.b64}`);
    const sequence = states
      .map((s) => `${s.status}:${s.items[0]?.status ?? '-'}:${s.items[0]?.latest?.index ?? '-'}`)
      .filter((entry, i, all) => entry !== all[i - 1]);
    expect(sequence).toEqual([
      'idle:-:-',
      'streaming:-:-',
      'streaming:pending:-',
      'streaming:generating:-',
      'streaming:partial:0',
      'streaming:partial:1',
      'streaming:completed:2',
      'completed:completed:2',
    ]);
  });

  it('keeps every frame with keepHistory', () => {
    const { state } = run(imageResponseEvents({ partials: 3 }), { keepHistory: true });
    expect(state.items[0]?.frames.map((f) => [f.index, f.isFinal])).toEqual([
      [0, false],
      [1, false],
      [2, false],
      [3, true],
    ]);
  });

  it('returns the same state for events that change nothing', () => {
    const events = imageResponseEvents({ partials: 1, textDeltas: 3 });
    let state = initialPartialImagesState;
    for (const raw of events) {
      const event = normalizeEvent(raw);
      if (!event) continue;
      const next = reducePartialImages(state, event);
      // Applying the same event again is a no-op, by identity.
      expect(reducePartialImages(next, event)).toBe(next);
      state = next;
    }
    const text = normalizeEvent({
      type: 'response.output_text.delta',
      delta: 'x',
      sequence_number: 99,
    });
    expect(text).toBeNull();
  });

  it('keys items by id, orders them by output_index, and survives interleaving', () => {
    const { state } = run(
      imageResponseEvents({ items: 3, partials: 2, interleave: true, ending: 'none' }),
    );
    expect(state.items.map((i) => [i.id, i.outputIndex, i.status])).toEqual([
      ['ig_0', 1, 'completed'],
      ['ig_1', 2, 'completed'],
      ['ig_2', 3, 'completed'],
    ]);
    // Out-of-order arrival still sorts by output_index.
    const late = ev({
      type: 'image.added',
      itemId: 'ig_late',
      outputIndex: 0,
      sequenceNumber: null,
    });
    expect(reducePartialImages(state, late).items.map((i) => i.id)).toEqual([
      'ig_late',
      'ig_0',
      'ig_1',
      'ig_2',
    ]);
  });

  it('treats output_item.done with status "generating" and no .completed event as final (Azure)', () => {
    const { state } = run(imageResponseEvents({ doneStatus: 'generating', completedEvent: false }));
    expect(state.status).toBe('completed');
    expect(state.items[0]?.status).toBe('completed');
    expect(state.items[0]?.final).not.toBeNull();
  });

  it('recovers the final from response.completed when output_item.done was missed', () => {
    const { state } = run(imageResponseEvents({ items: 2, skipItemDone: true }));
    expect(state.items.map((i) => i.status)).toEqual(['completed', 'completed']);
    const missing = run(
      imageResponseEvents({ skipItemDone: true, resultsInCompleted: false }),
    ).state;
    expect(missing.status).toBe('completed');
    expect(missing.items[0]).toMatchObject({
      status: 'failed',
      error: { code: 'missing-final-image' },
    });
    expect(missing.items[0]?.latest?.index).toBe(1); // the last preview stays
  });

  it('drops replayed events by sequence number, and never lets a late preview replace a newer frame', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const events = imageResponseEvents({ partials: 3 });
    const once = run(events).state;
    // A resume that replays everything from sequence number 2.
    const replayed = run([...events, ...events.slice(2)]).state;
    expect(replayed).toEqual(once);
    // A late preview without sequence number (Images API style) after a newer one.
    const base = run(events.slice(0, 9)).state; // up to partial 1
    expect(base.items[0]?.latest?.index).toBe(1);
    const late = ev({
      type: 'image.partial',
      itemId: 'ig_0',
      outputIndex: 1,
      partialImageIndex: 0,
      b64: 'iVBORw0KGgoLATE',
      format: null,
      size: null,
      sequenceNumber: null,
    });
    expect(reducePartialImages(base, late)).toBe(base);
    vi.useRealTimers();
  });

  it('resolves the MIME type: event field, then tool echo, then option, then signature, then PNG', () => {
    const partial = (b64: string, format: string | null) =>
      ev({
        type: 'image.partial',
        itemId: 'a',
        outputIndex: 0,
        partialImageIndex: 0,
        b64,
        format: format as never,
        size: null,
        sequenceNumber: null,
      });
    const created = (format: string | null) =>
      ev({
        type: 'response.created',
        responseId: 'r',
        format: format as never,
        size: null,
        sequenceNumber: null,
      });
    const mime = (events: PartialImageEvent[], options?: ReduceOptions) =>
      events.reduce((s, e) => reducePartialImages(s, e, options), initialPartialImagesState)
        .items[0]?.latest?.mimeType;
    const jpegBytes = '/9j/4AAQSkZJRg';
    expect(mime([created('png'), partial(jpegBytes, 'webp')])).toBe('image/webp');
    expect(mime([created('webp'), partial(jpegBytes, null)])).toBe('image/webp');
    expect(mime([partial(jpegBytes, null)], { outputFormat: 'jpg' })).toBe('image/jpeg');
    expect(mime([partial(jpegBytes, null)])).toBe('image/jpeg');
    expect(mime([partial('R0lGODlhAQAB', null)])).toBe('image/gif');
    expect(mime([partial('UklGRuIWGQBXRUJQVlA4', null)])).toBe('image/webp');
    expect(mime([partial('AAAAHGZ0eXBhdmlm', null)])).toBe('image/avif');
    expect(mime([partial('somethingelse', null)])).toBe('image/png');
  });

  it('never builds a data: URL with a non-image type, and needs allowSvg for SVG', () => {
    const final = (result: string, format: string | null = null) =>
      ev({
        type: 'image.final',
        itemId: 'a',
        outputIndex: 0,
        result,
        revisedPrompt: null,
        format: format as never,
        size: null,
        sequenceNumber: null,
      });
    const apply = (event: PartialImageEvent, options?: ReduceOptions) =>
      reducePartialImages(initialPartialImagesState, event, options).items[0];
    expect(apply(final('javascript:alert(1)'))).toMatchObject({
      status: 'failed',
      error: { code: 'unsafe-url' },
      latest: null,
    });
    expect(apply(final('http://insecure.test/a.png'))).toMatchObject({
      status: 'failed',
      error: { code: 'unsafe-url' },
    });
    expect(apply(final('data:text/html;base64,PHNjcmlwdD4='))).toMatchObject({
      error: { code: 'unsupported-media-type' },
    });
    expect(apply(final('data:image/png,notbase64'))).toMatchObject({
      error: { code: 'unsafe-url' },
    });
    expect(apply(final('PHN2ZyB4bWxucz0i', 'svg'))).toMatchObject({
      error: { code: 'unsupported-media-type' },
    });
    expect(apply(final('PHN2ZyB4bWxucz0i'))).toMatchObject({
      error: { code: 'unsupported-media-type' },
    });
    expect(apply(final('PHN2ZyB4bWxucz0i', 'svg'), { allowSvg: true })?.final?.src).toBe(
      'data:image/svg+xml;base64,PHN2ZyB4bWxucz0i',
    );
    const https = apply(final('https://cdn.example.com/img/final.webp?sig=1'));
    expect(https?.final).toMatchObject({
      src: 'https://cdn.example.com/img/final.webp?sig=1',
      b64: null,
      mimeType: 'image/webp',
    });
    const dataUrl = apply(final('data:image/jpeg;base64,/9j/4AAQ'));
    expect(dataUrl?.final).toMatchObject({
      src: 'data:image/jpeg;base64,/9j/4AAQ',
      b64: '/9j/4AAQ',
      mimeType: 'image/jpeg',
    });
  });

  it('knows the size before any frame from the tool echo, and from the first frame header', () => {
    const { states } = run(imageResponseEvents({ size: '1024x1536', partialMetadata: false }));
    const added = states.find((s) => s.items.length > 0);
    expect(added?.items[0]?.size).toEqual({ width: 1024, height: 1536 });
    const created = ev({
      type: 'response.created',
      responseId: 'r',
      format: null,
      size: null,
      sequenceNumber: null,
    });
    // A real 1x1 PNG: the IHDR says 1x1.
    const png =
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
    const partial = ev({
      type: 'image.partial',
      itemId: 'a',
      outputIndex: 0,
      partialImageIndex: 0,
      b64: png,
      format: null,
      size: null,
      sequenceNumber: null,
    });
    const state = reducePartialImages(
      reducePartialImages(initialPartialImagesState, created),
      partial,
    );
    expect(state.items[0]?.size).toEqual({ width: 1, height: 1 });
  });

  it('fails one item for a frame over maxFrameBytes and goes on with the others', () => {
    const frame = (item: number, k: number) =>
      fakeBase64(item === 0 ? 5000 : 500, 'iVBORw0KGgo', item * 10 + k);
    const { state } = run(imageResponseEvents({ items: 2, frame }), { maxFrameBytes: 1000 });
    expect(state.status).toBe('completed');
    expect(state.items[0]).toMatchObject({
      status: 'failed',
      error: { code: 'frame-too-large', itemId: 'ig_0' },
    });
    expect(state.items[1]).toMatchObject({ status: 'completed' });
  });

  it('keeps frames and records a typed error for every way a stream can fail', () => {
    const failed = run(
      imageResponseEvents({ ending: 'failed', skipItemDone: true, resultsInCompleted: false }),
    ).state;
    expect(failed).toMatchObject({
      status: 'failed',
      error: { code: 'response-failed', providerCode: 'image_content_policy_violation' },
    });
    expect(failed.items[0]).toMatchObject({ status: 'failed', latest: { index: 1 } });

    const errored = run(imageResponseEvents({ ending: 'error', skipItemDone: true })).state;
    // The error event came first and says more; response.failed does not overwrite it.
    expect(errored).toMatchObject({
      status: 'failed',
      error: { code: 'provider-error', providerCode: 'server_error' },
    });

    const incomplete = run(
      imageResponseEvents({ ending: 'incomplete', skipItemDone: true, resultsInCompleted: false }),
    ).state;
    expect(incomplete).toMatchObject({
      status: 'incomplete',
      error: { code: 'response-incomplete', providerCode: 'content_filter' },
    });
    expect(incomplete.items[0]?.frames).toHaveLength(2);

    const cut = run(imageResponseEvents({ ending: 'none', skipItemDone: true })).state;
    const ended = reducePartialImages(
      cut,
      ev({ type: 'stream.end', reason: 'eof', sequenceNumber: null }),
    );
    expect(ended).toMatchObject({ status: 'failed', error: { code: 'stream-truncated' } });
    expect(ended.items[0]).toMatchObject({ status: 'failed', latest: { index: 1 } });

    const malformed = ev({
      type: 'stream.error',
      fatal: false,
      error: new PartialImagesError('malformed-json', 'bad'),
      sequenceNumber: null,
    });
    const goesOn = reducePartialImages(cut, malformed);
    expect(goesOn.status).toBe('streaming');
    expect(goesOn.error?.code).toBe('malformed-json');
  });

  it('ends an Images API stream cleanly on close once every image is final (the decoder says so)', async () => {
    const events = [
      {
        type: 'image_generation.partial_image',
        b64_json: 'iVBORw0KGgoA',
        partial_image_index: 0,
        output_format: 'png',
        size: '1024x1024',
      },
      {
        type: 'image_generation.completed',
        b64_json: 'iVBORw0KGgoB',
        output_format: 'png',
        size: '1024x1024',
      },
      {
        type: 'image_generation.partial_image',
        b64_json: 'iVBORw0KGgoC',
        partial_image_index: 0,
        output_format: 'png',
      },
      { type: 'image_generation.completed', b64_json: 'iVBORw0KGgoD', output_format: 'png' },
    ];
    const { state } = run(events);
    expect(state.items.map((i) => [i.id, i.status, i.final?.b64])).toEqual([
      ['image_0', 'completed', 'iVBORw0KGgoB'],
      ['image_1', 'completed', 'iVBORw0KGgoD'],
    ]);
    // The reducer ends cleanly only on `done`; a bare close is `done` for an Images API stream.
    const closed = (reason: 'done' | 'eof') =>
      reducePartialImages(state, ev({ type: 'stream.end', reason, sequenceNumber: null })).status;
    expect([closed('done'), closed('eof')]).toEqual(['completed', 'failed']);
    const store = createPartialImagesStore({ worker: false });
    await store.consume(events);
    expect(store.getState()).toMatchObject({ status: 'completed', error: null });
    // Cut before its last `completed`: truncated.
    const cut = createPartialImagesStore({ worker: false });
    await cut.consume(events.slice(0, 3));
    expect(cut.getState()).toMatchObject({ status: 'failed', error: { code: 'stream-truncated' } });
  });

  it('never throws, ignores duplicate delivery and never regresses a frame (property)', () => {
    const base = imageResponseEvents({ items: 2, partials: 3, interleave: true });
    const junk = fc.oneof(
      fc.constant(null),
      fc.string(),
      fc.object(),
      fc.record({
        type: fc.constantFrom(
          'response.image_generation_call.partial_image',
          'response.output_item.done',
          'error',
          'response.completed',
        ),
        item_id: fc.string(),
        sequence_number: fc.integer(),
      }),
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom(...base), junk), { maxLength: 60 }), (raws) => {
        let state = initialPartialImagesState;
        const newest = new Map<string, number>();
        for (const raw of raws) {
          const event = normalizeEvent(raw);
          if (!event) continue;
          const next = reducePartialImages(state, event);
          // Delivering the same event twice changes nothing the second time.
          expect(reducePartialImages(next, event)).toBe(next);
          for (const item of next.items) {
            const index = item.latest?.index ?? -1;
            expect(index).toBeGreaterThanOrEqual(newest.get(item.id) ?? -1);
            newest.set(item.id, index);
          }
          state = next;
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('no-op detection', () => {
  it('response.in_progress repeating the tool echo changes nothing', () => {
    const [created, inProgress] = imageResponseEvents();
    const { states } = run([created, inProgress]);
    expect(states[2]).toBe(states[1]);
  });
});
