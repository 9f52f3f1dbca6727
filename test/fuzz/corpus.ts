/**
 * The undamaged streams the fuzzer starts from: real captures (`../fixtures/recorded`), what
 * real SDKs and proxies send (`../fixtures/integrations`), and Responses / Images API streams
 * built by the event builder (`imageResponseEvents`) with the committed real frames. Each one is
 * a list of {@link Unit}s (one SSE message, comment or parsed event each) that the damage in
 * `./damage.ts` works on, plus the facts about it that the invariants need.
 *
 * Fixtures are parsed with eventsource-parser, not with the library's own scanner, so that the
 * corpus does not depend on the code under test.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createParser } from 'eventsource-parser';
import { imageResponseEvents } from '../fixtures/events';
import { smallFrames } from '../fixtures/frames';
import {
  dotnetStreams,
  openRouterRecording,
  pydanticStream,
  vercelChunks,
} from '../fixtures/recordings';

const fixtures = join(import.meta.dirname, '../fixtures');

/** One piece of a stream. */
export type Unit =
  /** An SSE message: its `event:` name (`''` for none) and its data (JSON text or not). */
  | { kind: 'message'; event: string; data: string }
  /** An SSE comment line (a keep-alive), without its leading colon. */
  | { kind: 'comment'; text: string }
  /** A parsed event, for sources that are not bytes (the Agents SDK's run events). */
  | { kind: 'value'; value: unknown }
  /** SSE text written as it is (junk lines, unknown fields), ending in a blank line. */
  | { kind: 'raw'; text: string };

/**
 * How a stream's end shows when the connection drops before its terminal event:
 * - `detected`: the library can tell (a terminal event is missing), so a cut gives
 *   `stream-truncated`;
 * - `eof-ends`: by design the close of the source is the end (an Agents SDK run ends when its
 *   iterator does), so a cut stream is not told apart from a short one;
 *
 * (The AI SDK's UI stream without a `messageId` and Gemini are `detected`: their terminal event,
 * `finish` or `finishReason`, is known. Only an Images API stream ends on a bare close, once every
 * image is final.)
 */
export type TruncationRule = 'detected' | 'eof-ends';

/** One undamaged stream and what the invariants need to know about it. */
export interface BaseStream {
  name: string;
  units: Unit[];
  /** `sse`: the units are SSE text; `values`: parsed events only (no byte form). */
  form: 'sse' | 'values';
  /** The line ending of its SSE text. */
  eol: '\n' | '\r\n' | '\r';
  /**
   * The index of the unit that ends the response (`response.completed` / `.failed` /
   * `.incomplete`, `error`, the AI SDK's `finish`, Gemini's `finishReason`, the last Images API
   * `*.completed`, `[DONE]`), or `null` when none does (the stream just closes).
   */
  terminalAt: number | null;
  truncation: TruncationRule;
  /**
   * Every image event can be told from its replay: it carries a `sequence_number`, or it is an
   * Images API event (an exact repeat of which is dropped). Duplicated delivery then changes
   * nothing at all.
   */
  replaySafe: boolean;
  /** Every event is a Responses / Images API wire event: the OpenRouter SDK's camelCase applies. */
  wire: boolean;
  /** Every message has a `sequence_number` increasing by one: a `resume` can continue it. */
  resumable: boolean;
}

// ---------------------------------------------------------------------------------------------
// Parsing fixtures (eventsource-parser, independent of the library)
// ---------------------------------------------------------------------------------------------

/** SSE text as units, comments kept. */
export function unitsOfSSE(text: string): Unit[] {
  const units: Unit[] = [];
  const parser = createParser({
    onEvent: (message) =>
      units.push({ kind: 'message', event: message.event ?? '', data: message.data }),
    onComment: (comment) => units.push({ kind: 'comment', text: comment }),
  });
  parser.feed(text);
  parser.reset({ consume: true });
  return units;
}

const read = (path: string) => readFileSync(join(fixtures, path), 'utf8');

function jsonOf(unit: Unit): unknown {
  if (unit.kind === 'value') return unit.value;
  if (unit.kind !== 'message') return undefined;
  try {
    return JSON.parse(unit.data) as unknown;
  } catch {
    return undefined;
  }
}

const TERMINAL_TYPES = new Set([
  'response.completed',
  'response.incomplete',
  'response.failed',
  'error',
  'finish',
  'abort',
]);

/** Where the response ends (see {@link BaseStream.terminalAt}), found from the events alone. */
export function terminalIndex(units: readonly Unit[]): number | null {
  let imagesApiCompleted: number | null = null;
  let responsesEvents = false;
  for (const [i, unit] of units.entries()) {
    if (unit.kind === 'message' && unit.data === '[DONE]') return i;
    const value = jsonOf(unit) as Record<string, unknown> | undefined;
    if (typeof value !== 'object' || value === null) continue;
    const type = value.type;
    if (typeof type === 'string') {
      if (type.startsWith('response.')) responsesEvents = true;
      if (TERMINAL_TYPES.has(type)) return i;
      if (/^image_(generation|edit)\.completed$/.test(type)) imagesApiCompleted = i;
    }
    const candidates = value.candidates as { finishReason?: unknown }[] | undefined;
    if (Array.isArray(candidates) && candidates.some((c) => typeof c?.finishReason === 'string')) {
      return i;
    }
  }
  return responsesEvents ? null : imagesApiCompleted;
}

function seqOf(unit: Unit): number | undefined {
  const value = jsonOf(unit) as { sequence_number?: unknown } | undefined;
  return typeof value?.sequence_number === 'number' ? value.sequence_number : undefined;
}

/** Every message numbered 0, 1, 2, … (comments and `[DONE]` aside). */
function isResumable(units: readonly Unit[]): boolean {
  let next = 0;
  for (const unit of units) {
    if (unit.kind === 'comment') continue;
    if (unit.kind === 'message' && unit.data === '[DONE]') continue;
    if (seqOf(unit) !== next) return false;
    next++;
  }
  return next > 0;
}

function isWire(units: readonly Unit[]): boolean {
  return units.every((unit) => {
    if (unit.kind === 'comment' || (unit.kind === 'message' && unit.data === '[DONE]')) return true;
    const type = (jsonOf(unit) as { type?: unknown } | undefined)?.type;
    return typeof type === 'string' && /^(response\.|image_generation\.|image_edit\.)/.test(type);
  });
}

function isReplaySafe(units: readonly Unit[]): boolean {
  return units.every((unit) => {
    if (unit.kind === 'comment' || (unit.kind === 'message' && unit.data === '[DONE]')) return true;
    const value = jsonOf(unit) as { type?: unknown } | undefined;
    if (value === undefined) return true; // not JSON: never reaches the reducer
    if (seqOf(unit) !== undefined) return true;
    return typeof value.type === 'string' && /^image_(generation|edit)\./.test(value.type);
  });
}

function describe(
  name: string,
  units: Unit[],
  extra: Partial<Pick<BaseStream, 'form' | 'eol' | 'truncation'>> = {},
): BaseStream {
  return {
    name,
    units,
    form: extra.form ?? 'sse',
    eol: extra.eol ?? '\n',
    terminalAt: terminalIndex(units),
    truncation: extra.truncation ?? 'detected',
    replaySafe: isReplaySafe(units),
    wire: isWire(units),
    resumable: isResumable(units),
  };
}

// ---------------------------------------------------------------------------------------------
// The fixtures
// ---------------------------------------------------------------------------------------------

const background = dotnetStreams(
  'openai-dotnet__ResponsesTests__CanStreamBackgroundResponses.json',
);

const FIXTURES: Record<string, () => BaseStream> = {
  'recorded/openai-image-tool': () =>
    describe(
      'recorded/openai-image-tool',
      unitsOfSSE(vercelChunks('vercel-ai__openai-image-generation-tool.1.chunks.txt')),
    ),
  'recorded/azure-image-tool': () =>
    describe(
      'recorded/azure-image-tool',
      unitsOfSSE(vercelChunks('vercel-ai__azure-image-generation-tool.1.chunks.txt')),
    ),
  'recorded/xai-image-tool': () =>
    describe(
      'recorded/xai-image-tool',
      unitsOfSSE(vercelChunks('vercel-ai__xai-image-generation-tool.1.chunks.txt')),
    ),
  'recorded/openai-error': () =>
    describe(
      'recorded/openai-error',
      unitsOfSSE(vercelChunks('vercel-ai__openai-error.1.chunks.txt')),
    ),
  'recorded/pydantic-moderation': () =>
    describe(
      'recorded/pydantic-moderation',
      unitsOfSSE(pydanticStream('pydantic-ai__test_openai_responses_moderation_stream.yaml')),
    ),
  'recorded/dotnet-text': () =>
    describe(
      'recorded/dotnet-text',
      unitsOfSSE(
        dotnetStreams('openai-dotnet__ResponsesTests__StreamingResponses.json')[0]?.sse ?? '',
      ),
    ),
  'recorded/dotnet-background': () =>
    describe('recorded/dotnet-background', unitsOfSSE(background[0]?.sse ?? '')),
  'recorded/openrouter-tool-call': () =>
    describe(
      'recorded/openrouter-tool-call',
      unitsOfSSE(openRouterRecording('openrouter-ai-sdk-provider__69A9tNSV4LJ')),
    ),
  'recorded/openrouter-text': () =>
    describe(
      'recorded/openrouter-text',
      unitsOfSSE(openRouterRecording('openrouter-ai-sdk-provider__CHlILDuJN6g')),
    ),
  'ai-sdk/image-generation': () => aiSdk('image-generation'),
  'ai-sdk/renamed-key': () => aiSdk('renamed-key'),
  'ai-sdk/with-weather-tool': () => aiSdk('with-weather-tool'),
  'ai-sdk/preliminary-generator-tool': () => aiSdk('preliminary-generator-tool'),
  'ai-sdk/text-only': () => aiSdk('text-only'),
  'agents/image-generation': () => agents('image-generation'),
  'agents/with-weather-tool': () => agents('with-weather-tool'),
  'proxies/litellm': () =>
    describe(
      'proxies/litellm',
      unitsOfSSE(read('integrations/proxies/litellm-responses-images-api-events.sse')),
    ),
  'proxies/azure-images-api': () =>
    describe(
      'proxies/azure-images-api',
      unitsOfSSE(read('integrations/proxies/azure-images-api-stream.sse')),
    ),
  'proxies/images-api-size-auto': () =>
    describe(
      'proxies/images-api-size-auto',
      unitsOfSSE(read('integrations/proxies/images-api-size-auto.sse')),
    ),
  'proxies/images-api-data-url': () =>
    describe(
      'proxies/images-api-data-url',
      unitsOfSSE(read('integrations/proxies/images-api-stream-b64-json-data-url.sse')),
    ),
  'proxies/responses-3840x2160': () =>
    describe(
      'proxies/responses-3840x2160',
      unitsOfSSE(read('integrations/proxies/responses-size-3840x2160.sse')),
    ),
  'gemini/images': () =>
    describe(
      'gemini/images',
      unitsOfSSE(read('integrations/gemini/stream-generate-content-images.sse')),
      {
        eol: '\r\n',
        truncation: 'detected',
      },
    ),
  'gemini/thought-images': () =>
    describe(
      'gemini/thought-images',
      unitsOfSSE(read('integrations/gemini/stream-generate-content-thought-images.sse')),
      { truncation: 'detected' },
    ),
};

/** The AI SDK's UI message streams. */
function aiSdk(name: string): BaseStream {
  return describe(`ai-sdk/${name}`, unitsOfSSE(read(`integrations/ai-sdk/${name}.ui.sse`)), {
    truncation: 'detected',
  });
}

function agents(name: string): BaseStream {
  const units: Unit[] = read(`integrations/agents/${name}.events.jsonl`)
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => ({ kind: 'value', value: JSON.parse(line) as unknown }));
  const stream = describe(`agents/${name}`, units, { form: 'values', truncation: 'eof-ends' });
  // The run ends when its iterator does: the last event is its end.
  return { ...stream, terminalAt: units.length - 1 };
}

/** The names of the fixture streams. */
export const FIXTURE_NAMES: readonly string[] = Object.keys(FIXTURES);

// ---------------------------------------------------------------------------------------------
// Generated streams
// ---------------------------------------------------------------------------------------------

/** A Responses API stream built by `imageResponseEvents` with the real frames of one set. */
export interface ResponsesRecipe {
  kind: 'responses';
  /** Frame set: 0 sunset PNG (100–160 KB frames), 1 city WebP, 2 forest JPEG. */
  set: number;
  items: number;
  partials: number;
  interleave: boolean;
  ending: 'completed' | 'failed' | 'incomplete' | 'error';
  doneStatus: 'completed' | 'generating';
  completedEvent: boolean;
  textDeltas: number;
  skipItemDone: boolean;
  resultsInCompleted: boolean;
  /** `openai`: `event:` lines; `openrouter`: `data:` only, keep-alive comments, `[DONE]`. */
  style: 'openai' | 'openrouter';
}

/** An Images API stream (`image_generation.*` or `image_edit.*`), as `/v1/images/*` sends it. */
export interface ImagesApiRecipe {
  kind: 'images-api';
  set: number;
  partials: number;
  edit: boolean;
}

/** One of the {@link FIXTURE_NAMES}. */
export interface FixtureRecipe {
  kind: 'fixture';
  name: string;
}

/** What a base stream is made from: small, so that fast-check prints and shrinks it well. */
export type BaseRecipe = ResponsesRecipe | ImagesApiRecipe | FixtureRecipe;

/** Non-ASCII text in the revised prompts: a two-byte line for the scanner and the JSON reader. */
const PROMPT_TAIL = ' — “golden hour”, naïve façade 🌆';

function framesOf(set: number): readonly string[] {
  const frames = smallFrames[set % smallFrames.length]?.frames;
  if (!frames) throw new Error('no frame sets');
  return frames;
}

function responses(recipe: ResponsesRecipe): BaseStream {
  const frames = framesOf(recipe.set);
  const format = smallFrames[recipe.set % smallFrames.length]?.format ?? 'png';
  const events = imageResponseEvents({
    items: recipe.items,
    partials: recipe.partials,
    interleave: recipe.interleave,
    ending: recipe.ending,
    doneStatus: recipe.doneStatus,
    completedEvent: recipe.completedEvent,
    textDeltas: recipe.textDeltas,
    skipItemDone: recipe.skipItemDone,
    resultsInCompleted: recipe.resultsInCompleted,
    format,
    // Each item its own bytes (a frame set has 4 frames; items shift through them).
    frame: (item, k) => frames[Math.min(k + item, 3)] as string,
  }).map((event) => withPromptTail(event));
  const openrouter = recipe.style === 'openrouter';
  const units: Unit[] = [];
  if (openrouter) units.push({ kind: 'comment', text: ' OPENROUTER PROCESSING' });
  for (const event of events) {
    const type = (event as { type: string }).type;
    units.push({ kind: 'message', event: openrouter ? '' : type, data: JSON.stringify(event) });
  }
  if (openrouter) units.push({ kind: 'message', event: '', data: '[DONE]' });
  return describe(`responses(${JSON.stringify(recipe)})`, units);
}

function withPromptTail(event: Record<string, unknown>): Record<string, unknown> {
  const item = event.item as Record<string, unknown> | undefined;
  if (item && typeof item.revised_prompt === 'string') {
    return { ...event, item: { ...item, revised_prompt: item.revised_prompt + PROMPT_TAIL } };
  }
  return event;
}

function imagesApi(recipe: ImagesApiRecipe): BaseStream {
  const set = smallFrames[recipe.set % smallFrames.length];
  if (!set) throw new Error('no frame sets');
  const prefix = recipe.edit ? 'image_edit' : 'image_generation';
  const common = {
    background: 'opaque',
    created_at: 1758034395,
    output_format: set.format,
    quality: 'low',
    size: `${set.width * 4}x${set.height * 4}`,
  };
  const units: Unit[] = [];
  for (let k = 0; k < recipe.partials; k++) {
    const event = {
      type: `${prefix}.partial_image`,
      ...common,
      b64_json: set.frames[k],
      partial_image_index: k,
    };
    units.push({ kind: 'message', event: event.type, data: JSON.stringify(event) });
  }
  const completed = {
    type: `${prefix}.completed`,
    ...common,
    b64_json: set.frames[3],
    usage: { input_tokens: 12, output_tokens: 272, total_tokens: 284 },
  };
  units.push({ kind: 'message', event: completed.type, data: JSON.stringify(completed) });
  return describe(`images-api(${JSON.stringify(recipe)})`, units);
}

const cache = new Map<string, BaseStream>();

/** The base stream of a recipe (built once, then cached). */
export function baseStream(recipe: BaseRecipe): BaseStream {
  const key = JSON.stringify(recipe);
  let stream = cache.get(key);
  if (stream === undefined) {
    if (recipe.kind === 'fixture') {
      const make = FIXTURES[recipe.name];
      if (!make) throw new Error(`no fixture ${recipe.name}`);
      stream = make();
    } else if (recipe.kind === 'responses') stream = responses(recipe);
    else stream = imagesApi(recipe);
    if (cache.size > 2000) cache.clear();
    cache.set(key, stream);
  }
  return stream;
}
