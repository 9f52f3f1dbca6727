'use client';

/**
 * The client component: `usePartialImages` reads the route handler's relayed stream, and
 * `<ProgressiveImage>` shows each item's newest frame.
 */

import { useEffect, useState } from 'react';
import { type PartialImagesSource, ProgressiveImage, usePartialImages } from 'react-partial-images';

export function Generator() {
  const [source, setSource] = useState<PartialImagesSource | null>(null);
  const { status, items, error } = usePartialImages(source);
  // Set once hydrated: a click before that would do nothing.
  const [ready, setReady] = useState(false);
  useEffect(() => setReady(true), []);

  const generate = () =>
    setSource(
      () => (signal: AbortSignal) =>
        fetch('/api/image', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ prompt: 'A lighthouse at dusk, watercolor' }),
          signal,
        }),
    );

  return (
    <div data-testid="generator" data-ready={ready ? '' : undefined}>
      <button type="button" onClick={generate}>
        Generate
      </button>
      <output data-testid="status">{status}</output>
      {error && <p role="alert">{error.message}</p>}
      {items.map((item) => (
        <ProgressiveImage
          key={item.id}
          data-testid="generated-image"
          item={item}
          partialImages={2}
          width={256}
        />
      ))}
    </div>
  );
}
