/**
 * Seeded randomness for the replay: the same options always give the same stream, byte for byte.
 */

/** mulberry32: a small seeded PRNG returning floats in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit FNV-1a hash of `text`: a stable seed from a prompt. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A number in [min, max), from `random`. */
export function between(random: () => number, min: number, max: number): number {
  return min + (max - min) * random();
}

/** `length` characters of `alphabet`, from `random`. */
export function randomString(random: () => number, length: number, alphabet: string): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(random() * alphabet.length)];
  return out;
}

/** An id in the shape of OpenAI's: `prefix_` and 50 lowercase hex digits. */
export function openaiId(random: () => number, prefix: string): string {
  return `${prefix}_${randomString(random, 50, '0123456789abcdef')}`;
}
