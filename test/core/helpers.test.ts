import { describe, expect, it, vi } from 'vitest';
import {
  base64ToBytes,
  DEFAULT_MAX_FRAME_BYTES,
  frameToBlob,
  IMAGE_MIME_TYPES,
  ItemStatus,
  isPartialImagesError,
  isTerminalStatus,
  type PartialImageFrame,
  PartialImagesError,
  parseImageSize,
  ResponseStatus,
  toImageFormat,
} from '../../src/core';

vi.mock('react', () => ({}));

describe('small public helpers', () => {
  it('isPartialImagesError narrows by class and code', () => {
    const error = new PartialImagesError('http-error', 'HTTP 500', { httpStatus: 500 });
    expect(isPartialImagesError(error)).toBe(true);
    expect(isPartialImagesError(error, 'http-error')).toBe(true);
    expect(isPartialImagesError(error, 'aborted')).toBe(false);
    expect(isPartialImagesError(new Error('x'))).toBe(false);
    expect(error).toMatchObject({
      name: 'PartialImagesError',
      httpStatus: 500,
      providerCode: null,
    });
  });

  it('status constants match the data-state strings, and isTerminalStatus knows the ends', () => {
    expect(Object.values(ResponseStatus)).toEqual([
      'idle',
      'streaming',
      'completed',
      'incomplete',
      'failed',
      'aborted',
    ]);
    expect(Object.values(ItemStatus)).toEqual([
      'pending',
      'generating',
      'partial',
      'completed',
      'failed',
    ]);
    expect(Object.values(ResponseStatus).filter(isTerminalStatus)).toEqual([
      'completed',
      'incomplete',
      'failed',
      'aborted',
    ]);
  });

  it('reads formats and sizes leniently, and refuses non-images', () => {
    expect(toImageFormat('WEBP')).toBe('webp');
    expect(toImageFormat('image/jpeg; q=0.9')).toBe('jpeg');
    expect(toImageFormat('jpg')).toBe('jpeg');
    expect(toImageFormat('text/html')).toBeNull();
    expect(toImageFormat(42)).toBeNull();
    expect(IMAGE_MIME_TYPES.svg).toBe('image/svg+xml');
    expect(parseImageSize('1536x1024')).toEqual({ width: 1536, height: 1024 });
    expect(parseImageSize(' 1024 × 1536 ')).toEqual({ width: 1024, height: 1536 });
    expect(parseImageSize('auto')).toBeNull();
    expect(parseImageSize('0x10')).toBeNull();
    expect(parseImageSize({ width: 3, height: 2 })).toEqual({ width: 3, height: 2 });
    expect(DEFAULT_MAX_FRAME_BYTES).toBe(32 * 1024 * 1024);
  });

  it('turns a frame into bytes and a Blob of its type', async () => {
    expect([...base64ToBytes('AQID/w==')]).toEqual([1, 2, 3, 255]);
    const frame = { b64: 'AQID/w==', mimeType: 'image/png' } as PartialImageFrame;
    const blob = frameToBlob(frame);
    expect(blob?.type).toBe('image/png');
    expect([...new Uint8Array(await (blob as Blob).arrayBuffer())]).toEqual([1, 2, 3, 255]);
    expect(frameToBlob({ ...frame, b64: null })).toBeNull();
    expect(frameToBlob({ ...frame, b64: 'not base64!' })).toBeNull();
  });
});
