import type { Preview } from '@storybook/react-vite';

const preview: Preview = {
  parameters: {
    layout: 'padded',
    controls: { expanded: true },
    options: {
      storySort: {
        order: ['Chat', 'With the AI SDK', 'ProgressiveImage', 'Gallery', 'Headless', 'Inspector'],
      },
    },
  },
};

export default preview;
