import * as React from 'react';
import { PartialImagesError } from '../core/errors';
import type { PartialImageEvent } from '../core/events';
import { reducePartialImages } from '../core/reducer';
import { detectImage } from '../core/sniff';
import {
  initialPartialImagesState,
  type PartialImageItem,
  type PartialImagesState,
} from '../core/state';
import { toolOutputImage } from '../core/toolOutput';

/**
 * The part of an AI SDK `UIMessage` that this hook reads, typed by shape (no dependency on `ai`):
 * its id and its parts. Tool parts are `tool-<key>` (or `dynamic-tool`) with a `toolCallId`, a
 * `state`, and, once `output-available`, an `output`.
 */
export interface UIMessageLike {
  readonly id: string;
  readonly parts: readonly {
    readonly type: string;
    readonly toolCallId?: string | undefined;
    readonly state?: string | undefined;
    readonly output?: unknown;
    readonly errorText?: string | undefined;
    readonly preliminary?: boolean | undefined;
  }[];
}

/** Options of {@link useUIMessageImages}. */
export interface UseUIMessageImagesOptions {
  /**
   * Is the message still streaming (`useChat`'s `status === 'streaming'`, for the last message)?
   * While it is, a part's latest output counts as a preview: the AI SDK (6.x) drops the
   * `preliminary` flag of provider-executed tools, so a preview and the final look alike. Once it
   * is not, the latest output is the final image.
   * @defaultValue false: outputs are previews only when they say `preliminary: true`
   */
  streaming?: boolean | undefined;
}

interface Seen {
  readonly payload: string;
  readonly final: boolean;
  /** An output said `preliminary: true`: one that does not is then the final. */
  readonly flagged: boolean;
}

interface Accumulated {
  readonly messageId: string;
  readonly state: PartialImagesState;
  /** Per tool call: its last output applied, as the final or not, and if one was flagged. */
  readonly seen: ReadonlyMap<string, Seen>;
}

function start(messageId: string): Accumulated {
  return { messageId, state: initialPartialImagesState, seen: new Map() };
}

const isToolPart = (type: string) => type.startsWith('tool-') || type === 'dynamic-tool';

/** The message's tool parts applied to what was seen before: a pure step. */
function accumulate(
  previous: Accumulated,
  message: UIMessageLike,
  streaming: boolean,
): Accumulated {
  const base = previous.messageId === message.id ? previous : start(message.id);
  let state = base.state;
  let seen: Map<string, Seen> | null = null;
  const now = Date.now();
  const apply = (event: PartialImageEvent) => {
    state = reducePartialImages(state, event);
  };
  if (state.status === 'idle') {
    apply({
      type: 'response.created',
      sequenceNumber: null,
      receivedAt: now,
      responseId: message.id,
      format: null,
      size: null,
    });
  }
  for (const part of message.parts) {
    const id = part.toolCallId;
    if (!isToolPart(part.type) || typeof id !== 'string') continue;
    const before = (seen ?? base.seen).get(id);
    if (part.state === 'output-error') {
      if (before && state.items.some((item) => item.id === id)) {
        apply({
          type: 'image.failed',
          sequenceNumber: null,
          receivedAt: now,
          itemId: id,
          outputIndex: null,
          error: new PartialImagesError(
            'image-failed',
            part.errorText || 'The image tool failed.',
            {
              itemId: id,
            },
          ),
        });
      }
      continue;
    }
    if (part.state !== 'output-available') continue;
    const image = toolOutputImage(part.output);
    if (image === null) continue; // a tool that is not an image tool (the weather)
    const flagged = before?.flagged === true || part.preliminary === true;
    // Final: the stream is over, or the part stopped saying `preliminary` after it said it.
    const final = part.preliminary !== true && (!streaming || flagged);
    if (before?.payload === image.b64 && before.final === final) continue;
    if (before?.payload !== image.b64) {
      apply({
        type: 'image.partial',
        sequenceNumber: null,
        receivedAt: now,
        itemId: id,
        outputIndex: null,
        partialImageIndex: null,
        b64: image.b64,
        format: image.format,
        size: null,
        // Parsed already, by the AI SDK, on this thread: its bytes are read here.
        detected: detectImage(image.b64),
      });
    }
    if (final) apply({ type: 'image.settled', sequenceNumber: null, receivedAt: now, itemId: id });
    seen ??= new Map(base.seen);
    seen.set(id, { payload: image.b64, final, flagged });
  }
  if (state === base.state && seen === null && base === previous) return previous;
  return { messageId: message.id, state, seen: seen ?? base.seen };
}

/**
 * The images of one AI SDK `UIMessage`, for `useChat` users who already hold the messages: one
 * {@link PartialImageItem} per image-generation tool part (recognised by its output, whatever
 * the tool's key in `tools`), in the order of the parts, ready for `<ProgressiveImage item>`.
 * As the part's output changes from preview to preview, frames accumulate, so the image
 * sharpens; an item keeps its identity while its part is unchanged.
 *
 * @param message - One message of `useChat().messages` (or anything of that shape).
 * @param options - `streaming`: pass `status === 'streaming'` for the last message.
 *
 * @example
 * ```tsx
 * function Message({ message, streaming }: { message: UIMessage; streaming: boolean }) {
 *   const images = useUIMessageImages(message, { streaming })
 *   return images.map((item) => <ProgressiveImage key={item.id} item={item} />)
 * }
 * ```
 */
export function useUIMessageImages(
  message: UIMessageLike | null | undefined,
  options: UseUIMessageImagesOptions = {},
): readonly PartialImageItem[] {
  const streaming = options.streaming === true;
  const [accumulated, setAccumulated] = React.useState<Accumulated>(() =>
    message ? accumulate(start(message.id), message, streaming) : start(''),
  );
  const [inputs, setInputs] = React.useState({ message, streaming });
  let current = accumulated;
  if (inputs.message !== message || inputs.streaming !== streaming) {
    // A new message object (the AI SDK replaces it on every chunk): adjust the state while
    // rendering, which React allows for state derived from props, and which costs no commit.
    current = message ? accumulate(accumulated, message, streaming) : start('');
    setInputs({ message, streaming });
    if (current !== accumulated) setAccumulated(current);
  }
  return current.state.items;
}
