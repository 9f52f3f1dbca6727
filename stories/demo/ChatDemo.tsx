/**
 * The chat demo: type a prompt, and an assistant reply streams in, text and images, through the
 * real transport. Everything the library offers is used the way an app would use it.
 */

import * as React from 'react';
import {
  PartialImageGallery,
  type PartialImageItem,
  type PartialImagesSource,
  usePartialImages,
} from '../../src';
import { EXAMPLE_PROMPTS } from '../replay';
import { chatStyles as styles } from './chatStyles';
import { chatSource, detectTransport, type Transport } from './transport';

interface Turn {
  id: number;
  prompt: string;
  source: PartialImagesSource;
  label: string | null;
  /** For a replay: says so, and why it shows what it shows. */
  note: string | null;
}

function Caption({ item }: { item: PartialImageItem }) {
  const final = item.final;
  return (
    <span style={styles.meta}>
      {item.status === 'completed' && final ? (
        <a href={final.src} download={`${item.id}.${item.outputFormat ?? 'png'}`}>
          Download
        </a>
      ) : (
        `${item.status}${item.latest ? ` · preview ${item.latest.index + 1}` : ''}`
      )}
    </span>
  );
}

function AssistantMessage({ turn, onDone }: { turn: Turn; onDone: () => void }) {
  const [text, setText] = React.useState('');
  const lastTextItem = React.useRef<unknown>(null);
  const { status, error, items, abort, store } = usePartialImages(turn.source, {
    // The store hands over every raw event: the text deltas are the app's to render.
    onEvent: (raw) => {
      const event = raw as { type?: string; delta?: unknown; item_id?: unknown };
      if (event.type === 'response.output_text.delta' && typeof event.delta === 'string') {
        // A new message item (the text after the images) starts a new paragraph.
        const gap = lastTextItem.current !== null && lastTextItem.current !== event.item_id;
        lastTextItem.current = event.item_id;
        const delta = event.delta;
        setText((previous) => (gap ? `${previous}\n\n${delta}` : previous + delta));
      }
    },
  });
  const finished = status !== 'idle' && status !== 'streaming';
  React.useEffect(() => {
    if (finished) onDone();
  }, [finished, onDone]);
  return (
    <div style={styles.assistant} data-testid="assistant-message" data-status={status}>
      {turn.note ? (
        <p style={styles.note} data-testid="replay-note">
          {turn.note}
        </p>
      ) : null}
      {text ? <p style={{ margin: 0, whiteSpace: 'pre-wrap' }}>{text}</p> : null}
      <PartialImageGallery
        store={store}
        imageProps={{ crossfade: true, style: { borderRadius: 10 } }}
        renderCaption={(item) => <Caption item={item} />}
      />
      <span style={styles.meta}>
        {turn.label ? `${turn.label} · ` : ''}
        {status}
        {items.length > 0 ? ` · ${items.length} image${items.length > 1 ? 's' : ''}` : ''}
        {error ? ` · ${error.code}: ${error.message}` : ''}
        {status === 'streaming' ? (
          <>
            {' · '}
            <button type="button" onClick={abort} style={styles.chip}>
              Stop
            </button>
          </>
        ) : null}
      </span>
    </div>
  );
}

/** Props of the chat demo. */
export interface ChatDemoProps {
  /** Playback speed of replayed streams (1 = as fast as a real model). */
  speed?: number;
  /** A prompt to send on mount. */
  initialPrompt?: string;
}

export function ChatDemo({ speed = 1, initialPrompt }: ChatDemoProps) {
  const [transport, setTransport] = React.useState<Transport | null>(null);
  const [turns, setTurns] = React.useState<Turn[]>([]);
  const [busy, setBusy] = React.useState(false);
  const [prompt, setPrompt] = React.useState('');
  const nextId = React.useRef(1);

  React.useEffect(() => {
    let live = true;
    void detectTransport().then((found) => {
      if (live) setTransport(found);
    });
    return () => {
      live = false;
    };
  }, []);

  const send = React.useCallback(
    (text: string) => {
      if (!transport || !text.trim()) return;
      const { source, scenario } = chatSource(text, transport, speed);
      const turn = {
        id: nextId.current++,
        prompt: text,
        source,
        label: scenario?.label ?? null,
        note: scenario?.note ?? null,
      };
      setTurns((previous) => [...previous, turn]);
      setBusy(true);
      setPrompt('');
    },
    [transport, speed],
  );

  const sentInitial = React.useRef(false);
  React.useEffect(() => {
    if (initialPrompt && transport && !sentInitial.current) {
      sentInitial.current = true;
      send(initialPrompt);
    }
  }, [initialPrompt, transport, send]);

  const onDone = React.useCallback(() => setBusy(false), []);

  return (
    <div style={styles.window}>
      <div style={styles.meta} data-testid="transport">
        Transport: {transport ?? 'detecting…'}
        {transport === 'in-page replay' || transport === 'server-replay'
          ? ' (no API key needed: a realistic recorded-style stream is replayed)'
          : ''}
      </div>
      {turns.map((turn) => (
        <React.Fragment key={turn.id}>
          <div style={styles.user}>{turn.prompt}</div>
          <AssistantMessage turn={turn} onDone={onDone} />
        </React.Fragment>
      ))}
      <form
        style={styles.form}
        onSubmit={(event) => {
          event.preventDefault();
          send(prompt);
        }}
      >
        <input
          aria-label="Prompt"
          style={styles.input}
          value={prompt}
          placeholder="Ask for an image, e.g. “Two images of a city skyline at night”"
          onChange={(event) => setPrompt(event.target.value)}
        />
        <button type="submit" disabled={!transport || busy || !prompt.trim()}>
          Send
        </button>
      </form>
      <div style={{ display: 'flex', flexWrap: 'wrap', gap: 6 }}>
        {EXAMPLE_PROMPTS.map((example) => (
          <button
            key={example}
            type="button"
            style={styles.chip}
            disabled={!transport || busy}
            onClick={() => send(example)}
          >
            {example}
          </button>
        ))}
      </div>
    </div>
  );
}
