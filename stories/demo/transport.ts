/**
 * Where the demo's streams come from: the dev server's `/api/chat` route (the library's server
 * helpers relaying a replay, or the real provider when an API key is set) when there is one,
 * otherwise a replay played in the page (the static Storybook build).
 */

import type { PartialImagesSource } from '../../src';
import { replayForPrompt, type Scenario } from '../replay';

/** Defined (by .storybook/main.ts) only on the dev server, which mounts `/api/chat`. */
declare const __DEMO_CHAT_API__: boolean | undefined;

export type Transport = 'server-replay' | 'openai' | 'openrouter' | 'in-page replay';

let detected: Promise<Transport> | null = null;

/** Asks the dev server which provider it relays; the static build has no server. */
export function detectTransport(): Promise<Transport> {
  // Only the dev server has the route (it defines the flag); a static build would log a 404.
  if (typeof __DEMO_CHAT_API__ === 'undefined') return Promise.resolve('in-page replay');
  detected ??= fetch('/api/chat', { headers: { accept: 'application/json' } })
    .then(async (response) => {
      if (!response.ok) return 'in-page replay' as const;
      const body = (await response.json()) as { provider?: string };
      if (body.provider === 'openai' || body.provider === 'openrouter') return body.provider;
      return body.provider === 'replay' ? ('server-replay' as const) : ('in-page replay' as const);
    })
    .catch(() => 'in-page replay' as const);
  return detected;
}

/** The source for one chat turn, as a function of the signal: the hook owns the request. */
export function chatSource(
  prompt: string,
  transport: Transport,
  speed: number,
): { source: PartialImagesSource; scenario: Scenario | null } {
  if (transport === 'in-page replay') {
    const { scenario, replay } = replayForPrompt(prompt);
    const transportSpeed = speed * (scenario.transport.speed ?? 1);
    return {
      scenario,
      source: (signal) => replay.response({ ...scenario.transport, speed: transportSpeed, signal }),
    };
  }
  return {
    scenario: transport === 'server-replay' ? replayForPrompt(prompt).scenario : null,
    source: (signal) =>
      fetch('/api/chat', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prompt, speed }),
        signal,
      }),
  };
}
