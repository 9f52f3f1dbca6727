/**
 * `react-partial-images/server`: relay a provider's partial-image stream from a route handler to
 * the browser, without handing the browser the API key. No React, and no Node import: the fetch
 * API part runs on Node, Bun, Deno and edge runtimes; the Node adapter is typed structurally.
 */

export type { SSEErrorBody, SSEErrorEvent } from './errors';
export type { NodeResponseLike, PipeSSEOptions } from './node';
export { pipeSSEToNodeResponse } from './node';
export type { SSEResponseInit } from './response';
export { SSE_HEADERS, toSSEResponse } from './response';
export type { RelaySource, RelayUpstream } from './source';
export type { SSEEventFilter, ToSSEStreamOptions, WireEvent } from './stream';
export { toSSEStream } from './stream';
export type { FinalImageUpload, UploadFinalImage } from './upload';
