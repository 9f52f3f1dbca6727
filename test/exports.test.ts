import { describe, expect, it } from 'vitest';
import * as root from '../src';
import * as core from '../src/core';
import * as server from '../src/server';

// The public names are a contract: a change here is a change for every user (see CHANGELOG.md).
describe('public exports', () => {
  it('react-partial-images: the React bindings only (the core is imported from /core)', () => {
    expect(Object.keys(root).sort()).toMatchInlineSnapshot(`
      [
        "PartialImageGallery",
        "ProgressiveImage",
        "usePartialImage",
        "usePartialImageIds",
        "usePartialImages",
        "useUIMessageImages",
      ]
    `);
    // A client entry must not carry the core's functions: a server component importing them from
    // here would get client references it cannot call.
    for (const name of Object.keys(core)) expect(root).not.toHaveProperty(name);
  });
  it('react-partial-images/core', () => {
    expect(Object.keys(core).sort()).toMatchInlineSnapshot(`
      [
        "PartialImagesError",
        "createPartialImagesStore",
        "frameToBlob",
        "initialPartialImagesState",
        "normalizeEvent",
        "parseSSE",
        "reducePartialImages",
      ]
    `);
  });
  it('react-partial-images/server', () => {
    expect(Object.keys(server).sort()).toMatchInlineSnapshot(`
      [
        "SSE_HEADERS",
        "pipeSSEToNodeResponse",
        "toSSEResponse",
        "toSSEStream",
      ]
    `);
  });
});
