/**
 * The Vercel AI SDK's UI message stream (what `toUIMessageStreamResponse()` sends and `useChat`
 * reads): an image tool's outputs become the frames of the item keyed by the tool call's id.
 * WIRE.md § 8 has the shape and its sources.
 */

import * as z from 'zod/mini';
import { type Classified, errorEvent, IGNORED, known, loose } from './classified';
import { PartialImagesError } from './errors';
import { toolOutputImage } from './toolOutput';

/** The AI SDK's UI message stream chunk types (ai@6 `ui-message-chunks.ts`). */
export const AI_SDK_CHUNKS = new Set([
  'start',
  'finish',
  'abort',
  'error',
  'start-step',
  'finish-step',
  'text-start',
  'text-delta',
  'text-end',
  'reasoning-start',
  'reasoning-delta',
  'reasoning-end',
  'tool-input-start',
  'tool-input-delta',
  'tool-input-available',
  'tool-input-error',
  'tool-output-available',
  'tool-output-error',
  'tool-output-denied',
  'tool-approval-request',
  'source-url',
  'source-document',
  'file',
  'message-metadata',
]);

/** The AI SDK's `tool-output-available` chunk (ai@6 `ui-message-chunks.ts`). */
const ToolOutputChunk = z.object({
  toolCallId: z.string(),
  output: z.unknown(),
  preliminary: loose(z.boolean()),
});

/** One chunk of the AI SDK's UI message stream. @internal */
export function classifyUiChunk(
  type: string,
  record: Record<string, unknown>,
  now: number,
): Classified {
  const seq = null;
  switch (type) {
    case 'start':
      return known({
        type: 'response.created',
        sequenceNumber: seq,
        receivedAt: now,
        responseId: typeof record.messageId === 'string' ? record.messageId : null,
        format: null,
        size: null,
      });
    case 'tool-output-available': {
      const parsed = ToolOutputChunk.safeParse(record);
      if (!parsed.success) return IGNORED;
      const image = toolOutputImage(parsed.data.output);
      if (image === null) return IGNORED; // a tool that is not an image tool (the weather)
      return {
        known: true,
        preliminary: parsed.data.preliminary,
        event: {
          type: 'image.partial',
          sequenceNumber: seq,
          receivedAt: now,
          itemId: parsed.data.toolCallId,
          outputIndex: null,
          partialImageIndex: null,
          b64: image.b64,
          format: image.format,
          size: null,
        },
      };
    }
    case 'error':
      return known(
        errorEvent(
          { message: typeof record.errorText === 'string' ? record.errorText : null },
          seq,
          now,
        ),
      );
    case 'finish':
      return known({
        type: 'response.completed',
        sequenceNumber: seq,
        receivedAt: now,
        responseId: null,
        images: [],
      });
    case 'abort':
      return known({
        type: 'stream.error',
        sequenceNumber: seq,
        receivedAt: now,
        fatal: true,
        error: new PartialImagesError('aborted', 'The server aborted the stream.'),
      });
    default:
      return IGNORED;
  }
}
