/**
 * The chat demo's prompt → scenario mapping: words in the prompt choose the number of images,
 * the scenes, quirks, failures and the network. Deterministic: a prompt always plays the same.
 */

import { type FrameSet, smallFrames } from '../../test/fixtures/frames';
import { hashString } from '../../test/fixtures/random';
import type { ReplayFailure, ReplayOptions } from '../../test/fixtures/realistic';
import { createReplay, type Replay, type TransportOptions } from './replay';

/** What a prompt asks the replay for. */
export interface Scenario {
  /** A short description for the demo UI, e.g. `2 images (city, forest) · slow network`. */
  label: string;
  /** Options of `createReplay` (without `frames`). */
  replay: ReplayOptions;
  /** How to play it: framing style, network, speed. */
  transport: Pick<TransportOptions, 'style' | 'network' | 'speed'>;
  /**
   * How the frames were chosen: `words` (the prompt names or describes a scene), `format` (it
   * names an image format), or `fallback` (nothing fits: the prompt's hash picks the scenes).
   */
  match: 'words' | 'format' | 'fallback';
  /** One plain sentence for the reply: that it is a replay, and why it shows what it shows. */
  note: string;
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

/** The words (and synonyms) of each generated scene; the first one in the prompt wins. */
const SCENE_WORDS: Record<string, RegExp> = {
  sunset: word(
    'sunsets?|sunrises?|sundown|sun|dawn|dusk|twilight|evening|golden hour|mountains?|hills?|' +
      'peaks?|valleys?|lakes?|landscapes?|seas?|ocean|beach(?:es)?|horizon|sky|skies|clouds?',
  ),
  city: word(
    'city|cities|skylines?|night|nighttime|urban|streets?|buildings?|towns?|towers?|' +
      'skyscrapers?|downtown|metropolis|neon|moon|stars|architecture',
  ),
  forest: word(
    'forests?|trees?|woods?|woodlands?|pines?|conifers?|firs?|oaks?|jungle|rainforest|park|' +
      'fog|foggy|mist|misty|moss|mossy|nature|wilderness|grove',
  ),
};

/** How the note names a scene. */
const SCENE_NAMES: Record<string, string> = {
  sunset: 'a sunset over mountains',
  city: 'a city skyline at night',
  forest: 'a misty forest',
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
 * "fast" 4x speed and "instant" no delays. Scene words and their synonyms ("sunset", "dusk",
 * "mountains"; "city", "skyline", "night"; "forest", "trees", "fog"), else a format ("png",
 * "jpeg", "webp"), choose the frames; else the prompt's hash does, and the note says so.
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
  let match: Scenario['match'] = 'words';
  if (scenes.length === 0) {
    const format = FORMAT_WORDS.find(([pattern]) => pattern.test(prompt))?.[1];
    if (format) scenes = pool.filter((set) => set.format === format).map((set) => set.scene);
    match = 'format';
  }
  if (scenes.length === 0) {
    // Nothing fits: a stable choice, so that a prompt always plays the same.
    const offset = hashString(prompt.trim().toLowerCase()) % Math.max(1, names.length);
    scenes = [...names.slice(offset), ...names.slice(0, offset)];
    match = 'fallback';
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
  return { label, replay, transport, match, note: noteFor(match, shown, names) };
}

/** "a sunset over mountains", "a city skyline at night and a misty forest", … */
function sceneList(scenes: readonly string[]): string {
  const named = [...new Set(scenes)].map((scene) => SCENE_NAMES[scene] ?? `a ${scene}`);
  const last = named.pop() ?? 'an image';
  return named.length > 0 ? `${named.join(', ')} and ${last}` : last;
}

function noteFor(match: Scenario['match'], shown: readonly string[], names: readonly string[]) {
  const head = 'Replay, not a real model (no API key is set): ';
  if (match === 'words') return `${head}the pre-made frames closest to your prompt.`;
  if (match === 'format') return `${head}the pre-made frames in the format you asked for.`;
  return (
    `${head}no pre-made scene fits your prompt, so here is ${sceneList(shown)} ` +
    `(the replay has ${sceneList(names)}).`
  );
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
