import type { Meta, StoryObj } from '@storybook/react-vite';
import { ChatDemo } from './demo/ChatDemo';

/**
 * Type a prompt: an assistant reply streams text and images through the real transport. On the
 * dev server (`npm start`) that is the `/api/chat` route, built with `react-partial-images/server`,
 * relaying a replay (or OpenAI / OpenRouter when `OPENAI_API_KEY` / `OPENROUTER_API_KEY` is set);
 * in a static build the replay runs in the page. Words in the prompt pick the scenario: "two",
 * "three", "four" images; "slow"; "error"; "policy"; "drops"; "OpenRouter"; "Azure"; and the
 * pre-made scene (sunset, dusk, mountains…; city, skyline, night…; forest, trees, fog…). Each
 * replayed reply says that it is a replay, and when no scene fits the prompt.
 */
const meta = {
  title: 'Chat',
  component: ChatDemo,
  parameters: { layout: 'padded' },
  args: { speed: 1 },
  argTypes: {
    speed: { control: { type: 'range', min: 0.25, max: 16, step: 0.25 } },
    initialPrompt: { control: 'text' },
  },
} satisfies Meta<typeof ChatDemo>;

export default meta;
type Story = StoryObj<typeof meta>;

/** The chat window. */
export const Chat: Story = {};

/** Sends a prompt asking for two images on mount. */
export const TwoImages: Story = {
  args: { initialPrompt: 'Two images of a city skyline at night' },
};
