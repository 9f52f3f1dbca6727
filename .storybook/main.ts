import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { StorybookConfig } from '@storybook/react-vite';
import type { Plugin, ViteDevServer } from 'vite';

/**
 * Storybook 10, configured by hand: `npm start` serves it on 127.0.0.1:6006 with the chat demo's
 * API route (`/api/chat`) mounted on the dev server; `npm run build-storybook` makes a static
 * build in which the stories replay the streams in the page instead.
 */

const chatApiModule = fileURLToPath(new URL('./chatApi.ts', import.meta.url));

/** The story a new user opens first. */
const FIRST_STORY = '?path=/story/chat--chat';

const say = (message: string) => console.log(`[demo] ${message}`);

/** The imports in Vite's output: `from "/x"`, `import "/x"` and `import("/x")`. */
const IMPORTS = /\b(?:from|import)\s*\(?\s*"(\/[^"]+)"/g;

/**
 * Asks the dev server for the preview the way a browser does: `iframe.html`, then every module it
 * imports, transitively, the stories included (their dynamic imports are followed too). Vite
 * transforms and caches each one, and pre-bundles any dependency it finds on the way, so that
 * the first story the user opens needs no work. @returns How many modules there are.
 */
async function warmPreview(base: string): Promise<number> {
  const seen = new Set<string>();
  const visit = async (url: string): Promise<void> => {
    if (seen.has(url)) return;
    seen.add(url);
    const response = await fetch(`${base}${url}`);
    const code = await response.text();
    const next = [...code.matchAll(IMPORTS)].map((match) => match[1] as string);
    await Promise.all(next.map(visit));
  };
  const html = await (await fetch(`${base}/iframe.html`)).text();
  const entries = [...html.matchAll(/<script[^>]*\bsrc="(\/[^"]+)"/g), ...html.matchAll(IMPORTS)];
  await Promise.all(entries.map((match) => visit(match[1] as string)));
  return seen.size;
}

/**
 * Storybook prints "ready" as soon as it listens, while Vite has yet to bundle the preview: the
 * first story would take several seconds more, with nothing saying so. This warms the preview up
 * once the server listens and says when the stories are really ready.
 */
function announceReady(server: ViteDevServer): void {
  const hmr = server.config.server.hmr;
  const http = typeof hmr === 'object' ? (hmr.server as Server | undefined) : undefined;
  if (!http) return;
  const run = () => {
    const address = http.address() as AddressInfo | null;
    if (!address) return;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const reachable = /^(0\.0\.0\.0|\[::\])$/.test(host) ? '127.0.0.1' : host;
    const base = `http://${reachable}:${address.port}`;
    say('Preparing the stories (Vite bundles them once; the browser can wait)…');
    warmPreview(base).then(
      (modules) => {
        const seconds = (performance.now() / 1000).toFixed(1);
        say(`Stories ready, ${seconds} s after start (${modules} modules): ${base}/${FIRST_STORY}`);
      },
      (error: unknown) => say(`Could not warm the stories up (they load on demand): ${error}`),
    );
  };
  if (http.listening) run();
  else http.once('listening', run);
}

/** Mounts `/api/chat`; its code (TypeScript, importing the library) is loaded through Vite. */
function chatApi(): Plugin {
  type ChatApi = typeof import('./chatApi');
  const load = (server: ViteDevServer) => server.ssrLoadModule(chatApiModule) as Promise<ChatApi>;
  return {
    name: 'react-partial-images:chat-api',
    configureServer(server) {
      // Load the route and its frames while Storybook starts.
      load(server).then(
        (api) => api.warmFrames(say),
        (error: unknown) => console.error('[chat api]', error),
      );
      announceReady(server);
      server.middlewares.use('/api/chat', (req, res) => {
        load(server)
          .then((api) => api.handle(req, res))
          .catch((error: unknown) => {
            console.error('[chat api]', error);
            if (!res.headersSent) res.statusCode = 500;
            res.end();
          });
      });
    },
  };
}

const config: StorybookConfig = {
  stories: ['../stories/**/*.stories.@(ts|tsx)'],
  framework: { name: '@storybook/react-vite', options: {} },
  core: { disableTelemetry: true, disableWhatsNewNotifications: true },
  async viteFinal(viteConfig, { configType }) {
    // The library's own vite.config.ts is merged in: drop its declaration-file step.
    const plugins = (viteConfig.plugins ?? []).filter(
      (plugin) => !(plugin && 'name' in plugin && /dts/.test(String(plugin.name))),
    );
    if (configType !== 'DEVELOPMENT') return { ...viteConfig, plugins };
    plugins.push(chatApi());
    return { ...viteConfig, plugins, define: { ...viteConfig.define, __DEMO_CHAT_API__: 'true' } };
  },
};

export default config;
