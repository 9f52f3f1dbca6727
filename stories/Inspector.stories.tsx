import type { Meta, StoryObj } from '@storybook/react-vite';
import * as React from 'react';
import { type PartialImageEvent, PartialImageGallery, usePartialImages } from '../src';
import { EXAMPLE_PROMPTS, replayForPrompt } from './replay';

interface Row {
  n: number;
  at: number;
  type: string;
  seq: number | null;
  item: string;
  frame: string;
  becomes: string;
}

function describe(raw: unknown, event: PartialImageEvent | null, start: number, n: number): Row {
  const record = (raw ?? {}) as Record<string, unknown>;
  const item =
    (record.item_id as string | undefined) ??
    (record.item as { id?: string } | undefined)?.id ??
    '';
  let frame = '';
  if (event?.type === 'image.partial')
    frame = `#${event.partialImageIndex} · ${(event.b64.length / 1024).toFixed(0)} KB`;
  if (event?.type === 'image.final')
    frame = `final · ${(event.result.length / 1024).toFixed(0)} KB`;
  return {
    n,
    at: Math.round(performance.now() - start),
    type: String(record.type ?? '(no type)'),
    seq: typeof record.sequence_number === 'number' ? record.sequence_number : null,
    item,
    frame,
    becomes: event ? event.type : '—',
  };
}

/** Every raw event as it arrives (what the provider sent, and what it normalized to), beside the frames. */
function Inspector({ prompt, speed }: { prompt: string; speed: number }) {
  const [run, setRun] = React.useState(0);
  // A new run is a new component: fresh rows, fresh store.
  return (
    <InspectorRun
      key={`${prompt}|${speed}|${run}`}
      prompt={prompt}
      speed={speed}
      onReplay={() => setRun((n) => n + 1)}
    />
  );
}

function InspectorRun(props: { prompt: string; speed: number; onReplay: () => void }) {
  const { prompt, speed, onReplay } = props;
  const [rows, setRows] = React.useState<Row[]>([]);
  const start = React.useRef(performance.now());
  const count = React.useRef(0);
  const [source] = React.useState(() => {
    const { replay, scenario } = replayForPrompt(prompt);
    return (signal: AbortSignal) => replay.response({ ...scenario.transport, speed, signal });
  });
  const { store, status, error } = usePartialImages(source, {
    onEvent: (raw, event) => {
      const row = describe(raw, event, start.current, ++count.current);
      setRows((previous) => [...previous, row]);
    },
  });
  return (
    <div style={{ display: 'flex', gap: 16, fontFamily: 'system-ui', alignItems: 'flex-start' }}>
      <div style={{ flex: '0 0 320px', display: 'flex', flexDirection: 'column', gap: 8 }}>
        <PartialImageGallery store={store} />
        <span style={{ fontSize: 12 }}>
          {status}
          {error ? ` · ${error.code}: ${error.message}` : ''}
        </span>
        <button type="button" onClick={onReplay}>
          Replay
        </button>
      </div>
      <div style={{ flex: 1, maxHeight: 560, overflow: 'auto', fontSize: 12 }}>
        <table style={{ borderCollapse: 'collapse', width: '100%' }}>
          <thead>
            <tr style={{ textAlign: 'left' }}>
              <th>#</th>
              <th>ms</th>
              <th>type</th>
              <th>seq</th>
              <th>item</th>
              <th>frame</th>
              <th>normalized</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr
                key={row.n}
                style={{
                  borderTop: '1px solid rgba(128,128,128,.2)',
                  background: row.frame ? 'rgba(37,99,235,.08)' : undefined,
                }}
              >
                <td>{row.n}</td>
                <td>{row.at}</td>
                <td>
                  <code>{row.type}</code>
                </td>
                <td>{row.seq ?? ''}</td>
                <td>
                  <code>{row.item}</code>
                </td>
                <td>{row.frame}</td>
                <td>
                  <code>{row.becomes}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

const meta = {
  title: 'Inspector',
  component: Inspector,
  args: { prompt: EXAMPLE_PROMPTS[1] ?? 'Two images', speed: 2 },
  argTypes: {
    prompt: { control: 'select', options: EXAMPLE_PROMPTS },
    speed: { control: { type: 'range', min: 0.5, max: 16, step: 0.5 } },
  },
} satisfies Meta<typeof Inspector>;

export default meta;
export const Events: StoryObj<typeof meta> = {};
