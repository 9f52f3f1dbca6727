/**
 * The demo's stream replay: realistic OpenAI / OpenRouter partial-image streams, in their exact
 * wire format, made from the generated frames. React-free and browser-safe (no `node:` imports);
 * Node-only helpers (full-size frames, writing to an HTTP response) are in `./node`.
 */

export type { BuiltResponse, ReplayFailure, ReplayOptions, WireEvent } from './build';
export { buildResponse } from './build';
export type { FrameFormat, FrameSet, PickFramesOptions } from './frames';
export { apiSizeOf, orientationOf, pickFrames, smallFrames } from './frames';
export { TIMING } from './items';
export type { PaceOptions } from './pacing';
export { checkSpeed, play, toReadableStream, wait } from './pacing';
export type { Replay, TransportOptions } from './replay';
export { createReplay } from './replay';
export type { Scenario } from './scenarios';
export { EXAMPLE_PROMPTS, replayForPrompt, scenarioFromPrompt } from './scenarios';
export type { NetworkOptions, Scheduled, Segment, SSEStyle, SSETextOptions } from './sse';
export {
  cutMidBase64,
  frameEvent,
  KEEP_ALIVE,
  scheduleChunks,
  sseSegments,
  toSSEText,
} from './sse';
