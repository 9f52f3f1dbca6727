/**
 * What normalising one raw event gives (`Classified`), and the pieces every shape's reader
 * shares: lenient zod fields, the `invalid-event` and `provider-error` events.
 */

import * as z from 'zod/mini';
import { PartialImagesError } from './errors';
import type { EventOf, PartialImageEvent } from './events';
import { toWireShape } from './wire';

/** What one raw event is: its normalised form, and whether its shape is one we know at all. */
export interface Classified {
  readonly event: PartialImageEvent | null;
  /** `false` when nothing about the event is recognisable (no known `type`, no known body). */
  readonly known: boolean;
  /** For AI SDK tool outputs: the `preliminary` flag, when the chunk carries one. @internal */
  readonly preliminary?: boolean | null | undefined;
}

/** Nothing about the event is recognisable. @internal */
export const UNKNOWN: Classified = { event: null, known: false };
/** A known event that does not concern images or the response's life. @internal */
export const IGNORED: Classified = { event: null, known: true };

/** A recognised event (`null`: recognised, and ignored). @internal */
export function known(event: PartialImageEvent | null): Classified {
  return event === null ? IGNORED : { event, known: true };
}

/** A field that is used when it has the right type, and ignored (`null`) otherwise. */
export const loose = <T extends z.ZodMiniType>(schema: T) => z.catch(z.nullable(schema), null);
export const looseString = loose(z.string());

const ErrorBodyWire = z.object({
  code: loose(z.union([z.string(), z.number()])),
  message: looseString,
  param: looseString,
  type: looseString,
});

/** `path.to.field: message` for the first zod issue. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const first = issues[0];
  if (!first) return 'invalid shape';
  const where = first.path.length > 0 ? `\`${first.path.map(String).join('.')}\`: ` : '';
  return `${where}${first.message}`;
}

/** A non-fatal `invalid-event` error. @internal */
export function invalid(
  type: string,
  problem: string,
  seq: number | null,
): EventOf<'stream.error'> {
  return {
    type: 'stream.error',
    fatal: false,
    sequenceNumber: seq,
    receivedAt: Date.now(),
    error: new PartialImagesError('invalid-event', `Invalid \`${type}\` event: ${problem}.`, {
      sequenceNumber: seq,
    }),
  };
}

function providerError(body: unknown, seq: number | null): PartialImagesError {
  const parsed = ErrorBodyWire.safeParse(toWireShape(body));
  const error = parsed.success ? parsed.data : null;
  const code = error?.code == null ? null : String(error.code);
  return new PartialImagesError(
    'provider-error',
    error?.message || 'The provider reported an error.',
    {
      providerCode: code,
      providerType: error?.type ?? null,
      param: error?.param ?? null,
      sequenceNumber: seq,
      cause: body,
    },
  );
}

/** A provider's `error` event. @internal */
export function errorEvent(body: unknown, seq: number | null, now: number): EventOf<'error'> {
  return { type: 'error', sequenceNumber: seq, receivedAt: now, error: providerError(body, seq) };
}
