import type * as React from 'react';

/** The demo chats' look (the Chat story and "With the AI SDK"): a window, bubbles, a form. */
export const chatStyles = {
  window: {
    fontFamily: 'system-ui, sans-serif',
    maxWidth: 760,
    margin: '0 auto',
    display: 'flex',
    flexDirection: 'column',
    gap: 16,
  },
  user: {
    alignSelf: 'flex-end',
    background: '#2563eb',
    color: 'white',
    padding: '8px 12px',
    borderRadius: 14,
    maxWidth: '80%',
  },
  assistant: {
    alignSelf: 'stretch',
    background: 'rgba(128,128,128,0.08)',
    padding: 12,
    borderRadius: 14,
    display: 'flex',
    flexDirection: 'column',
    gap: 8,
  },
  meta: { fontSize: 12, color: '#4b5563' },
  note: {
    margin: 0,
    fontSize: 13,
    color: '#1f2937',
    background: '#fef3c7',
    border: '1px solid #f59e0b',
    borderRadius: 8,
    padding: '4px 8px',
  },
  form: { display: 'flex', gap: 8 },
  input: {
    flex: 1,
    padding: '8px 10px',
    fontSize: 15,
    borderRadius: 8,
    border: '1px solid #9ca3af',
  },
  chip: {
    fontSize: 12,
    padding: '4px 8px',
    borderRadius: 999,
    border: '1px solid #d1d5db',
    background: 'white',
    cursor: 'pointer',
  },
} satisfies Record<string, React.CSSProperties>;
