/**
 * The demo's stream replay: realistic OpenAI / OpenRouter partial-image streams, in their exact
 * wire format, and the AI SDK's UI message stream, paced like a real model and a real network.
 * The responses themselves, the frames and the SSE framing come from `test/fixtures` (their one
 * home, shared with the tests); this folder adds the pacing, the network and the chat's prompt →
 * scenario mapping. React-free and browser-safe (no `node:` imports); Node-only helpers are in
 * `./node`.
 */

export type { FrameFormat, FrameSet, PickFramesOptions } from '../../test/fixtures/frames';
export { apiSizeOf, orientationOf, pickFrames, smallFrames } from '../../test/fixtures/frames';
export type {
  BuiltResponse,
  ReplayFailure,
  ReplayOptions,
  WireEvent,
} from '../../test/fixtures/realistic';
export { buildResponse, TIMING } from '../../test/fixtures/realistic';
export type { Segment, SSEStyle, SSETextOptions } from '../../test/fixtures/streams';
export {
  cutMidBase64,
  frameEvent,
  KEEP_ALIVE,
  sseSegments,
  toSSEText,
} from '../../test/fixtures/streams';
export type {
  TimedUIMessageChunk,
  UIMessageChunkJson,
  UIMessageStreamOptions,
} from '../../test/fixtures/uiMessageStream';
export {
  toUIMessageStreamText,
  UI_MESSAGE_STREAM_HEADERS,
  UI_TIMING,
  uiMessageChunks,
  uiMessageSegments,
} from '../../test/fixtures/uiMessageStream';
export type { NetworkOptions, Scheduled } from './network';
export { scheduleChunks } from './network';
export type { PaceOptions } from './pacing';
export { checkSpeed, play, toReadableStream, wait } from './pacing';
export type { Replay, TransportOptions } from './replay';
export { createReplay } from './replay';
export type { Scenario } from './scenarios';
export { EXAMPLE_PROMPTS, replayForPrompt, scenarioFromPrompt } from './scenarios';
