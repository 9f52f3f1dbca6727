/** How the Inspector story shows raw events: short ids, and JSON with base64 cut short. */

/** A run of base64 this long is image data, not text. */
const BASE64 = /^[A-Za-z0-9+/]{200,}={0,2}$/;

/** `1.4 MB`, `37 KB`, `512 B`: the size of `length` characters (base64 is ASCII). */
export function formatSize(length: number): string {
  if (length >= 1_000_000) return `${(length / 1_000_000).toFixed(1)} MB`;
  if (length >= 1_000) return `${Math.round(length / 1_000)} KB`;
  return `${length} B`;
}

/**
 * The event as indented JSON, each base64 string cut to its first 40 characters and its size,
 * e.g. `"iVBORw0KGgoAAAANSUhEUgAAAQAAAAEACAIAAADT… (1.4 MB)"`, so a frame does not fill the page.
 */
export function eventJson(raw: unknown): string {
  return JSON.stringify(
    raw,
    (_, value: unknown) =>
      typeof value === 'string' && BASE64.test(value)
        ? `${value.slice(0, 40)}… (${formatSize(value.length)})`
        : value,
    2,
  );
}

/** `ig_0df93c0b…8b5a44`: an OpenAI id's prefix, head and tail (the whole id is in the JSON). */
export function shortId(id: string): string {
  const match = /^([a-z]+_)(.+)$/.exec(id);
  if (!match || id.length <= 18) return id;
  const [, prefix = '', rest = ''] = match;
  return `${prefix}${rest.slice(0, 6)}…${rest.slice(-4)}`;
}
