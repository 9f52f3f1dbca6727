import type { Meta, StoryObj } from '@storybook/react-vite';
import * as React from 'react';
import { PartialImageGallery, usePartialImages } from '../src';
import { frameToBlob } from '../src/core';
import { createReplay } from './replay';

function GalleryDemo({
  images,
  parallel,
  speed,
}: {
  images: number;
  parallel: boolean;
  speed: number;
}) {
  const [run, setRun] = React.useState(0);
  const source = React.useMemo(() => {
    const replay = createReplay({ images, parallel, seed: run + images * 10 });
    return (signal: AbortSignal) => replay.response({ speed, signal });
  }, [images, parallel, speed, run]);
  const { store } = usePartialImages(source);
  return (
    <div style={{ maxWidth: 640, fontFamily: 'system-ui' }}>
      <PartialImageGallery
        store={store}
        imageProps={{ crossfade: true, style: { borderRadius: 8 } }}
        renderCaption={(item) =>
          item.final ? (
            <span style={{ fontSize: 12, display: 'flex', gap: 8 }}>
              <a href={item.final.src} download={`${item.id}.${item.outputFormat ?? 'png'}`}>
                Download
              </a>
              <button
                type="button"
                onClick={() => {
                  const blob = item.final && frameToBlob(item.final);
                  if (blob) window.open(URL.createObjectURL(blob), '_blank', 'noopener');
                }}
              >
                Open full size
              </button>
            </span>
          ) : (
            <span style={{ fontSize: 12, color: '#6b7280' }}>{item.status}</span>
          )
        }
      />
      <button type="button" style={{ marginTop: 8 }} onClick={() => setRun((n) => n + 1)}>
        Replay
      </button>
    </div>
  );
}

const meta = {
  title: 'Gallery',
  component: GalleryDemo,
  args: { images: 2, parallel: true, speed: 2 },
  argTypes: {
    images: { control: { type: 'range', min: 1, max: 4, step: 1 } },
    speed: { control: { type: 'range', min: 0.5, max: 16, step: 0.5 } },
  },
} satisfies Meta<typeof GalleryDemo>;

export default meta;
type Story = StoryObj<typeof meta>;

export const OneImage: Story = { args: { images: 1 } };
export const TwoImages: Story = { args: { images: 2 } };
export const ThreeImages: Story = { args: { images: 3 } };
export const FourImages: Story = { args: { images: 4 } };
