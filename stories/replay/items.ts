/**
 * The output items of a replayed response, event by event, in the field order of the real
 * captures (fixtures README, "Field-by-field shapes"), each with the time it is sent.
 */

import type { WireEvent } from './build';
import type { FrameSet } from './frames';
import { between, openaiId } from './random';
import type { ResponseFactory } from './response';
import { obfuscation, revisedPrompt, tokens } from './text';

/** Realistic gaps between events, in ms at speed 1: `[min, max)` of a seeded uniform draw. */
export const TIMING = {
  /** `response.created` → `response.in_progress`. */
  inProgress: [10, 30],
  /** → reasoning item added. */
  reasoningStart: [150, 350],
  /** Reasoning ("thinking") time. */
  reasoning: [1200, 2600],
  /** → message item added. */
  messageStart: [80, 200],
  /** Between two text deltas. */
  delta: [15, 45],
  /** → the image call is added (after the text, or after the previous image). */
  imageStart: [250, 500],
  /** Image `in_progress` → `generating`. */
  generating: [30, 80],
  /** `generating` → partial 0. */
  firstPartial: [2000, 4000],
  /** Between two partials. */
  partialGap: [1500, 4000],
  /** Last partial (or `generating`) → the final image. */
  final: [2000, 4000],
  /** When images generate at once: the start of one image → the start of the next. */
  parallelStagger: [300, 900],
  /** The last item → `response.completed`. */
  completed: [80, 200],
  /** `error` → `response.failed`. */
  failed: [20, 60],
} as const satisfies Record<string, readonly [number, number]>;

/** An event with its send time; `mark` tags image events for placing failures. */
export interface Draft {
  at: number;
  event: WireEvent;
  mark?: { image: number; partial?: number; final?: boolean; done?: boolean };
}

/** An event with its `sequence_number` still to be set. */
export function ev(type: string, fields: Record<string, unknown>): WireEvent {
  return { type, sequence_number: -1, ...fields };
}

/** A reasoning item (encrypted on the wire: an empty summary), added then done. */
export function reasoningItem(random: () => number, outputIndex: number, at: number, end: number) {
  const item = { id: openaiId(random, 'rs'), type: 'reasoning', summary: [] };
  const drafts: Draft[] = [
    { at, event: ev('response.output_item.added', { output_index: outputIndex, item }) },
    { at: end, event: ev('response.output_item.done', { output_index: outputIndex, item }) },
  ];
  return { drafts, item };
}

/** An assistant message streamed token by token, starting shortly after `at`. */
export function messageItem(
  random: () => number,
  time: () => number,
  outputIndex: number,
  at: number,
  text: string,
) {
  const id = openaiId(random, 'msg');
  const where = { item_id: id, output_index: outputIndex, content_index: 0 };
  const part = (t: string) => ({ type: 'output_text', annotations: [], logprobs: [], text: t });
  const item = {
    id,
    type: 'message',
    status: 'completed',
    content: [part(text)],
    role: 'assistant',
  };
  let t = at + between(time, ...TIMING.messageStart);
  const drafts: Draft[] = [];
  const push = (gap: number, event: WireEvent) => {
    t += gap;
    drafts.push({ at: t, event });
  };
  const added = { ...item, status: 'in_progress', content: [] };
  push(0, ev('response.output_item.added', { output_index: outputIndex, item: added }));
  push(2, ev('response.content_part.added', { ...where, part: part('') }));
  for (const delta of tokens(text)) {
    const obf = obfuscation(random, delta);
    const gap = between(time, ...TIMING.delta);
    push(
      gap,
      ev('response.output_text.delta', { ...where, delta, logprobs: [], obfuscation: obf }),
    );
  }
  push(
    between(time, ...TIMING.delta),
    ev('response.output_text.done', { ...where, text, logprobs: [] }),
  );
  push(1, ev('response.content_part.done', { ...where, part: part(text) }));
  push(1, ev('response.output_item.done', { output_index: outputIndex, item }));
  return { drafts, item, end: t };
}

/** What {@link imageItem} needs. */
export interface ImageItemConfig {
  random: () => number;
  time: () => number;
  /** The image's number in the response (0-based), for failure marks. */
  index: number;
  outputIndex: number;
  start: number;
  set: FrameSet;
  delivered: number;
  quirk: boolean;
  size: string;
  quality: string;
}

/** One `image_generation_call`: added, in progress, generating, partials, final. */
export function imageItem(c: ImageItemConfig) {
  const id = openaiId(c.random, 'ig');
  const where = { output_index: c.outputIndex, item_id: id };
  const meta = {
    size: c.size,
    quality: c.quality,
    background: 'opaque',
    output_format: c.set.format,
  };
  const item = {
    id,
    type: 'image_generation_call',
    status: c.quirk ? 'generating' : 'completed',
    background: 'opaque',
    output_format: c.set.format,
    quality: c.quality,
    result: c.set.frames[3],
    revised_prompt: revisedPrompt(c.set),
    size: c.size,
  };
  let t = c.start;
  const added = { id, type: 'image_generation_call', status: 'in_progress' };
  const drafts: Draft[] = [
    {
      at: t,
      event: ev('response.output_item.added', { output_index: c.outputIndex, item: added }),
    },
  ];
  t += between(c.time, 3, 12);
  drafts.push({ at: t, event: ev('response.image_generation_call.in_progress', where) });
  t += between(c.time, ...TIMING.generating);
  drafts.push({ at: t, event: ev('response.image_generation_call.generating', where) });
  for (let k = 0; k < c.delivered; k++) {
    const [min, max] = k === 0 ? TIMING.firstPartial : TIMING.partialGap;
    t += between(c.time, min, max);
    const partial = {
      ...where,
      partial_image_index: k,
      partial_image_b64: c.set.frames[k],
      ...meta,
    };
    drafts.push({
      at: t,
      event: ev('response.image_generation_call.partial_image', partial),
      mark: { image: c.index, partial: k },
    });
  }
  t += between(c.time, ...TIMING.final);
  if (!c.quirk) {
    const event = ev('response.image_generation_call.completed', where);
    drafts.push({ at: t, event, mark: { image: c.index, final: true } });
    t += between(c.time, 2, 10);
  }
  drafts.push({
    at: t,
    event: ev('response.output_item.done', { output_index: c.outputIndex, item }),
    mark: { image: c.index, final: true, done: true },
  });
  return { drafts, item, end: t };
}

const SERVER_ERROR =
  'An error occurred while processing your request. You can retry your request, or contact us ' +
  'through our help center at help.openai.com if the error persists.';
const POLICY =
  'Your request was rejected as a result of our safety system. Your request may contain content ' +
  'that is not allowed by our safety system.';

/** The end of a failed response: a nested `error` then `response.failed`, or the latter alone. */
export function errorEvents(
  failure: 'error' | 'policy',
  response: ResponseFactory,
  random: () => number,
  at: number,
): Draft[] {
  if (failure === 'policy') {
    const error = { code: 'image_content_policy_violation', message: POLICY };
    return [{ at, event: response.failed(error) }];
  }
  const request = `req_${openaiId(random, 'x').slice(2, 34)}`;
  const message = `${SERVER_ERROR} Please include the request ID ${request} in your message.`;
  const error = { type: 'server_error', code: 'server_error', message, param: null };
  return [
    { at, event: ev('error', { error }) },
    {
      at: at + between(random, ...TIMING.failed),
      event: response.failed({ code: 'server_error', message }),
    },
  ];
}
