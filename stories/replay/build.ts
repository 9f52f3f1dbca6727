/**
 * Builds one response's wire events (PROTOCOL.md §2, §6) with the moment each leaves the server.
 * The item builders and the response object live in `./items`; this file lays out the timeline.
 */

import { type FrameSet, type PickFramesOptions, pickFrames, smallFrames } from './frames';
import { type Draft, errorEvents, imageItem, messageItem, reasoningItem, TIMING } from './items';
import { between, hashString, openaiId, prng } from './random';
import { responseFactory } from './response';
import { closingText, introText } from './text';

/** One event as it goes on the wire: snake_case, `type` and `sequence_number` first. */
export type WireEvent = { type: string; sequence_number: number } & Record<string, unknown>;

/** How a replayed response goes wrong. */
export type ReplayFailure = 'error' | 'policy' | 'cut';

/** Options of `createReplay`: what the response holds. All optional; the same options give the same events. */
export interface ReplayOptions extends PickFramesOptions {
  /** The user's prompt: seeds the randomness (timings, ids) unless `seed` is given. */
  prompt?: string | undefined;
  /** How many image items, 1 to 4. @defaultValue 1 */
  images?: number | undefined;
  /** The frame sets to take images from. @defaultValue {@link smallFrames} */
  frames?: readonly FrameSet[] | undefined;
  /** Partial images requested (`partial_images`), 0 to 3. @defaultValue 3 */
  partials?: number | undefined;
  /** Partials actually sent per image: fewer than requested when the final comes early. */
  deliveredPartials?: number | undefined;
  /** Generate the images at once, their events interleaved. @defaultValue false */
  parallel?: boolean | undefined;
  /** Azure / gpt-5-nano: `output_item.done` says `"generating"`, no `.completed` event. */
  generatingQuirk?: boolean | undefined;
  /** A reasoning item at output index 0, as gpt-5 sends. @defaultValue true */
  reasoning?: boolean | undefined;
  /** The message before the images; `false` for none. @defaultValue "Here is …" */
  introText?: string | false | undefined;
  /** The message after the images; `false` for none. @defaultValue "Let me know …" */
  closingText?: string | false | undefined;
  /** End with a provider `error`, a content-policy `response.failed`, or a connection cut. */
  failure?: ReplayFailure | undefined;
  /**
   * Where the failure strikes: image `image` (default the last), instead of (error, policy) or in
   * the middle of (cut) its partial `afterPartials`, or of its final image when that is past the
   * partials sent. @defaultValue `{ afterPartials: 1 }`, for policy `{ afterPartials: 0 }`
   */
  failAt?: { image?: number | undefined; afterPartials?: number | undefined } | undefined;
  /** The tool's quality. @defaultValue 'medium' */
  quality?: 'low' | 'medium' | 'high' | undefined;
  /** `size` on the wire: the frames' real pixels, or the API size they stand for. @defaultValue 'frames' */
  declaredSize?: 'frames' | 'api' | undefined;
  /** @defaultValue 'gpt-5-2025-08-07' */
  model?: string | undefined;
  /** Seed of timings and ids. @defaultValue a hash of the prompt */
  seed?: number | undefined;
  /** `created_at`, in Unix seconds. @defaultValue 1758034395 */
  createdAt?: number | undefined;
}

/** A built response: its events, when each is sent, and the frames behind its images. */
export interface BuiltResponse {
  /** The wire events, `sequence_number` 0, 1, 2, … */
  events: WireEvent[];
  /** When each event is sent, in ms from the start at speed 1 (non-decreasing integers). */
  times: number[];
  /** The frame set of each image item, in output order. */
  images: FrameSet[];
  /** The response id (`resp_…`). */
  responseId: string;
  /** The last event is cut mid-base64 on the wire, and nothing follows (failure `cut`). */
  truncated: boolean;
}

function checkCount(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${value}.`);
  }
  return value;
}

/** Lays out one response. @throws `RangeError` on counts out of range or unknown scenes. */
export function buildResponse(options: ReplayOptions = {}): BuiltResponse {
  const count = checkCount('images', options.images ?? 1, 1, 4);
  const partials = checkCount('partials', options.partials ?? 3, 0, 3);
  const delivered = checkCount('deliveredPartials', options.deliveredPartials ?? partials, 0, 3);
  const seed = options.seed ?? hashString(options.prompt ?? '');
  const time = prng(seed);
  const random = prng(seed ^ 0x5bd1e995);
  const sets = pickFrames(options.frames ?? smallFrames, count, options);
  const responseId = openaiId(random, 'resp');
  const response = responseFactory({
    id: responseId,
    createdAt: options.createdAt ?? 1758034395,
    model: options.model ?? 'gpt-5-2025-08-07',
    quality: options.quality ?? 'medium',
    declaredSize: options.declaredSize ?? 'frames',
    sets,
  });
  const drafts: Draft[] = [];
  const output: Record<string, unknown>[] = [];
  let at = 0;
  drafts.push({ at, event: response.event('response.created', 'in_progress') });
  at += between(time, ...TIMING.inProgress);
  drafts.push({ at, event: response.event('response.in_progress', 'in_progress') });
  if (options.reasoning ?? true) {
    const added = at + between(time, ...TIMING.reasoningStart);
    at = added + between(time, ...TIMING.reasoning);
    const item = reasoningItem(random, output.length, added, at);
    drafts.push(...item.drafts);
    output.push(item.item);
  }
  const intro = options.introText ?? introText(sets);
  if (intro !== false && intro !== '') {
    const item = messageItem(random, time, output.length, at, intro);
    drafts.push(...item.drafts);
    output.push(item.item);
    at = item.end;
  }

  // The images, one after the other or overlapping, merged by time.
  const imageDrafts: Draft[] = [];
  let start = at + between(time, ...TIMING.imageStart);
  for (const [i, set] of sets.entries()) {
    const item = imageItem({
      random,
      time,
      index: i,
      outputIndex: output.length,
      start,
      set,
      delivered,
      quirk: options.generatingQuirk ?? false,
      size: response.sizeOf(set),
      quality: options.quality ?? 'medium',
    });
    imageDrafts.push(...item.drafts);
    output.push(item.item);
    start = options.parallel
      ? start + between(time, ...TIMING.parallelStagger)
      : item.end + between(time, ...TIMING.imageStart);
  }
  imageDrafts.sort((a, b) => a.at - b.at);
  drafts.push(...imageDrafts);
  at = Math.max(...imageDrafts.map((d) => d.at));

  let truncated = false;
  if (options.failure) {
    const image = checkCount('failAt.image', options.failAt?.image ?? count - 1, 0, count - 1);
    const after = options.failAt?.afterPartials ?? (options.failure === 'policy' ? 0 : 1);
    const k = Math.min(after, delivered);
    const index = drafts.findIndex(
      (d) =>
        d.mark?.image === image &&
        (k < delivered
          ? d.mark.partial === k
          : options.failure === 'cut'
            ? d.mark.done === true
            : d.mark.final === true),
    );
    const target = drafts[index] as Draft;
    drafts.length = options.failure === 'cut' ? index + 1 : index;
    if (options.failure === 'cut') truncated = true;
    else drafts.push(...errorEvents(options.failure, response, random, target.at));
  } else {
    const closing = options.closingText ?? closingText(count);
    if (closing !== false && closing !== '') {
      const item = messageItem(random, time, output.length, at, closing);
      drafts.push(...item.drafts);
      output.push(item.item);
      at = item.end;
    }
    at += between(time, ...TIMING.completed);
    drafts.push({ at, event: response.completed(output) });
  }
  const events = drafts.map((d, n) => {
    d.event.sequence_number = n;
    return d.event;
  });
  return {
    events,
    times: drafts.map((d) => Math.round(d.at)),
    images: sets,
    responseId,
    truncated,
  };
}
