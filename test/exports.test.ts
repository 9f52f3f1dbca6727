import { describe, expect, it } from 'vitest';
import * as root from '../src';
import * as core from '../src/core';
import * as server from '../src/server';

// The public names are a contract: a change here is a change for every user.
describe('public exports', () => {
  it('react-partial-images: the core, plus the React bindings', () => {
    const coreNames = new Set(Object.keys(core));
    expect(
      Object.keys(root)
        .filter((name) => !coreNames.has(name))
        .sort(),
    ).toMatchInlineSnapshot(`
      [
        "PartialImageGallery",
        "ProgressiveImage",
        "usePartialImage",
        "usePartialImageIds",
        "usePartialImages",
        "usePartialImagesSelector",
      ]
    `);
  });
  it('react-partial-images/core', () => {
    expect(Object.keys(core).sort()).toMatchInlineSnapshot(`
      [
        "DEFAULT_MAX_FRAME_BYTES",
        "IMAGE_MIME_TYPES",
        "ItemStatus",
        "PartialImagesError",
        "ResponseStatus",
        "base64ToBytes",
        "createPartialImagesStore",
        "frameToBlob",
        "initialPartialImagesState",
        "isPartialImagesError",
        "isTerminalStatus",
        "normalizeEvent",
        "parseImageSize",
        "parseSSE",
        "reducePartialImages",
        "sniffImageFormat",
        "sniffImageSize",
        "toImageFormat",
      ]
    `);
  });
  it('react-partial-images/server', () => {
    expect(Object.keys(server).sort()).toMatchInlineSnapshot(`
      [
        "DEFAULT_KEEP_ALIVE_MS",
        "SSE_HEADERS",
        "isImageStreamEvent",
        "pipeSSEToNodeResponse",
        "toSSEResponse",
        "toSSEStream",
        "toWireEvent",
      ]
    `);
  });
  it('the root re-exports the whole core, the same objects', () => {
    const rootExports = new Map(Object.entries(root));
    for (const [name, value] of Object.entries(core))
      expect(rootExports.get(name), name).toBe(value);
  });
});
