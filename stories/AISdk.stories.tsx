import { useChat } from '@ai-sdk/react';
import type { Meta, StoryObj } from '@storybook/react-vite';
import { DefaultChatTransport, type UIMessage } from 'ai';
import * as React from 'react';
import { type PartialImageItem, ProgressiveImage, useUIMessageImages } from '../src';
import { chatStyles } from './demo/chatStyles';
import {
  apiSizeOf,
  pickFrames,
  play,
  scenarioFromPrompt,
  scheduleChunks,
  smallFrames,
  toReadableStream,
  UI_MESSAGE_STREAM_HEADERS,
  uiMessageChunks,
  uiMessageSegments,
} from './replay';

/**
 * What the replayed route attaches to each reply (`messageMetadata` of
 * `toUIMessageStreamResponse`): that it is a replay, and the size it asked the image tool for,
 * which a real route knows from its tool options too. The size reserves the image's box before
 * the first preview, so nothing moves when it arrives.
 */
interface ReplyMetadata {
  replay: string;
  size: string;
}

type ChatMessage = UIMessage<ReplyMetadata>;

/** The text of the last user message in a `DefaultChatTransport` request body. */
function lastUserText(body: RequestInit['body']): string {
  if (typeof body !== 'string') return '';
  const request = JSON.parse(body) as {
    messages?: { role?: string; parts?: { type?: string; text?: string }[] }[];
  };
  const user = request.messages?.findLast((message) => message.role === 'user');
  return (user?.parts ?? [])
    .map((part) => (part.type === 'text' ? (part.text ?? '') : ''))
    .join(' ');
}

/**
 * A `fetch` for `DefaultChatTransport` that answers `/api/chat` in the page, as a route handler
 * returning `streamText(…).toUIMessageStreamResponse()` would: a UI message stream built from
 * the demo's real frames (the scene the prompt names), paced like a model. No network, no key.
 * Aborting the request (`stop()`, unmount) clears the pending timer at once.
 */
function replayFetch(speed: number): typeof fetch {
  let replies = 0;
  return async (_input, init) => {
    const scenario = scenarioFromPrompt(lastUserText(init?.body));
    const [frames] = pickFrames(smallFrames, 1, { scenes: scenario.replay.scenes?.slice(0, 1) });
    if (!frames) throw new Error('no frames to replay');
    const why =
      scenario.match === 'fallback'
        ? `no pre-made scene fits your prompt, so here is the "${frames.scene}" one`
        : `the pre-made "${frames.scene}" frames, closest to your prompt`;
    const chunks = uiMessageChunks({
      frames,
      seed: ++replies,
      messageMetadata: {
        replay: `Replay, not a real model: an AI SDK stream played in the page (no network, no API key), with ${why}.`,
        size: apiSizeOf(frames),
      } satisfies ReplyMetadata,
    });
    const schedule = scheduleChunks(uiMessageSegments(chunks));
    const signal = init?.signal ?? undefined;
    const body = toReadableStream((stop) => play(schedule, { speed, signal: stop }), signal);
    return new Response(body, { status: 200, headers: UI_MESSAGE_STREAM_HEADERS });
  };
}

const styles = {
  ...chatStyles,
  window: { ...chatStyles.window, maxWidth: 640 },
  image: { width: 'min(100%, 384px)', borderRadius: 10, background: 'rgba(128,128,128,0.15)' },
} satisfies Record<string, React.CSSProperties>;

/**
 * One assistant message, rendered part by part as AI SDK apps do: text parts as text, the image
 * tool's part as a `<ProgressiveImage>` of the item `useUIMessageImages` made for it (the item's
 * id is the part's `toolCallId`). Until its first preview, the box shows a skeleton.
 */
function AssistantMessage({ message, streaming }: { message: ChatMessage; streaming: boolean }) {
  const images = useUIMessageImages(message, { streaming });
  const byId = new Map<string, PartialImageItem>(images.map((item) => [item.id, item]));
  const aspectRatio = (message.metadata?.size ?? '1024x1024').replace('x', ' / ');
  return (
    <div style={styles.assistant} data-testid="assistant-message" data-streaming={streaming}>
      {message.metadata?.replay ? (
        <p style={styles.note} data-testid="replay-note">
          {message.metadata.replay}
        </p>
      ) : null}
      {message.parts.map((part, index) => {
        if (part.type === 'text') {
          return (
            // Text parts have no id of their own; a message's parts are only ever appended.
            // biome-ignore lint/suspicious/noArrayIndexKey: so the index names a part for good
            <p key={index} style={{ margin: 0 }}>
              {part.text}
            </p>
          );
        }
        if (part.type !== 'tool-image_generation') return null;
        if (part.state === 'output-error') {
          return (
            <p key={part.toolCallId} role="alert" style={{ margin: 0 }}>
              The image failed: {part.errorText}
            </p>
          );
        }
        const item = byId.get(part.toolCallId);
        return (
          <ProgressiveImage
            key={part.toolCallId}
            item={item}
            aspectRatio={aspectRatio}
            crossfade
            style={styles.image}
          />
        );
      })}
      <span style={styles.meta}>
        {streaming ? 'streaming…' : 'done'}
        {images.map((item) => ` · ${item.status}`).join('')}
      </span>
    </div>
  );
}

/** Props of the AI SDK chat. */
interface AISdkChatProps {
  /** Playback speed of the replayed stream (1 = as fast as a real model, give or take). */
  speed?: number;
  /** The example prompt: sent on mount with `autoSend`, else already in the input. */
  prompt?: string;
  /** Send `prompt` once on mount, so the image sharpens at once. */
  autoSend?: boolean;
}

function AISdkChat({ speed = 1, prompt = '', autoSend = false }: AISdkChatProps) {
  const transport = React.useMemo(
    () => new DefaultChatTransport<ChatMessage>({ api: '/api/chat', fetch: replayFetch(speed) }),
    [speed],
  );
  const { messages, sendMessage, status, error } = useChat<ChatMessage>({ transport });
  const [input, setInput] = React.useState(autoSend ? '' : prompt);
  const sent = React.useRef(false);
  React.useEffect(() => {
    // Once, even when StrictMode runs effects twice (the ref survives that).
    if (!autoSend || sent.current || !prompt.trim()) return;
    sent.current = true;
    void sendMessage({ text: prompt });
  }, [autoSend, prompt, sendMessage]);
  const busy = status === 'submitted' || status === 'streaming';
  return (
    <div style={styles.window}>
      <div style={styles.meta}>
        <code>useChat</code> with <code>DefaultChatTransport</code>, whose <code>fetch</code>{' '}
        replays <code>/api/chat</code> in the page: no network, no API key.
      </div>
      {messages.map((message, index) =>
        message.role === 'user' ? (
          <div key={message.id} style={styles.user}>
            {message.parts.map((part) => (part.type === 'text' ? part.text : '')).join('')}
          </div>
        ) : (
          <AssistantMessage
            key={message.id}
            message={message}
            streaming={status === 'streaming' && index === messages.length - 1}
          />
        ),
      )}
      {status === 'submitted' ? <span style={styles.meta}>Thinking…</span> : null}
      {error ? (
        <p role="alert" style={{ ...styles.note, background: '#fee2e2', borderColor: '#ef4444' }}>
          {error.message}
        </p>
      ) : null}
      <form
        style={styles.form}
        onSubmit={(event) => {
          event.preventDefault();
          if (!input.trim() || busy) return;
          void sendMessage({ text: input });
          setInput('');
        }}
      >
        <input
          aria-label="Prompt"
          style={styles.input}
          value={input}
          placeholder="Ask for an image, e.g. “A misty forest”"
          onChange={(event) => setInput(event.target.value)}
        />
        <button type="submit" disabled={busy || !input.trim()}>
          Send
        </button>
      </form>
    </div>
  );
}

/**
 * `useUIMessageImages` in a chat written the way an AI SDK app writes it: `useChat` from
 * `@ai-sdk/react` with `new DefaultChatTransport({ api: '/api/chat', fetch })`, each assistant
 * message's image tool part rendered as a `<ProgressiveImage>`. The transport's `fetch` replays
 * what `streamText({ tools: { image_generation: openai.tools.imageGeneration({ partialImages: 3 }) } })
 * .toUIMessageStreamResponse()` sends: three previews and the final image, each a
 * `tool-output-available` chunk, then the text. Scene words in the prompt ("sunset", "city",
 * "forest" and their synonyms) choose the frames.
 */
const meta = {
  title: 'With the AI SDK',
  component: AISdkChat,
  args: { speed: 1, prompt: 'A city skyline at night', autoSend: true },
  argTypes: {
    speed: { control: { type: 'range', min: 0.25, max: 8, step: 0.25 } },
    prompt: { control: 'text' },
    autoSend: { control: 'boolean' },
  },
} satisfies Meta<typeof AISdkChat>;

export default meta;
type Story = StoryObj<typeof meta>;

/** Sends the example prompt on mount: the image sharpens preview by preview, then the text. */
export const UseChat: Story = { name: 'useChat' };
