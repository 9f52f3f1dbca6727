import type { Meta, StoryObj } from '@storybook/react-vite';
import * as React from 'react';
import { type PartialImageFrame, usePartialImages } from '../src';
import { createReplay } from './replay';

/**
 * The hook alone, with custom rendering: every frame is kept (`keepHistory`) and a timeline lets
 * you scrub from the first blurry preview to the final image.
 */
function Timeline({ speed }: { speed: number }) {
  const [run, setRun] = React.useState(0);
  const source = React.useMemo(() => {
    const replay = createReplay({ images: 1, scenes: ['forest'], seed: run });
    return (signal: AbortSignal) => replay.response({ speed, signal });
  }, [speed, run]);
  const { items, status } = usePartialImages(source, { keepHistory: true });
  const item = items[0];
  const frames: readonly PartialImageFrame[] = item?.frames ?? [];
  const [picked, setPicked] = React.useState<number | null>(null);
  const index = picked === null ? frames.length - 1 : Math.min(picked, frames.length - 1);
  const frame = frames[index];
  return (
    <div
      style={{
        fontFamily: 'system-ui',
        width: 420,
        display: 'flex',
        flexDirection: 'column',
        gap: 8,
      }}
    >
      <div
        style={{
          aspectRatio: item?.size ? `${item.size.width} / ${item.size.height}` : '2 / 3',
          background: 'rgba(128,128,128,.15)',
          borderRadius: 8,
          overflow: 'hidden',
        }}
      >
        {frame ? (
          <img
            src={frame.src}
            alt={item?.revisedPrompt ?? 'Generated image'}
            style={{ width: '100%', height: '100%', objectFit: 'contain' }}
          />
        ) : null}
      </div>
      <label style={{ fontSize: 13 }}>
        Frame {frames.length ? index + 1 : 0} of {frames.length}{' '}
        {frame
          ? `(${frame.isFinal ? 'final' : `preview ${frame.index}`}, ${(frame.byteLength / 1024).toFixed(0)} KB ${frame.mimeType})`
          : ''}
        <input
          type="range"
          min={0}
          max={Math.max(0, frames.length - 1)}
          value={Math.max(0, index)}
          onChange={(event) => setPicked(Number(event.target.value))}
          style={{ width: '100%' }}
          disabled={frames.length < 2}
        />
      </label>
      <div style={{ display: 'flex', gap: 4 }}>
        {frames.map((f, i) => (
          <button
            key={f.sequenceNumber ?? i}
            type="button"
            onClick={() => setPicked(i)}
            style={{
              padding: 0,
              border: i === index ? '2px solid #2563eb' : '2px solid transparent',
              width: 64,
            }}
            aria-label={`Show ${f.isFinal ? 'the final image' : `preview ${f.index}`}`}
          >
            <img src={f.src} alt="" style={{ width: '100%', display: 'block' }} />
          </button>
        ))}
      </div>
      <span style={{ fontSize: 12, color: '#6b7280' }}>status: {status}</span>
      <button
        type="button"
        onClick={() => {
          setPicked(null);
          setRun((n) => n + 1);
        }}
      >
        Replay
      </button>
    </div>
  );
}

const meta = {
  title: 'Headless',
  component: Timeline,
  args: { speed: 2 },
  argTypes: { speed: { control: { type: 'range', min: 0.5, max: 16, step: 0.5 } } },
} satisfies Meta<typeof Timeline>;

export default meta;
export const FrameTimeline: StoryObj<typeof meta> = {};
