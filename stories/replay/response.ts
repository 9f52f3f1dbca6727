/**
 * The `response` object of `response.*` events, with the fields and order of OpenAI's wire
 * (FIX-VERCEL), and its tool echo.
 */

import { apiSizeOf, type FrameSet } from './frames';
import { ev } from './items';

/** What {@link responseFactory} needs. */
export interface ResponseConfig {
  id: string;
  createdAt: number;
  model: string;
  quality: string;
  declaredSize: 'frames' | 'api';
  sets: readonly FrameSet[];
}

/** The response object of `response.*` events, as OpenAI sends it. */
export function responseFactory(config: ResponseConfig) {
  const sizeOf = (set: FrameSet) =>
    config.declaredSize === 'api' ? apiSizeOf(set) : `${set.width}x${set.height}`;
  const sizes = new Set(config.sets.map(sizeOf));
  const tool = {
    type: 'image_generation',
    background: 'auto',
    moderation: 'auto',
    n: 1,
    output_compression: 100,
    output_format: config.sets[0]?.format ?? 'png',
    quality: config.quality,
    size: sizes.size === 1 ? [...sizes][0] : 'auto',
  };
  const body = (status: string, extra: Record<string, unknown> = {}) => ({
    id: config.id,
    object: 'response',
    created_at: config.createdAt,
    status,
    background: false,
    error: null,
    incomplete_details: null,
    instructions: null,
    max_output_tokens: null,
    max_tool_calls: null,
    model: config.model,
    output: [],
    parallel_tool_calls: true,
    previous_response_id: null,
    prompt_cache_key: null,
    reasoning: { effort: 'medium', summary: null },
    safety_identifier: null,
    service_tier: 'auto',
    store: true,
    temperature: 1,
    text: { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: 'auto',
    tools: [tool],
    top_logprobs: 0,
    top_p: 1,
    truncation: 'disabled',
    usage: null,
    user: null,
    metadata: {},
    ...extra,
  });
  const perImage = { low: 272, medium: 1056, high: 4160 }[config.quality] ?? 1056;
  const imageTokens = config.sets.reduce(
    (sum, set) => sum + Math.round(perImage * (set.width === set.height ? 1 : 1.5)),
    0,
  );
  return {
    sizeOf,
    event: (type: string, status: string) => ev(type, { response: body(status) }),
    completed: (output: readonly Record<string, unknown>[]) =>
      ev('response.completed', {
        response: body('completed', {
          output,
          usage: {
            input_tokens: 2941,
            input_tokens_details: { cached_tokens: 1920 },
            output_tokens: 1249,
            output_tokens_details: { reasoning_tokens: 1024 },
            total_tokens: 4190,
          },
          tool_usage: {
            image_gen: {
              input_tokens: 96,
              input_tokens_details: { image_tokens: 0, text_tokens: 96 },
              output_tokens: imageTokens,
              output_tokens_details: { image_tokens: imageTokens, text_tokens: 0 },
              total_tokens: 96 + imageTokens,
            },
          },
        }),
      }),
    failed: (error: { code: string; message: string }) =>
      ev('response.failed', { response: body('failed', { error }) }),
  };
}

/** What `response.failed` and `error` events are built with. */
export type ResponseFactory = ReturnType<typeof responseFactory>;
