/**
 * Every problem a stream can have, as one typed error class.
 *
 * Problems in the data never throw out of the library: they are stored in state
 * (`state.error`, `item.error`) as a {@link PartialImagesError}, and every frame received
 * before the problem stays available. Only programmer misuse throws, as a `TypeError`.
 */

/**
 * What went wrong. Stable strings: match on them, not on messages.
 *
 * | code | meaning | ends the stream? |
 * |---|---|---|
 * | `invalid-event` | an event failed validation (a field missing or of the wrong type) | no |
 * | `malformed-json` | an SSE `data:` payload (no), or a whole JSON body (yes), is not valid JSON | see left |
 * | `provider-error` | the provider sent an `error` event (flat or nested shape) | yes |
 * | `response-failed` | `response.failed` arrived | yes |
 * | `response-incomplete` | `response.incomplete` arrived (`max_output_tokens`, `content_filter`) | yes |
 * | `image-failed` | the provider marked one image call as failed | that image only |
 * | `missing-final-image` | the response ended but an image never got its final bytes | that image only |
 * | `stream-truncated` | the stream ended without a terminal event (a dropped connection) | yes |
 * | `stream-error` | reading the source threw (network error, an SDK's own validation error) | yes |
 * | `aborted` | the `AbortSignal` fired, or `abort()` was called | yes |
 * | `http-error` | the `Response` had a non-2xx status | yes |
 * | `frame-too-large` | a frame's base64 is over `maxFrameBytes` | that image only |
 * | `unsupported-media-type` | an image is SVG (without `allowSvg`) or not an image type at all | that image only |
 * | `unsafe-url` | an image `result` is a URL that is neither `https:` nor an image `data:` URL | that image only |
 * | `invalid-source` | `consume` was given something that is not a stream, response or iterable | yes |
 * | `unrecognized-stream` | the stream ended and none of its events was of a known kind | yes |
 * | `too-many-images` | the response has more images than the limit (100); the rest are not shown | no |
 */
export type PartialImagesErrorCode =
  | 'invalid-event'
  | 'malformed-json'
  | 'provider-error'
  | 'response-failed'
  | 'response-incomplete'
  | 'image-failed'
  | 'missing-final-image'
  | 'stream-truncated'
  | 'stream-error'
  | 'aborted'
  | 'http-error'
  | 'frame-too-large'
  | 'unsupported-media-type'
  | 'unsafe-url'
  | 'invalid-source'
  | 'unrecognized-stream'
  | 'too-many-images';

/** Extra, optional facts attached to a {@link PartialImagesError}. */
export interface PartialImagesErrorDetails {
  /** The underlying error or payload, when there is one. */
  cause?: unknown;
  /** The provider's own error code, e.g. `insufficient_quota` or `content_filter`. */
  providerCode?: string | null | undefined;
  /** The provider's error type, e.g. `server_error`, when it sends one. */
  providerType?: string | null | undefined;
  /** The request parameter the provider blamed, when it says. */
  param?: string | null | undefined;
  /** The HTTP status, for `http-error`. */
  httpStatus?: number | undefined;
  /** The `sequence_number` of the event that caused the error, when known. */
  sequenceNumber?: number | null | undefined;
  /** The image item the error belongs to, for per-image errors. */
  itemId?: string | null | undefined;
}

/**
 * The one error type of the library. Check `code`, not the message.
 *
 * @example
 * ```ts
 * if (state.error?.code === 'provider-error') console.warn(state.error.providerCode)
 * ```
 */
export class PartialImagesError extends Error {
  /** What went wrong; see {@link PartialImagesErrorCode}. */
  readonly code: PartialImagesErrorCode;
  /** The provider's own error code (`insufficient_quota`, `content_filter`, …), if any. */
  readonly providerCode: string | null;
  /** The provider's error type (`server_error`, …), if any. */
  readonly providerType: string | null;
  /** The request parameter the provider blamed, if any. */
  readonly param: string | null;
  /** The HTTP status for `http-error`, else `null`. */
  readonly httpStatus: number | null;
  /** The `sequence_number` of the offending event, if known. */
  readonly sequenceNumber: number | null;
  /** The image item this error belongs to, for per-image errors. */
  readonly itemId: string | null;

  constructor(
    code: PartialImagesErrorCode,
    message: string,
    details: PartialImagesErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'PartialImagesError';
    this.code = code;
    this.providerCode = details.providerCode ?? null;
    this.providerType = details.providerType ?? null;
    this.param = details.param ?? null;
    this.httpStatus = details.httpStatus ?? null;
    this.sequenceNumber = details.sequenceNumber ?? null;
    this.itemId = details.itemId ?? null;
  }
}

/** Type guard: is `value` a {@link PartialImagesError} (optionally with this `code`)? */
export function isPartialImagesError(
  value: unknown,
  code?: PartialImagesErrorCode,
): value is PartialImagesError {
  return value instanceof PartialImagesError && (code === undefined || value.code === code);
}

/** Turns anything thrown into a short, safe message (no stack, no object dumps). */
export function describeThrown(thrown: unknown): string {
  if (thrown instanceof Error) return thrown.message || thrown.name;
  if (typeof thrown === 'string') return thrown;
  return 'unknown error';
}

/** A {@link PartialImagesError} as plain data, to cross a `postMessage`. @internal */
export interface SerializedError {
  code: PartialImagesErrorCode;
  message: string;
  details: Omit<PartialImagesErrorDetails, 'cause'>;
}

/** @internal */
export function serializeError(error: PartialImagesError): SerializedError {
  return {
    code: error.code,
    message: error.message,
    details: {
      providerCode: error.providerCode,
      providerType: error.providerType,
      param: error.param,
      httpStatus: error.httpStatus ?? undefined,
      sequenceNumber: error.sequenceNumber,
      itemId: error.itemId,
    },
  };
}

/** @internal */
export function deserializeError(data: SerializedError): PartialImagesError {
  return new PartialImagesError(data.code, data.message, data.details);
}
