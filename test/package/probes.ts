/**
 * The consumer code that `check.ts` type-checks and runs against the installed tarball. It is
 * kept in strings, not `.ts` files, because the repo's own `tsc` would try to resolve
 * `react-partial-images` itself.
 *
 * Every `@ts-expect-error` marks a wrong use that must not compile: if an import silently became
 * `any` (types that do not resolve, with `skipLibCheck` hiding why), the wrong use compiles and
 * the unused directive is reported (TS2578). `NotAny` does the same for whole types.
 */

/** Imports from all three entries, for an ES module consumer. */
export const esmProbe = `import {
  PartialImageGallery,
  type PartialImageItem as RootItem,
  type PartialImagesError as RootError,
  ProgressiveImage,
  type ProgressiveImageProps,
  usePartialImages,
  useUIMessageImages,
} from 'react-partial-images';
import * as rootEntry from 'react-partial-images';
import {
  createPartialImagesStore,
  type PartialImageItem,
  PartialImagesError,
  type PartialImagesState,
  parseSSE,
  type SSEMessage,
} from 'react-partial-images/core';
import {
  pipeSSEToNodeResponse,
  SSE_HEADERS,
  toSSEResponse,
  toSSEStream,
} from 'react-partial-images/server';

type IsAny<T> = 0 extends 1 & T ? true : false;
type NotAny<T> = IsAny<T> extends false ? true : never;
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : never;

export type Checks = [
  NotAny<PartialImageItem>,
  NotAny<ProgressiveImageProps>,
  NotAny<typeof ProgressiveImage>,
  NotAny<typeof PartialImageGallery>,
  NotAny<typeof usePartialImages>,
  NotAny<typeof useUIMessageImages>,
  NotAny<typeof createPartialImagesStore>,
  NotAny<typeof toSSEResponse>,
  NotAny<typeof pipeSSEToNodeResponse>,
  // The root re-exports the core's own types: one class, not two look-alikes.
  Same<RootItem, PartialImageItem>,
  Same<RootError, PartialImagesError>,
];

const store = createPartialImagesStore({ outputFormat: 'webp' });
const state: PartialImagesState = store.getState();
// @ts-expect-error getState() returns the state, not a number
const notANumber: number = store.getState();
const firstId: string | undefined = state.items[0]?.id;
// @ts-expect-error an item's id is a string
const numericId: number | undefined = state.items[0]?.id;
// @ts-expect-error no such status
const status: PartialImageItem['status'] = 'nope';
const done: PartialImageItem['status'] = 'completed';

const error = new PartialImagesError('http-error', 'HTTP 500', { httpStatus: 500 });
const httpStatus: number | null = error.httpStatus;
// @ts-expect-error not an error code
const badError = new PartialImagesError('no-such-code', 'x');

export async function readMessages(response: Response): Promise<string[]> {
  const data: string[] = [];
  for await (const message of parseSSE(response)) {
    const typed: SSEMessage = message;
    data.push(typed.data);
  }
  // @ts-expect-error parseSSE takes a body, not a number
  parseSSE(42);
  return data;
}

export function route(request: Request): Response {
  const headers: Readonly<Record<string, string>> = SSE_HEADERS;
  const stream: ReadableStream<Uint8Array> = toSSEStream((signal) =>
    fetch('https://example.invalid', { signal, body: request.body }),
  );
  // @ts-expect-error toSSEStream gives a stream, not a string
  const text: string = toSSEStream([]);
  return toSSEResponse(stream, { headers });
}

export function Chat({ source }: { source: Response | null }) {
  const { items, status: responseStatus, store: ownStore } = usePartialImages(source);
  // @ts-expect-error the status is a string union
  const statusNumber: number = responseStatus;
  return (
    <div data-status={responseStatus}>
      {items.map((item) => (
        <ProgressiveImage key={item.id} item={item} alt="" crossfade />
      ))}
      {/* @ts-expect-error \`item\` takes an item, not a string */}
      <ProgressiveImage item="nope" />
      <PartialImageGallery store={ownStore} gap="1rem" />
    </div>
  );
}

export function notFromRoot() {
  // @ts-expect-error the root entry is React only (its core names are types): functions come from /core
  return rootEntry.createPartialImagesStore();
}
export function noErrorClassFromRoot() {
  // @ts-expect-error the root's PartialImagesError is the type: the class comes from /core
  return new rootEntry.PartialImagesError('aborted', 'x');
}

export const used = [
  notANumber, firstId, numericId, status, done, httpStatus, badError,
];
`;

/**
 * A CommonJS consumer (a \`.cts\` file), which the package, being ESM-only, does not support
 * under \`node16\` (TS1479, attw's "ESM (dynamic import only)"); \`nodenext\` models Node 20.19+
 * and 22.12+, whose \`require()\` loads ES modules.
 */
export const cjsProbe = `import { createPartialImagesStore } from 'react-partial-images/core';
import { toSSEResponse } from 'react-partial-images/server';

const store = createPartialImagesStore();
// @ts-expect-error getState() returns the state, not a number
const notANumber: number = store.getState();
// @ts-expect-error toSSEResponse gives a Response
const notAString: string = toSSEResponse([]);
export = { notANumber, notAString };
`;

/**
 * Runs the packed JS in Node: each entry imports, the exports are there, and a small stream
 * goes through the store into state, as the README's quick start does.
 */
export const runtimeProbe = `import * as root from 'react-partial-images';
import * as core from 'react-partial-images/core';
import * as server from 'react-partial-images/server';

const b64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const events = [
  { type: 'response.created', sequence_number: 0, response: { id: 'resp_1', status: 'in_progress' } },
  {
    type: 'response.image_generation_call.partial_image',
    sequence_number: 1,
    item_id: 'ig_1',
    output_index: 0,
    partial_image_index: 0,
    partial_image_b64: b64,
  },
  {
    type: 'response.output_item.done',
    sequence_number: 2,
    output_index: 0,
    item: { id: 'ig_1', type: 'image_generation_call', status: 'completed', result: b64 },
  },
  { type: 'response.completed', sequence_number: 3, response: { id: 'resp_1', status: 'completed' } },
];

const failures = [];
const expect = (ok, what) => { if (!ok) failures.push(what); };
for (const [name, entry, names] of [
  ['react-partial-images', root, ['ProgressiveImage', 'usePartialImages', 'useUIMessageImages', 'PartialImageGallery']],
  ['react-partial-images/core', core, ['createPartialImagesStore', 'parseSSE', 'PartialImagesError']],
  ['react-partial-images/server', server, ['toSSEResponse', 'toSSEStream', 'pipeSSEToNodeResponse']],
]) {
  for (const key of names) expect(entry[key] !== undefined, name + ' exports ' + key);
}
// The root is React only (it is 'use client'): server code imports /core or /server.
expect(root.createPartialImagesStore === undefined, 'the root entry exports no core function');

// The server relays events as SSE; the core's store reads them back.
const store = core.createPartialImagesStore();
await store.consume(server.toSSEResponse(events));
const { status, items } = store.getState();
expect(status === 'completed', 'status is completed, not ' + status);
expect(items.length === 1 && items[0].final?.b64 === b64, 'the final image is in the state');

if (failures.length) {
  console.error(failures.join('\\n'));
  process.exit(1);
}
console.log('ok');
`;

/** \`require()\` of each entry, from CommonJS. */
export const requireProbe = `const names = ['react-partial-images', 'react-partial-images/core', 'react-partial-images/server'];
const outcomes = names.map((name) => {
  try {
    const entry = require(name);
    return name + ': ' + (Object.keys(entry).length > 0 ? 'loaded' : 'empty');
  } catch (error) {
    return name + ': ' + (error.code ?? error.message);
  }
});
console.log(outcomes.join('\\n'));
`;
