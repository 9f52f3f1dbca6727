import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toWireShape as toWireEvent } from '../../src/core/wire';
import { isImageStreamEvent } from '../../src/server/wire';
import { imageResponseEvents } from '../fixtures/events';

describe('the server entry', () => {
  it('imports nothing from Node or React, so it loads on edge runtimes', () => {
    const root = join(import.meta.dirname, '../../src/server');
    const files = readdirSync(root).filter((file) => file.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(3);
    for (const file of files) {
      const text = readFileSync(join(root, file), 'utf8');
      const imports = [...text.matchAll(/from\s+['"]([^'"]+)['"]/g)].map((m) => m[1]);
      for (const specifier of imports) {
        expect(specifier, `${file} imports ${specifier}`).toMatch(/^\.\.?\//);
      }
      expect(text, file).not.toMatch(/\brequire\(|import\(\s*['"]/);
      expect(text, file).not.toMatch(/\bBuffer\b|\bprocess\./);
    }
  });
});

describe('toWireShape', () => {
  it('returns wire events (openai SDK, parsed JSON) as the very same object', () => {
    for (const event of imageResponseEvents({ textDeltas: 1 })) {
      expect(toWireEvent(event)).toBe(event);
    }
    // camelCase keys deeper down in a wire event are data, not SDK renames.
    const withSchema = {
      type: 'response.created',
      sequence_number: 0,
      response: { tools: [{ type: 'function', parameters: { additionalProperties: false } }] },
    };
    expect(toWireEvent(withSchema)).toBe(withSchema);
  });

  it('renames OpenRouter SDK camelCase keys back to snake_case, all the way down', () => {
    const sdk = {
      type: 'response.completed',
      sequenceNumber: 12,
      response: {
        id: 'resp_1',
        createdAt: 1758034395,
        incompleteDetails: null,
        output: [{ id: 'ig_1', type: 'image_generation_call', status: 'completed', result: 'x' }],
        tools: [{ type: 'image_generation', outputFormat: 'webp', partialImages: 2 }],
        usage: { inputTokens: 1, outputTokensDetails: { reasoningTokens: 0 } },
        metadata: { userId: 'u_1', plan_name: 'pro' },
      },
    };
    expect(toWireEvent(sdk)).toEqual({
      type: 'response.completed',
      sequence_number: 12,
      response: {
        id: 'resp_1',
        created_at: 1758034395,
        incomplete_details: null,
        output: [{ id: 'ig_1', type: 'image_generation_call', status: 'completed', result: 'x' }],
        tools: [{ type: 'image_generation', output_format: 'webp', partial_images: 2 }],
        usage: { input_tokens: 1, output_tokens_details: { reasoning_tokens: 0 } },
        // User metadata is free-form: the SDK left its keys alone, and so does the relay.
        metadata: { userId: 'u_1', plan_name: 'pro' },
      },
    });
    expect(sdk.sequenceNumber).toBe(12); // not mutated
    expect(
      toWireEvent({
        type: 'response.image_generation_call.partial_image',
        itemId: 'ig_1',
        outputIndex: 1,
        partialImageB64: 'iVBOR',
        partialImageIndex: 0,
        sequenceNumber: 7,
      }),
    ).toEqual({
      type: 'response.image_generation_call.partial_image',
      item_id: 'ig_1',
      output_index: 1,
      partial_image_b64: 'iVBOR',
      partial_image_index: 0,
      sequence_number: 7,
    });
    expect(toWireEvent({ type: 'image_generation.partial_image', b64Json: 'x' })).toEqual({
      type: 'image_generation.partial_image',
      b64_json: 'x',
    });
  });

  it("unwraps the OpenRouter SDK's UNKNOWN wrapper to the raw wire event", () => {
    const raw = { type: 'response.queued', sequence_number: 1, response: { id: 'resp_1' } };
    expect(toWireEvent({ type: 'UNKNOWN', isUnknown: true, raw })).toBe(raw);
    expect(toWireEvent({ type: 'UNKNOWN', isUnknown: true, raw: JSON.stringify(raw) })).toEqual(
      raw,
    );
    expect(toWireEvent({ type: 'UNKNOWN', isUnknown: true, raw: 'not json' })).toBe('not json');
  });

  it('leaves what is not a plain object alone, and cannot be tricked into setting a prototype', () => {
    for (const value of [null, 1, 'x', [1], new Date(0)]) expect(toWireEvent(value)).toBe(value);
    const hostile = JSON.parse(
      '{"sequenceNumber":1,"response":{"__proto__":{"polluted":true}}}',
    ) as object;
    const out = toWireEvent(hostile) as { response: Record<string, unknown> };
    expect(Object.getPrototypeOf(out.response)).toBe(Object.prototype);
    expect(Object.keys(out.response)).toEqual(['__proto__']);
    expect((out.response as { polluted?: unknown }).polluted).toBeUndefined();
  });
});

describe('isImageStreamEvent (the images preset)', () => {
  it.each([
    ['response.created', true],
    ['response.queued', true],
    ['response.in_progress', true],
    ['response.image_generation_call.partial_image', true],
    ['response.image_generation_call.generating', true],
    ['response.completed', true],
    ['response.incomplete', true],
    ['response.failed', true],
    ['error', true],
    ['image_generation.partial_image', true],
    ['image_edit.completed', true],
    ['response.output_text.delta', false],
    ['response.reasoning_summary_text.delta', false],
    ['keepalive', false],
    ['response.function_call_arguments.delta', false],
  ])('%s → %s', (type, kept) => {
    expect(isImageStreamEvent({ type, sequence_number: 1 })).toBe(kept);
  });

  it('keeps image items and drops other items, error payloads and bodies are kept', () => {
    const item = (type: string) => ({ type: 'response.output_item.done', item: { id: 'x', type } });
    expect(isImageStreamEvent(item('image_generation_call'))).toBe(true);
    expect(isImageStreamEvent(item('openrouter:image_generation'))).toBe(true);
    expect(isImageStreamEvent(item('reasoning'))).toBe(false);
    expect(isImageStreamEvent(item('message'))).toBe(false);
    expect(isImageStreamEvent({ type: 'weird', error: { message: 'x' } })).toBe(true);
    expect(isImageStreamEvent({ object: 'response', output: [] })).toBe(true);
    expect(isImageStreamEvent('text')).toBe(false);
  });
});
