/**
 * A line of text held as the pieces it arrived in: the decoded chunks, never joined unless asked.
 *
 * Why: a 2 MB `data:` line arrives in some thirty network chunks. Joining them costs a copy, and
 * one non-ASCII character anywhere in the line (an em dash in a revised prompt) would make the
 * joined string two-byte, base64 included: twice the memory, and a slower `JSON.parse`. Each
 * chunk is decoded on its own, so only the chunk holding that character is two-byte ("wide"),
 * and the JSON reader (`json.ts`) can lift the base64 out of the ASCII pieces alone.
 * @internal
 */

export interface Pieces {
  /** The text, in order. Empty pieces are never stored. */
  readonly parts: string[];
  /** Which parts may hold a character above U+007F. */
  readonly wide: boolean[];
  /** Total length in UTF-16 code units. */
  length: number;
  /** Some part is wide. */
  anyWide: boolean;
}

export function emptyPieces(): Pieces {
  return { parts: [], wide: [], length: 0, anyWide: false };
}

export function pushPiece(target: Pieces, text: string, wide: boolean): void {
  if (text.length === 0) return;
  target.parts.push(text);
  target.wide.push(wide);
  target.length += text.length;
  if (wide) target.anyWide = true;
}

/** The whole text, joined once. */
export function joinPieces(pieces: Pieces): string {
  const { parts } = pieces;
  return parts.length === 1 ? (parts[0] as string) : parts.join('');
}

/**
 * Random access to the text of a {@link Pieces} without joining it: `indexOf`, `charCodeAt`, and
 * `slice`, by global position. Positions move forward almost always, so the piece last used is
 * remembered.
 */
export class PieceReader {
  private readonly parts: string[];
  private readonly starts: number[];
  readonly length: number;
  private hint = 0;

  constructor(readonly pieces: Pieces) {
    this.parts = pieces.parts;
    this.starts = new Array<number>(this.parts.length);
    let at = 0;
    for (let i = 0; i < this.parts.length; i++) {
      this.starts[i] = at;
      at += (this.parts[i] as string).length;
    }
    this.length = at;
  }

  /** The index of the part holding global position `at` (`at < length`). */
  private partAt(at: number): number {
    const starts = this.starts;
    let i = this.hint;
    if ((starts[i] as number) > at) i = 0;
    while (i + 1 < starts.length && (starts[i + 1] as number) <= at) i++;
    this.hint = i;
    return i;
  }

  indexOf(search: string, from: number): number {
    if (from >= this.length) return -1;
    for (let i = this.partAt(from); i < this.parts.length; i++) {
      const start = this.starts[i] as number;
      const found = (this.parts[i] as string).indexOf(search, Math.max(0, from - start));
      if (found !== -1) return start + found;
    }
    return -1;
  }

  charCodeAt(at: number): number {
    if (at < 0 || at >= this.length) return Number.NaN;
    const i = this.partAt(at);
    return (this.parts[i] as string).charCodeAt(at - (this.starts[i] as number));
  }

  /**
   * The text in `[from, to)`. With `narrow`, each part taken from a wide piece is re-made as a
   * one-byte string when it is plain ASCII, so that the result stays one-byte.
   */
  slice(from: number, to: number, narrow = false): string {
    if (from >= to) return '';
    const first = this.partAt(from);
    const start = this.starts[first] as number;
    const part = this.parts[first] as string;
    if (to <= start + part.length) {
      // Within one part (the usual case): no array.
      const text = part.slice(from - start, to - start);
      return narrow && this.pieces.wide[first] ? narrowAscii(text) : text;
    }
    const parts = this.sliceParts(from, to, narrow);
    return parts.length === 1 ? (parts[0] as string) : parts.join('');
  }

  /** The text in `[from, to)` as the parts it spans (see {@link slice}), not joined. */
  sliceParts(from: number, to: number, narrow = false): string[] {
    if (from >= to) return [''];
    const first = this.partAt(from);
    const out: string[] = [];
    for (let i = first; i < this.parts.length; i++) {
      const start = this.starts[i] as number;
      if (start >= to) break;
      const part = this.parts[i] as string;
      const text = part.slice(Math.max(0, from - start), Math.min(part.length, to - start));
      out.push(narrow && this.pieces.wide[i] ? narrowAscii(text) : text);
    }
    this.hint = first;
    return out;
  }
}

const ASCII = /^[\0-\x7f]*$/;
const encoder = /* @__PURE__ */ new TextEncoder();
const latin1 = /* @__PURE__ */ new TextDecoder('latin1');

/**
 * A one-byte copy of `text` when it is plain ASCII (a slice of a two-byte string is two-byte
 * too); `text` itself otherwise. Only ever used on the few parts that came from a wide chunk.
 */
function narrowAscii(text: string): string {
  return ASCII.test(text) ? latin1.decode(encoder.encode(text)) : text;
}
