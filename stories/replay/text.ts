/**
 * The words of a replayed response: what the assistant says around the images, the revised
 * prompts, and the split into `output_text.delta` tokens.
 */

import type { FrameSet } from './frames';
import { randomString } from './random';

interface SceneText {
  /** A noun phrase for the chat text. */
  noun: string;
  /** A `revised_prompt` in the style of gpt-image's rewrites. */
  revised: string;
}

const SCENES: Record<string, SceneText> = {
  sunset: {
    noun: 'a sunset over layered mountains, mirrored in a calm lake',
    revised:
      'A wide landscape at golden hour: a low sun above layered purple mountain ridges, wispy ' +
      'clouds lit orange and pink, and the whole scene mirrored in a calm lake with gentle ' +
      'ripples. Painterly, warm, with a soft haze over the distant peaks.',
  },
  city: {
    noun: 'a city skyline at night under a glowing sky',
    revised:
      'A night-time city skyline: three rows of towers with warmly lit windows against a ' +
      'glowing horizon, a crescent moon and scattered stars above. Cinematic, deep blues with ' +
      'amber window light, wide 3:2 composition.',
  },
  forest: {
    noun: 'a misty conifer forest with rays of morning light',
    revised:
      'A misty conifer forest in the early morning: rows of pines fading into fog, soft rays of ' +
      'light falling from the upper left onto a mossy forest floor. Quiet and atmospheric, ' +
      'muted greens, tall 2:3 composition.',
  },
};

const NUMBERS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight'];

function sceneText(set: FrameSet): SceneText {
  return SCENES[set.scene] ?? { noun: `an image of a ${set.scene}`, revised: `A ${set.scene}.` };
}

/** The assistant's words before the images: "Here is …" / "Here are three images: …". */
export function introText(sets: readonly FrameSet[]): string {
  const first = sets[0];
  if (!first) return 'Here is what I came up with.';
  if (sets.length === 1) return `Here is ${sceneText(first).noun}.`;
  const nouns = sets.map((set, i) => (i > 0 && set === sets[i - 1] ? 'another take' : null));
  const parts = sets.map((set, i) => nouns[i] ?? sceneText(set).noun);
  const last = parts.pop();
  const count = NUMBERS[sets.length] ?? String(sets.length);
  return `Here are ${count} images: ${parts.join('; ')}; and ${last}.`;
}

/** The assistant's words after the images. */
export function closingText(count: number): string {
  return count === 1
    ? 'Let me know if you would like a different style, lighting or aspect ratio!'
    : 'Let me know which one you like best, or if any of them should change!';
}

/** The `revised_prompt` of an image: a rewrite of its scene, as gpt-image returns. */
export function revisedPrompt(set: FrameSet): string {
  return sceneText(set).revised;
}

/** Splits text into tokens the way the model streams it: words with their leading space. */
export function tokens(text: string): string[] {
  return text.match(/\s*[\p{L}\p{N}'’-]+|\s*[^\p{L}\p{N}\s]|\s+$/gu) ?? [];
}

const OBFUSCATION = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * The `obfuscation` field of a real text delta: random characters padding the delta to 16 (it
 * hides token lengths from a network observer).
 */
export function obfuscation(random: () => number, delta: string): string {
  return randomString(random, Math.max(4, 16 - delta.length), OBFUSCATION);
}
