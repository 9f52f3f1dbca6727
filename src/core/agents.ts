/**
 * The OpenAI Agents SDK's streamed run (`run(agent, input, { stream: true })`): raw model events
 * wrap Responses events; a finished hosted image-generation call carries the final's bytes.
 * WIRE.md § 9 has the shape and its sources.
 */

import { type Classified, IGNORED, known } from './classified';
import { toImageFormat } from './mime';
import { parseImageSize } from './sniff';
import { asRecord } from './wire';

/** The OpenAI Agents SDK's run event types. */
export const AGENT_EVENTS = new Set([
  'raw_model_stream_event',
  'run_item_stream_event',
  'agent_updated_stream_event',
]);

/**
 * An Agents SDK run event. `classify` reads the Responses event a raw model event wraps (it is
 * `classifyEvent`, passed in so that this module does not import the one that imports it).
 * @internal
 */
export function classifyAgentEvent(
  record: Record<string, unknown>,
  now: number,
  classify: (raw: unknown) => Classified,
): Classified {
  if (record.type === 'raw_model_stream_event') {
    const data = asRecord(record.data);
    if (data?.type === 'model') return classify(data.event);
    return IGNORED;
  }
  if (record.type === 'run_item_stream_event') {
    // A hosted image_generation call, finished: its bytes are in `rawItem.output`.
    const raw = asRecord(asRecord(record.item)?.rawItem);
    if (raw === null || raw.type !== 'hosted_tool_call') return IGNORED;
    if (raw.name !== 'image_generation_call' || typeof raw.output !== 'string') return IGNORED;
    const id = typeof raw.id === 'string' ? raw.id : null;
    const data = asRecord(raw.providerData) ?? {};
    return known({
      type: 'image.final',
      sequenceNumber: null,
      receivedAt: now,
      itemId: id,
      outputIndex: null,
      result: raw.output,
      revisedPrompt: typeof data.revised_prompt === 'string' ? data.revised_prompt : null,
      format: toImageFormat(data.output_format),
      size: parseImageSize(data.size),
    });
  }
  return IGNORED;
}
