/**
 * The same app as the Vite one, in plain JavaScript (no loader, no JSX), for a webpack 5 build
 * with no configuration for the library.
 */

import { createElement as h, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { ProgressiveImage, usePartialImages } from 'react-partial-images';

function App() {
  const [source, setSource] = useState(null);
  const { status, items, error } = usePartialImages(source);
  const [ready, setReady] = useState(false);
  useEffect(() => setReady(true), []);

  const generate = () =>
    setSource(
      () => (signal) =>
        fetch('/api/image', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ prompt: 'A lighthouse at dusk, watercolor' }),
          signal,
        }),
    );

  return h(
    'main',
    { 'data-testid': 'generator', 'data-ready': ready ? '' : undefined },
    h('h1', null, 'react-partial-images in webpack 5'),
    h('button', { type: 'button', onClick: generate }, 'Generate'),
    h('output', { 'data-testid': 'status' }, status),
    error ? h('p', { role: 'alert' }, error.message) : null,
    items.map((item) =>
      h(ProgressiveImage, {
        key: item.id,
        'data-testid': 'generated-image',
        item,
        partialImages: 2,
        width: 256,
      }),
    ),
  );
}

createRoot(document.getElementById('root')).render(h(App));
