import type { Meta, StoryObj } from '@storybook/react-vite';
import * as React from 'react';
import { type PartialImageEvent, PartialImageGallery, usePartialImages } from '../src';
import { eventJson, shortId } from './demo/inspect';
import { EXAMPLE_PROMPTS, replayForPrompt } from './replay';

interface Row {
  n: number;
  at: number;
  type: string;
  seq: number | null;
  item: string;
  frame: string;
  becomes: string;
  /** The raw event as indented JSON, base64 cut short: what the disclosure shows. */
  json: string;
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
    json: eventJson(raw),
  };
}

/** `response.output_item.added` with a break opportunity after each dot, for narrow columns. */
function Dotted({ text }: { text: string }) {
  const parts = text.split('.');
  return (
    <code>
      {parts.map((part, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one fixed string
        <React.Fragment key={i}>
          {part}
          {i < parts.length - 1 ? (
            <>
              .<wbr />
            </>
          ) : null}
        </React.Fragment>
      ))}
    </code>
  );
}

const visuallyHidden: React.CSSProperties = {
  position: 'absolute',
  width: 1,
  height: 1,
  overflow: 'hidden',
  clip: 'rect(0 0 0 0)',
  whiteSpace: 'nowrap',
};

const cell: React.CSSProperties = {
  padding: '3px 6px',
  verticalAlign: 'top',
  overflowWrap: 'anywhere',
};

/** The header stays in view while the events scroll under it. */
const head: React.CSSProperties = {
  ...cell,
  whiteSpace: 'nowrap',
  position: 'sticky',
  top: 0,
  background: '#fff',
};

/** Fixed column widths: the type column takes what is left, so the table never runs off. */
const COLUMNS: readonly [string, string | undefined][] = [
  ['', '2.2em'],
  ['#', '2.6em'],
  ['ms', '4em'],
  ['type', undefined],
  ['seq', '3.2em'],
  ['item', '11em'],
  ['frame', '7.5em'],
  ['normalized', '8em'],
];

function EventRow({ row }: { row: Row }) {
  const [open, setOpen] = React.useState(false);
  const detailsId = `event-${row.n}-json`;
  return (
    <>
      <tr
        style={{
          borderTop: '1px solid rgba(128,128,128,.25)',
          background: row.frame ? 'rgba(37,99,235,.08)' : undefined,
        }}
      >
        <td style={cell}>
          <button
            type="button"
            aria-expanded={open}
            aria-controls={detailsId}
            aria-label={`Event ${row.n} as JSON`}
            onClick={() => setOpen((value) => !value)}
            style={{ padding: '0 4px', font: 'inherit', lineHeight: 1.3 }}
          >
            {open ? '▾' : '▸'}
          </button>
        </td>
        <td style={cell}>{row.n}</td>
        <td style={cell}>{row.at}</td>
        <td style={cell}>
          <Dotted text={row.type} />
        </td>
        <td style={cell}>{row.seq ?? ''}</td>
        <td style={{ ...cell, whiteSpace: 'nowrap' }} title={row.item || undefined}>
          <code>{shortId(row.item)}</code>
        </td>
        <td style={cell}>{row.frame}</td>
        <td style={cell}>
          <Dotted text={row.becomes} />
        </td>
      </tr>
      {open ? (
        <tr id={detailsId}>
          <td colSpan={COLUMNS.length} style={{ ...cell, paddingLeft: '2.2em' }}>
            <pre
              style={{
                margin: 0,
                padding: 8,
                whiteSpace: 'pre-wrap',
                overflowWrap: 'anywhere',
                background: 'rgba(128,128,128,.1)',
                borderRadius: 6,
              }}
            >
              {row.json}
            </pre>
          </td>
        </tr>
      ) : null}
    </>
  );
}

/**
 * Every raw event as it arrives (what the provider sent, and what it normalized to), beside the
 * frames. Each row opens to the event's JSON, its base64 cut short.
 */
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
    <div
      style={{
        display: 'flex',
        flexWrap: 'wrap',
        gap: 16,
        fontFamily: 'system-ui',
        alignItems: 'flex-start',
      }}
    >
      <div style={{ flex: '0 1 320px', display: 'flex', flexDirection: 'column', gap: 8 }}>
        <PartialImageGallery store={store} />
        <span style={{ fontSize: 12 }}>
          {status}
          {error ? ` · ${error.code}: ${error.message}` : ''}
        </span>
        <button type="button" onClick={onReplay}>
          Replay
        </button>
      </div>
      {/* A region that scrolls must be focusable, so that the keyboard can scroll it. */}
      <section
        aria-label="Raw events"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: see above
        tabIndex={0}
        style={{ flex: '1 1 420px', minWidth: 0, maxHeight: 560, overflow: 'auto', fontSize: 12 }}
      >
        <table style={{ borderCollapse: 'collapse', width: '100%', tableLayout: 'fixed' }}>
          <colgroup>
            {COLUMNS.map(([name, width]) => (
              <col key={name || 'open'} style={width ? { width } : undefined} />
            ))}
          </colgroup>
          <thead>
            <tr style={{ textAlign: 'left' }}>
              {COLUMNS.map(([name]) => (
                <th key={name || 'open'} scope="col" style={head}>
                  {name || <span style={visuallyHidden}>JSON</span>}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <EventRow key={row.n} row={row} />
            ))}
          </tbody>
        </table>
      </section>
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
