/**
 * The chat demo's prompt → scenario mapping: words in the prompt choose the number of images,
 * the scenes, quirks, failures and the network. Deterministic: a prompt always plays the same.
 */

import type { ReplayFailure, ReplayOptions } from './build';
import { type FrameSet, smallFrames } from './frames';
import { hashString } from './random';
import { createReplay, type Replay, type TransportOptions } from './replay';

/** What a prompt asks the replay for. */
export interface Scenario {
  /** A short description for the demo UI, e.g. `2 images (city, forest) · slow network`. */
  label: string;
  /** Options of `createReplay` (without `frames`). */
  replay: ReplayOptions;
  /** How to play it: framing style, network, speed. */
  transport: Pick<TransportOptions, 'style' | 'network' | 'speed'>;
}

const word = (pattern: string) => new RegExp(`\\b(?:${pattern})\\b`, 'i');

const COUNTS: readonly [RegExp, number][] = [
  [word('four|4'), 4],
  [word('three|3|trio'), 3],
  [word('two|2|pair|couple'), 2],
];

const FAILURES: readonly [RegExp, ReplayFailure][] = [
  [word('policy|nsfw|unsafe|moderat\\w*|violat\\w*|blocked|forbidden|refus\\w*'), 'policy'],
  [word('errors?|fail\\w*|broken|crash\\w*'), 'error'],
  [word('cut|drop\\w*|disconnect\\w*|truncat\\w*|offline|lost'), 'cut'],
];

const SCENE_WORDS: Record<string, RegExp> = {
  sunset: word('sunsets?|sunrise|mountains?|lakes?|dusk|landscapes?|sea|ocean'),
  city: word('city|cities|skylines?|night|urban|streets?|buildings?|towns?|towers?'),
  forest: word('forests?|trees?|woods?|woodland|pines?|fog|foggy|mist|misty|nature'),
};

const FORMAT_WORDS: readonly [RegExp, FrameSet['format']][] = [
  [word('png'), 'png'],
  [word('jpe?g'), 'jpeg'],
  [word('webp'), 'webp'],
];

/** Example prompts, one per behaviour, for the demo's suggestion chips. */
export const EXAMPLE_PROMPTS: readonly string[] = [
  'A sunset over the mountains',
  'Two images of a city skyline at night, at once',
  'Three forest pictures on a slow network',
  'Four images, please',
  'A city at night, but the server has an error',
  'Something that violates the content policy',
  'A forest, and then the connection drops',
  'A sunset, Azure style (generating quirk)',
  'A city, with fewer previews than requested',
  'Two landscapes via OpenRouter',
];

/** Where a scene word first appears in `prompt`, or -1. */
function position(pattern: RegExp, prompt: string): number {
  return pattern.exec(prompt)?.index ?? -1;
}

/**
 * Reads a chat prompt into a scenario. Numbers ("two", "3") give that many images (default 1,
 * at most 4); "error"/"fail", "policy"/"nsfw", "cut"/"drop" pick a failure; "slow" a slow
 * network; "parallel"/"at once" interleaved images; "azure"/"nano"/"generating" the
 * `status:"generating"` quirk; "fewer"/"early" one partial of three; "openrouter" its framing;
 * "fast" 4x speed and "instant" no delays. Scene words ("sunset", "city", "forest"), else a
 * format ("png", "jpeg", "webp"), choose the frames; else the prompt's hash does.
 *
 * @param pool - The frame sets the scenes are chosen from. @defaultValue `smallFrames`
 */
export function scenarioFromPrompt(
  prompt: string,
  pool: readonly FrameSet[] = smallFrames,
): Scenario {
  const images = COUNTS.find(([pattern]) => pattern.test(prompt))?.[1] ?? 1;
  const failure = FAILURES.find(([pattern]) => pattern.test(prompt))?.[1];
  const names = [...new Set(pool.map((set) => set.scene))];
  let scenes = names
    .filter((name) => SCENE_WORDS[name] !== undefined)
    .map((name) => ({ name, at: position(SCENE_WORDS[name] as RegExp, prompt) }))
    .filter((s) => s.at >= 0)
    .sort((a, b) => a.at - b.at)
    .map((s) => s.name);
  if (scenes.length === 0) {
    const format = FORMAT_WORDS.find(([pattern]) => pattern.test(prompt))?.[1];
    if (format) scenes = pool.filter((set) => set.format === format).map((set) => set.scene);
  }
  if (scenes.length === 0 && names.length > 0) {
    const offset = hashString(prompt.trim().toLowerCase()) % names.length;
    scenes = [...names.slice(offset), ...names.slice(0, offset)];
  }
  const replay: ReplayOptions = { prompt, images, scenes: [...new Set(scenes)] };
  if (failure) replay.failure = failure;
  if (word('parallel|simultaneous\\w*|at once|same time|together').test(prompt)) {
    replay.parallel = true;
  }
  if (word('azure|nano|quirk\\w*|generating').test(prompt)) replay.generatingQuirk = true;
  if (word('fewer|early|impatient').test(prompt)) replay.deliveredPartials = 1;
  const transport: Scenario['transport'] = {
    style: word('openrouter').test(prompt) ? 'openrouter' : 'openai',
    network: word('slow\\w*|3g|laggy|throttl\\w*').test(prompt) ? 'slow' : 'fast',
  };
  if (word('instant\\w*').test(prompt)) transport.speed = Number.POSITIVE_INFINITY;
  else if (word('fast|quick\\w*|hurry').test(prompt)) transport.speed = 4;

  const shown = replay.scenes?.slice(0, images) ?? [];
  const label = [
    `${images} image${images === 1 ? '' : 's'}${shown.length > 0 ? ` (${shown.join(', ')})` : ''}`,
    replay.parallel && images > 1 ? 'generated at once' : null,
    replay.generatingQuirk ? 'status "generating" quirk' : null,
    replay.deliveredPartials !== undefined ? 'fewer partials' : null,
    failure === 'error' ? 'provider error' : null,
    failure === 'policy' ? 'content policy violation' : null,
    failure === 'cut' ? 'connection cut mid-frame' : null,
    transport.network === 'slow' ? 'slow network' : null,
    transport.style === 'openrouter' ? 'OpenRouter framing' : null,
    transport.speed === undefined ? null : transport.speed === 4 ? '4x speed' : 'instant',
  ]
    .filter((part) => part !== null)
    .join(' · ');
  return { label, replay, transport };
}

/**
 * The replay of a chat prompt, with its scenario.
 *
 * @example
 * ```ts
 * const { scenario, replay } = replayForPrompt('two city pictures on a slow network')
 * await store.consume(() => replay.response(scenario.transport))
 * ```
 */
export function replayForPrompt(
  prompt: string,
  options: Pick<ReplayOptions, 'frames' | 'createdAt' | 'declaredSize'> = {},
): { scenario: Scenario; replay: Replay } {
  const scenario = scenarioFromPrompt(prompt, options.frames ?? smallFrames);
  return { scenario, replay: createReplay({ ...scenario.replay, ...options }) };
}
