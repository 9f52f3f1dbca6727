import type { Meta, StoryObj } from '@storybook/react-vite';
import * as React from 'react';
import { ProgressiveImage, usePartialImages } from '../src';
import { abortedItem, itemAt, itemStates } from './demo/itemStates';
import { createReplay, smallFrames } from './replay';

const meta = {
  title: 'ProgressiveImage',
  component: ProgressiveImage,
  parameters: { layout: 'padded' },
} satisfies Meta<typeof ProgressiveImage>;

export default meta;
type Story = StoryObj<typeof meta>;

const box: React.CSSProperties = { width: 240 };
const label: React.CSSProperties = { fontFamily: 'system-ui', fontSize: 12, color: '#6b7280' };

function Labeled({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <figure style={{ margin: 0, ...box }}>
      {children}
      <figcaption style={label}>{title}</figcaption>
    </figure>
  );
}

/** Every state an image goes through, computed by the reducer from a replayed stream. */
export const AllStates: Story = {
  render: () => <AllStatesDemo />,
};

function AllStatesDemo() {
  const states = itemStates({ scenes: ['sunset'] });
  const failed = itemStates({ scenes: ['city'], failure: 'error' }).at(-1) ?? null;
  const policy = itemStates({ scenes: ['forest'], failure: 'policy' }).at(-1) ?? null;
  const aborted = React.useMemo(() => abortedItem({ scenes: ['sunset'] }, 1), []);
  return (
    <div style={{ display: 'flex', flexWrap: 'wrap', gap: 16 }}>
      <Labeled title="waiting (pending)">
        <ProgressiveImage item={itemAt(states, 'waiting')} />
      </Labeled>
      {[0, 1, 2].map((index) => (
        <Labeled key={index} title={`partial ${index}`}>
          <ProgressiveImage item={itemAt(states, index)} />
        </Labeled>
      ))}
      <Labeled title="final">
        <ProgressiveImage item={itemAt(states, 'final')} />
      </Labeled>
      <Labeled title="failed after a preview (error event)">
        <ProgressiveImage item={failed} />
      </Labeled>
      <Labeled title="failed before any frame (content policy)">
        <ProgressiveImage item={policy} />
      </Labeled>
      <Labeled title="aborted (frames kept)">
        <ProgressiveImage item={aborted} />
      </Labeled>
    </div>
  );
}

/** Each format and API aspect ratio, final frames. */
export const SizesAndFormats: Story = {
  render: () => (
    <div style={{ display: 'flex', flexWrap: 'wrap', gap: 16, alignItems: 'flex-start' }}>
      {smallFrames.map((set) => {
        const states = itemStates({ scenes: [set.scene], format: set.format });
        return (
          <Labeled key={set.scene} title={`${set.format} · ${set.width}x${set.height}`}>
            <ProgressiveImage item={itemAt(states, 'final')} />
          </Labeled>
        );
      })}
    </div>
  ),
};

function Streaming({ crossfade, speed }: { crossfade: boolean; speed: number }) {
  const [run, setRun] = React.useState(0);
  const source = React.useMemo(() => {
    const replay = createReplay({ images: 1, scenes: ['city'], seed: run });
    return (signal: AbortSignal) => replay.response({ speed, signal });
  }, [run, speed]);
  const { items, status } = usePartialImages(source);
  return (
    <div style={{ width: 360, display: 'flex', flexDirection: 'column', gap: 8 }}>
      <ProgressiveImage item={items[0] ?? null} crossfade={crossfade} partialImages={3} />
      <span style={label}>
        {status} · crossfade{' '}
        {crossfade ? 'on (off when the system asks for reduced motion)' : 'off'}
      </span>
      <button type="button" onClick={() => setRun((n) => n + 1)}>
        Replay
      </button>
    </div>
  );
}

/** A live stream; toggle the crossfade. It honours prefers-reduced-motion. */
export const Live: StoryObj<typeof Streaming> = {
  render: (args) => <Streaming {...args} />,
  args: { crossfade: true, speed: 2 },
  argTypes: { speed: { control: { type: 'range', min: 0.5, max: 16, step: 0.5 } } },
};

/**
 * Reduced motion: with the system setting "reduce motion" (or DevTools › Rendering › Emulate CSS
 * prefers-reduced-motion), the crossfade is skipped and frames swap at once; the skeleton does
 * not pulse.
 */
export const ReducedMotion: StoryObj<typeof Streaming> = {
  render: (args) => <Streaming {...args} />,
  args: { crossfade: true, speed: 4 },
};

/** Custom placeholder and error slot. */
export const CustomSlots: Story = {
  render: () => {
    const waiting = itemAt(itemStates(), 'waiting');
    const failed = itemStates({ failure: 'policy' }).at(-1) ?? null;
    return (
      <div style={{ display: 'flex', gap: 16 }}>
        <Labeled title="placeholder prop">
          <ProgressiveImage
            item={waiting}
            placeholder={
              <div style={{ display: 'grid', placeItems: 'center', height: '100%' }}>
                🎨 Painting…
              </div>
            }
          />
        </Labeled>
        <Labeled title="errorFallback prop">
          <ProgressiveImage
            item={failed}
            errorFallback={(error) => (
              <div
                style={{ display: 'grid', placeItems: 'center', height: '100%', color: '#b91c1c' }}
              >
                {error?.code}
              </div>
            )}
          />
        </Labeled>
      </div>
    );
  },
};
