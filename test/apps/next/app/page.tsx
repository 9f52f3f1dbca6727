/**
 * A server component: it reduces a canned stream with `react-partial-images/core` (server code
 * imports `/core`, never the root entry) and renders `<ProgressiveImage>`, a client reference
 * from the root entry, with the item it got.
 */

import { ProgressiveImage } from 'react-partial-images';
import {
  initialPartialImagesState,
  normalizeEvent,
  type PartialImagesState,
  reducePartialImages,
} from 'react-partial-images/core';
import { CANNED_EVENTS } from './canned';
import { Generator } from './generator';

// Rendered per request, so the reduce runs in `next start`'s server runtime, not only at build.
export const dynamic = 'force-dynamic';

export default function Page() {
  let state: PartialImagesState = initialPartialImagesState;
  let reduced = 0;
  for (const raw of CANNED_EVENTS) {
    const event = normalizeEvent(raw);
    if (event === null) continue;
    state = reducePartialImages(state, event);
    reduced++;
  }
  const item = state.items[0] ?? null;
  return (
    <main>
      <h1>react-partial-images in Next.js</h1>
      <section>
        <h2>Server component</h2>
        <p data-testid="server-status">
          {`server: ${reduced} events reduced, response ${state.status}, ` +
            `${state.items.length} item (${item?.id ?? 'none'} ${item?.status ?? ''})`}
        </p>
        <ProgressiveImage data-testid="canned-image" item={item} width={96} />
      </section>
      <section>
        <h2>Client component</h2>
        <Generator />
      </section>
    </main>
  );
}
