/**
 * Gemini's `streamGenerateContent` chunks: whole images in `inlineData` parts, several per
 * response; a thinking model's `thought` images are previews. WIRE.md § 10 has the shape and its
 * sources.
 */

import * as z from 'zod/mini';
import { type Classified, describeIssues, invalid, known, loose, looseString } from './classified';
import type { FinalImage } from './events';
import { toImageFormat } from './mime';

/** Gemini's `inlineData` part; `thought: true` marks a thinking model's interim image. */
const GeminiPart = z.object({
  inlineData: loose(z.object({ mimeType: looseString, data: z.string() })),
  thought: loose(z.boolean()),
});

const GeminiChunk = z.object({
  candidates: loose(
    z.array(
      z.object({
        content: loose(z.object({ parts: loose(z.array(z.unknown())) })),
        finishReason: looseString,
      }),
    ),
  ),
  promptFeedback: loose(z.object({ blockReason: looseString })),
  responseId: looseString,
});

/** Gemini `streamGenerateContent` chunk: whole images in `inlineData` parts. @internal */
export function classifyGeminiChunk(raw: Record<string, unknown>, now: number): Classified {
  const parsed = GeminiChunk.safeParse(raw);
  if (!parsed.success)
    return known(invalid('Gemini chunk', describeIssues(parsed.error.issues), null));
  const chunk = parsed.data;
  const base = { sequenceNumber: null, receivedAt: now, responseId: chunk.responseId };
  const images: FinalImage[] = [];
  let thought: FinalImage | null = null;
  let finish: string | null = null;
  for (const candidate of chunk.candidates ?? []) {
    finish ??= candidate.finishReason;
    for (const part of candidate.content?.parts ?? []) {
      const inline = GeminiPart.safeParse(part);
      const data = inline.success ? inline.data.inlineData : null;
      if (!data) continue;
      const format = toImageFormat(data.mimeType);
      // A non-image part (audio, a PDF) is not an image; an unknown image type is sniffed.
      if (format === null && data.mimeType !== null && !data.mimeType.startsWith('image/'))
        continue;
      const image: FinalImage = {
        itemId: null,
        outputIndex: null,
        result: data.data,
        revisedPrompt: null,
        format,
        size: null,
      };
      // A thinking model's interim images are previews of the image that follows them.
      if (inline.success && inline.data.thought === true) thought = image;
      else images.push(image);
    }
  }
  if (thought !== null && images.length === 0 && finish === null) {
    return known({
      type: 'image.partial',
      sequenceNumber: null,
      receivedAt: now,
      itemId: null,
      outputIndex: null,
      partialImageIndex: null,
      b64: thought.result,
      format: thought.format,
      size: null,
    });
  }
  const blocked = chunk.promptFeedback?.blockReason;
  if (blocked) {
    return known({
      type: 'response.incomplete',
      ...base,
      reason: blocked,
      images,
    });
  }
  if (finish === null || finish === 'FINISH_REASON_UNSPECIFIED') {
    return known(images.length > 0 ? { type: 'response.images', ...base, images } : null);
  }
  if (finish === 'STOP' || finish === 'MAX_TOKENS') {
    return known({ type: 'response.completed', ...base, images });
  }
  return known({ type: 'response.incomplete', ...base, reason: finish, images });
}
