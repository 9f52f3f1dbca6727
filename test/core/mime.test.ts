import { describe, expect, it, vi } from 'vitest';
import { frameToBlob, type PartialImageFrame, PartialImagesError } from '../../src/core';
import { base64ToBytes } from '../../src/core/blob';
import { classifyImagePayload, toImageFormat } from '../../src/core/mime';
import { parseImageSize } from '../../src/core/sniff';

vi.mock('react', () => ({}));

describe('formats, sizes, payloads and blobs', () => {
  it('reads formats leniently (case, parameters, aliases) and refuses what is not an image', () => {
    expect(toImageFormat('WEBP')).toBe('webp');
    expect(toImageFormat('image/jpeg; q=0.9')).toBe('jpeg');
    expect(toImageFormat('jpg')).toBe('jpeg');
    expect(toImageFormat('text/html')).toBeNull();
    expect(toImageFormat(42)).toBeNull();
  });

  it('reads any WIDTHxHEIGHT size (gpt-image-2 up to 3840x2160), and none for auto', () => {
    expect(parseImageSize('3840x2160')).toEqual({ width: 3840, height: 2160 });
    expect(parseImageSize(' 1024 × 1536 ')).toEqual({ width: 1024, height: 1536 });
    expect(parseImageSize('auto')).toBeNull();
    expect(parseImageSize('0x10')).toBeNull();
    expect(parseImageSize('99999x2')).toBeNull();
    expect(parseImageSize({ width: 3, height: 2 })).toEqual({ width: 3, height: 2 });
  });

  it('classifies results: base64, image data: URLs, https: URLs, and refuses the rest', () => {
    expect(classifyImagePayload('iVBORw0KGgo').kind).toBe('base64');
    expect(classifyImagePayload('data:image/png;base64,iVBORw0KGgo')).toMatchObject({
      kind: 'data-url',
      format: 'png',
      b64: 'iVBORw0KGgo',
    });
    expect(classifyImagePayload('https://cdn.example.com/a.png').kind).toBe('https');
    for (const unsafe of [
      'javascript:alert(1)',
      'http://example.com/a.png',
      'data:text/html,<b>',
    ]) {
      expect(classifyImagePayload(unsafe).kind).toBe('unsafe');
    }
  });

  it('turns a frame into bytes and a Blob of its type, and a bad one into null', async () => {
    expect([...base64ToBytes('AQID/w==')]).toEqual([1, 2, 3, 255]);
    const frame = { b64: 'AQID/w==', mimeType: 'image/png' } as PartialImageFrame;
    const blob = frameToBlob(frame);
    expect(blob?.type).toBe('image/png');
    expect([...new Uint8Array(await (blob as Blob).arrayBuffer())]).toEqual([1, 2, 3, 255]);
    expect(frameToBlob({ ...frame, b64: null })).toBeNull();
    expect(frameToBlob({ ...frame, b64: 'not base64!' })).toBeNull();
  });

  it('gives PartialImagesError its code and the provider facts, with defaults', () => {
    const error = new PartialImagesError('http-error', 'HTTP 500', { httpStatus: 500 });
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      name: 'PartialImagesError',
      code: 'http-error',
      httpStatus: 500,
      providerCode: null,
      itemId: null,
    });
  });
});
