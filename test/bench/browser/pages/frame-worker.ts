/**
 * The reference pages' Worker (section 2): it gets the stream's bytes from the main thread
 * (transferred), parses SSE (eventsource-parser, one streaming TextDecoder) and JSON, and posts
 * each frame to the main thread: its base64 string (reference A), or its decoded bytes,
 * transferred (reference B).
 */

import { createParser } from 'eventsource-parser';

/** What the main thread posts. */
export type ToWorker =
  | { readonly type: 'init'; readonly mode: 'b64' | 'bytes' }
  | { readonly type: 'chunk'; readonly chunk: Uint8Array }
  | { readonly type: 'end' };

/** What the worker posts. */
export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'frame'; readonly index: number; readonly b64: string }
  | { readonly type: 'frame'; readonly index: number; readonly bytes: Uint8Array };

type Json = {
  type?: string;
  partial_image_index?: number;
  partial_image_b64?: string;
  item?: { type?: string; result?: string };
};

const scope = self as unknown as {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
};

type FromBase64 = (b64: string) => Uint8Array;
const fromBase64 = (Uint8Array as unknown as { fromBase64?: FromBase64 }).fromBase64;

function decode(b64: string): Uint8Array {
  if (fromBase64) return fromBase64(b64);
  const binary = atob(b64);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

let mode: 'b64' | 'bytes' = 'b64';
const decoder = new TextDecoder();
const parser = createParser({
  onEvent(message) {
    const event = JSON.parse(message.data) as Json;
    let b64: string | undefined;
    let index = -1;
    if (event.type === 'response.image_generation_call.partial_image') {
      b64 = event.partial_image_b64;
      index = event.partial_image_index ?? -1;
    } else if (
      event.type === 'response.output_item.done' &&
      event.item?.type === 'image_generation_call'
    ) {
      b64 = event.item.result;
      index = 3;
    }
    if (b64 === undefined) return;
    if (mode === 'b64') {
      scope.postMessage({ type: 'frame', index, b64 });
    } else {
      const bytes = decode(b64);
      scope.postMessage({ type: 'frame', index, bytes }, [bytes.buffer as ArrayBuffer]);
    }
  },
});

scope.onmessage = (event) => {
  const message = event.data;
  if (message.type === 'init') {
    mode = message.mode;
    scope.postMessage({ type: 'ready' });
  } else if (message.type === 'chunk') {
    parser.feed(decoder.decode(message.chunk, { stream: true }));
  } else {
    parser.feed(decoder.decode());
  }
};
