/**
 * The chat demo's API route on the Storybook dev server, built with the library's own server
 * helpers: `POST /api/chat {prompt, speed?}` streams SSE. With `OPENAI_API_KEY` (or
 * `OPENROUTER_API_KEY`) set it relays the real provider through its SDK; otherwise it relays a
 * replay of a realistic stream made from the generated frames. `GET /api/chat` says which.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeSSEToNodeResponse } from '../src/server';
import type { FrameSet } from '../stories/replay';
import { replayForPrompt } from '../stories/replay';
import { FULL_FRAMES_PATH, loadFrames } from '../stories/replay/node';

type Provider = 'openai' | 'openrouter' | 'replay';

function provider(): Provider {
  if (process.env.OPENAI_API_KEY) return 'openai';
  if (process.env.OPENROUTER_API_KEY) return 'openrouter';
  return 'replay';
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of req) {
    text += chunk;
    if (text.length > 64 * 1024) break;
  }
  try {
    const body = JSON.parse(text) as unknown;
    return typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The image tool as the demo asks for it: 3 previews, the model's choice of size. */
const imageTool = {
  type: 'image_generation' as const,
  partial_images: 3,
  quality: 'medium' as const,
};

async function openAISource(prompt: string) {
  const { default: OpenAI } = await import('openai');
  const client = new OpenAI();
  return (signal: AbortSignal) =>
    client.responses.create(
      {
        model: process.env.OPENAI_MODEL ?? 'gpt-5',
        input: prompt,
        tools: [imageTool],
        stream: true,
      },
      { signal },
    );
}

async function openRouterSource(prompt: string) {
  const { OpenRouter } = await import('@openrouter/sdk');
  const client = new OpenRouter({ apiKey: process.env.OPENROUTER_API_KEY });
  return (signal: AbortSignal) =>
    client.responses.send(
      {
        responsesRequest: {
          model: process.env.OPENROUTER_MODEL ?? 'openai/gpt-5',
          input: prompt,
          tools: [imageTool],
          stream: true,
        },
      },
      { signal },
    );
}

let frames: readonly FrameSet[] | null = null;
let warming: Promise<void> | null = null;
/**
 * The frames the replay uses: the full-size ones when they are cached, else the committed small
 * ones at once while the full-size ones are made, once, in a process of their own at low
 * priority (about 20 s; set DEMO_FULL_FRAMES=0 to skip), which finishes even if the dev server
 * stops first. Drawing them in this process blocked the dev server for seconds at a time (the
 * first story came late, the replayed previews in bursts), and a server stopped within the
 * first half minute lost the work, so that a short first session never got them.
 *
 * @param say - Where to tell the user what happens. @defaultValue `console.log`
 */
export function warmFrames(say: (message: string) => void = console.log): Promise<void> {
  warming ??= loadFrames({ generate: false }).then((loaded) => {
    frames = loaded.sets;
    if (loaded.source !== 'small' || process.env.DEMO_FULL_FRAMES === '0') return;
    say(
      'Making the full-size demo frames (1024 px) in the background, once (about 20 s); the ' +
        'chat replays the small ones (256 px) until then. DEMO_FULL_FRAMES=0 skips this.',
    );
    loadFrames({ generate: true }).then(
      (full) => {
        frames = full.sets;
        say(`Full-size frames ready (${FULL_FRAMES_PATH}); new chat replies use them.`);
      },
      (error: unknown) => say(`Full-size frames unavailable, the small ones stay: ${error}`),
    );
  });
  return warming;
}

/** Handles `/api/chat`. */
export async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method === 'GET') {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ provider: provider() }));
    return;
  }
  if (req.method !== 'POST') {
    res.statusCode = 405;
    res.end();
    return;
  }
  const body = await readJson(req);
  const prompt = typeof body.prompt === 'string' ? body.prompt.slice(0, 2000) : '';
  const speed = typeof body.speed === 'number' && body.speed > 0 ? body.speed : 1;
  const which = provider();
  const onError = (error: unknown) => console.error('[chat api]', error);
  if (which === 'openai')
    return pipeSSEToNodeResponse(await openAISource(prompt), res, { onError });
  if (which === 'openrouter') {
    return pipeSSEToNodeResponse(await openRouterSource(prompt), res, { onError });
  }
  await warmFrames();
  const { scenario, replay } = replayForPrompt(prompt, frames ? { frames } : {});
  // The replay plays the provider: a paced SSE Response, relayed as a real one would be.
  await pipeSSEToNodeResponse(
    (signal) =>
      replay.response({
        ...scenario.transport,
        speed: speed * (scenario.transport.speed ?? 1),
        signal,
      }),
    res,
    { onError, headers: { 'x-demo-scenario': encodeURIComponent(scenario.label) } },
  );
}
