/**
 * The route handler: the real openai SDK (its base URL and key from `OPENAI_BASE_URL` and
 * `OPENAI_API_KEY`, which the check points at a local fake of the API), relayed to the browser
 * with `react-partial-images/server`.
 */

import OpenAI from 'openai';
import { toSSEResponse } from 'react-partial-images/server';

type Format = 'png' | 'webp' | 'jpeg';

export async function POST(request: Request) {
  const body = (await request.json()) as {
    prompt?: string;
    format?: Format;
    partialImages?: number;
  };
  // Made per request: `next build` loads this module, where no key is set.
  const openai = new OpenAI();
  return toSSEResponse(
    (signal) =>
      openai.responses.create(
        {
          model: 'gpt-5',
          input: body.prompt ?? 'A lighthouse at dusk',
          stream: true,
          tools: [
            {
              type: 'image_generation',
              partial_images: body.partialImages ?? 2,
              output_format: body.format ?? 'png',
            },
          ],
        },
        { signal },
      ),
    {
      signal: request.signal,
      filter: 'images',
      onError: (error) => console.error('image generation failed', error),
    },
  );
}
