import { describe, expect, it, vi } from 'vitest';
import { normalizeEvent, PartialImagesError } from '../../src/core';

vi.mock('react', () => ({}));

const partialWire = {
  type: 'response.image_generation_call.partial_image',
  sequence_number: 7,
  output_index: 1,
  item_id: 'ig_1',
  partial_image_index: 0,
  partial_image_b64: 'UklGRuIWGQBXRUJQVlA4TKAw',
  size: '1536x1024',
  quality: 'low',
  background: 'opaque',
  output_format: 'webp',
};

describe('normalizeEvent', () => {
  it('reads the wire partial-image event, with its optional metadata', () => {
    expect(normalizeEvent(partialWire)).toMatchObject({
      type: 'image.partial',
      itemId: 'ig_1',
      outputIndex: 1,
      sequenceNumber: 7,
      partialImageIndex: 0,
      b64: 'UklGRuIWGQBXRUJQVlA4TKAw',
      format: 'webp',
      size: { width: 1536, height: 1024 },
    });
  });

  it('reads the OpenRouter SDK camelCase event, whose metadata the SDK stripped', () => {
    const sdk = {
      itemId: 'ig_1',
      outputIndex: 1,
      partialImageB64: 'UklGRuIWGQBXRUJQ',
      partialImageIndex: 0,
      sequenceNumber: 7,
      type: 'response.image_generation_call.partial_image',
    };
    expect(normalizeEvent(sdk)).toMatchObject({
      type: 'image.partial',
      itemId: 'ig_1',
      partialImageIndex: 0,
      sequenceNumber: 7,
      format: null,
      size: null,
    });
  });

  it('unwraps the OpenRouter SDK UNKNOWN wrapper (nested error, response.queued)', () => {
    const nested = {
      type: 'UNKNOWN',
      isUnknown: true,
      raw: {
        type: 'error',
        sequence_number: 2,
        error: {
          type: 'insufficient_quota',
          code: 'insufficient_quota',
          message: 'You exceeded your current quota.',
          param: null,
        },
      },
    };
    const event = normalizeEvent(nested);
    expect(event?.type).toBe('error');
    if (event?.type !== 'error') throw new Error('narrowing');
    expect(event.error).toBeInstanceOf(PartialImagesError);
    expect(event.error).toMatchObject({
      code: 'provider-error',
      providerCode: 'insufficient_quota',
      providerType: 'insufficient_quota',
      message: 'You exceeded your current quota.',
      sequenceNumber: 2,
    });
    const queued = {
      type: 'UNKNOWN',
      isUnknown: true,
      raw: {
        type: 'response.queued',
        sequence_number: 0,
        response: { id: 'resp_1', status: 'queued' },
      },
    };
    expect(normalizeEvent(queued)).toMatchObject({
      type: 'response.created',
      responseId: 'resp_1',
    });
  });

  it('reads flat and nested error events, and any payload with a top-level error object', () => {
    expect(
      normalizeEvent({
        type: 'error',
        code: 'rate_limit_exceeded',
        message: 'Slow down.',
        param: null,
        sequence_number: 2,
      }),
    ).toMatchObject({
      type: 'error',
      error: { code: 'provider-error', providerCode: 'rate_limit_exceeded', message: 'Slow down.' },
    });
    expect(
      normalizeEvent({
        type: 'error',
        error: { type: 'server_error', code: null, message: 'Sorry.', param: null },
      }),
    ).toMatchObject({
      type: 'error',
      error: { providerCode: null, providerType: 'server_error', message: 'Sorry.' },
    });
    expect(
      normalizeEvent({ error: { message: 'Mid-generation failure', code: 502 } }),
    ).toMatchObject({
      type: 'error',
      error: { message: 'Mid-generation failure', providerCode: '502' },
    });
  });

  it('takes the final image from output_item.done whatever its status, with the revised prompt', () => {
    const done = {
      type: 'response.output_item.done',
      sequence_number: 9,
      output_index: 1,
      item: {
        id: 'ig_1',
        type: 'image_generation_call',
        status: 'generating',
        result: 'iVBORw0KGgo',
        revised_prompt: 'A cat',
        output_format: 'png',
        size: '1024x1024',
      },
    };
    expect(normalizeEvent(done)).toMatchObject({
      type: 'image.final',
      itemId: 'ig_1',
      outputIndex: 1,
      result: 'iVBORw0KGgo',
      revisedPrompt: 'A cat',
      format: 'png',
      size: { width: 1024, height: 1024 },
    });
    // xAI says `prompt`; OpenRouter's own tool says imageB64 / revisedPrompt.
    const xai = {
      ...done,
      item: {
        id: 'ig_2',
        type: 'image_generation_call',
        status: 'completed',
        result: 'ZmFr',
        prompt: 'A dog',
      },
    };
    expect(normalizeEvent(xai)).toMatchObject({ type: 'image.final', revisedPrompt: 'A dog' });
    const openrouter = {
      ...done,
      item: {
        id: 'ig_3',
        type: 'openrouter:image_generation',
        status: 'completed',
        imageUrl: 'https://example.com/a.png',
        revisedPrompt: 'A fox',
      },
    };
    expect(normalizeEvent(openrouter)).toMatchObject({
      type: 'image.final',
      result: 'https://example.com/a.png',
      revisedPrompt: 'A fox',
    });
  });

  it('turns a done item without result into failed or progress', () => {
    const failed = {
      type: 'response.output_item.done',
      output_index: 1,
      item: { id: 'ig_1', type: 'image_generation_call', status: 'failed' },
    };
    expect(normalizeEvent(failed)).toMatchObject({ type: 'image.failed', itemId: 'ig_1' });
    const empty = {
      type: 'response.output_item.done',
      output_index: 1,
      item: { id: 'ig_1', type: 'image_generation_call', status: 'completed', result: null },
    };
    expect(normalizeEvent(empty)).toMatchObject({ type: 'image.progress', phase: 'completed' });
  });

  it('reads the tool echo of response.created and the terminal response events', () => {
    const created = {
      type: 'response.created',
      sequence_number: 0,
      response: {
        id: 'resp_1',
        status: 'in_progress',
        tools: [
          { type: 'function' },
          { type: 'image_generation', output_format: 'webp', size: 'auto' },
        ],
      },
    };
    expect(normalizeEvent(created)).toMatchObject({
      type: 'response.created',
      responseId: 'resp_1',
      format: 'webp',
      size: null,
    });
    const completed = {
      type: 'response.completed',
      sequence_number: 15,
      response: {
        id: 'resp_1',
        status: 'completed',
        output: [
          { type: 'reasoning', id: 'rs' },
          { type: 'image_generation_call', id: 'ig_1', status: 'generating', result: 'iVBOR' },
          { type: 'message', id: 'msg' },
        ],
      },
    };
    expect(normalizeEvent(completed)).toMatchObject({
      type: 'response.completed',
      images: [{ itemId: 'ig_1', outputIndex: 1, result: 'iVBOR' }],
    });
    const incomplete = {
      type: 'response.incomplete',
      response: {
        id: 'resp_1',
        status: 'incomplete',
        incomplete_details: { reason: 'content_filter' },
        output: [],
      },
    };
    expect(normalizeEvent(incomplete)).toMatchObject({
      type: 'response.incomplete',
      reason: 'content_filter',
    });
    const failed = {
      type: 'response.failed',
      response: {
        id: 'resp_1',
        status: 'failed',
        error: { code: 'image_content_policy_violation', message: 'Rejected.' },
      },
    };
    expect(normalizeEvent(failed)).toMatchObject({
      type: 'response.failed',
      error: {
        code: 'response-failed',
        providerCode: 'image_content_policy_violation',
        message: 'Rejected.',
      },
    });
  });

  it('reads Images API events: OpenAI snake_case and OpenRouter b64Json / media_type', () => {
    expect(
      normalizeEvent({
        type: 'image_generation.partial_image',
        b64_json: 'iVBOR',
        partial_image_index: 1,
        output_format: 'png',
        size: '1024x1536',
        created_at: 1,
        background: 'auto',
        quality: 'low',
      }),
    ).toMatchObject({
      type: 'image.partial',
      itemId: null,
      partialImageIndex: 1,
      format: 'png',
      size: { width: 1024, height: 1536 },
    });
    expect(
      normalizeEvent({
        type: 'image_edit.completed',
        b64_json: '/9j/',
        output_format: 'jpeg',
        size: 'auto',
      }),
    ).toMatchObject({
      type: 'image.final',
      itemId: null,
      format: 'jpeg',
    });
    expect(
      normalizeEvent({
        type: 'image_generation.completed',
        b64Json: 'PHN2Zz4=',
        created: 1,
        mediaType: 'image/svg+xml',
      }),
    ).toMatchObject({
      type: 'image.final',
      format: 'svg',
    });
    expect(
      normalizeEvent({ type: 'image_generation.text_chunk', text: '<svg', phase: 'content' }),
    ).toBeNull();
  });

  it('reads whole JSON bodies: a non-streamed response and an Images API result', () => {
    expect(
      normalizeEvent({
        id: 'resp_1',
        object: 'response',
        status: 'completed',
        output: [
          { type: 'image_generation_call', id: 'ig_1', status: 'completed', result: '/9j/4AAQ' },
        ],
      }),
    ).toMatchObject({
      type: 'response.completed',
      responseId: 'resp_1',
      images: [{ itemId: 'ig_1', result: '/9j/4AAQ' }],
    });
    expect(
      normalizeEvent({
        created: 1,
        data: [{ b64_json: 'iVBOR', media_type: 'image/png' }, { url: 'https://x.test/b.webp' }],
      }),
    ).toMatchObject({
      type: 'response.completed',
      images: [
        { itemId: null, result: 'iVBOR', format: 'png' },
        { itemId: null, result: 'https://x.test/b.webp' },
      ],
    });
  });

  it('ignores a metadata field of the wrong type rather than losing the event', () => {
    for (const sequence_number of ['7', Number.NaN, 7.5, -1, 1e300]) {
      expect(normalizeEvent({ ...partialWire, sequence_number })).toMatchObject({
        type: 'image.partial',
        sequenceNumber: null,
        b64: partialWire.partial_image_b64,
      });
    }
    // No index (or a wrong one): the reducer numbers the frame.
    expect(normalizeEvent({ ...partialWire, partial_image_index: '1' })).toMatchObject({
      type: 'image.partial',
      partialImageIndex: null,
    });
    expect(normalizeEvent({ ...partialWire, output_index: 'one' })).toMatchObject({
      type: 'image.partial',
      outputIndex: null,
      itemId: 'ig_1',
    });
  });

  it('returns null for events that do not concern images or the response life', () => {
    for (const raw of [
      { type: 'response.output_text.delta', delta: 'hi', sequence_number: 3 },
      { type: 'response.reasoning_summary_text.delta', delta: '…' },
      { type: 'response.output_item.added', output_index: 0, item: { id: 'msg', type: 'message' } },
      { type: 'keepalive', sequence_number: 4 },
      { type: 'response.fusion_call.in_progress' },
      { something: 'else' },
    ]) {
      expect(normalizeEvent(raw)).toBeNull();
    }
  });

  it('turns image events without a payload into a non-fatal invalid-event error that names the field', () => {
    const event = normalizeEvent({ ...partialWire, partial_image_b64: 42 });
    expect(event).toMatchObject({ type: 'stream.error', fatal: false });
    if (event?.type !== 'stream.error') throw new Error('narrowing');
    expect(event.error).toBeInstanceOf(PartialImagesError);
    expect(event.error.code).toBe('invalid-event');
    expect(event.error.message).toContain('partial_image_b64');
    expect(normalizeEvent('not an object')).toMatchObject({
      type: 'stream.error',
      error: { code: 'invalid-event' },
    });
    expect(normalizeEvent(null)).toMatchObject({ type: 'stream.error' });
  });
});
