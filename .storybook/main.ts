import { fileURLToPath } from 'node:url';
import type { StorybookConfig } from '@storybook/react-vite';
import type { Plugin, ViteDevServer } from 'vite';

/**
 * Storybook 10, configured by hand: `npm start` serves it on 127.0.0.1:6006 with the chat demo's
 * API route (`/api/chat`) mounted on the dev server; `npm run build-storybook` makes a static
 * build in which the stories replay the streams in the page instead.
 */

const chatApiModule = fileURLToPath(new URL('./chatApi.ts', import.meta.url));

/** Mounts `/api/chat`; its code (TypeScript, importing the library) is loaded through Vite. */
function chatApi(): Plugin {
  type ChatApi = typeof import('./chatApi');
  const load = (server: ViteDevServer) => server.ssrLoadModule(chatApiModule) as Promise<ChatApi>;
  return {
    name: 'react-partial-images:chat-api',
    configureServer(server) {
      // Warm the demo frames up while Storybook starts.
      load(server).then(
        (api) => api.warmFrames(),
        (error: unknown) => console.error('[chat api]', error),
      );
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
