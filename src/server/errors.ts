import { errorFields, HttpStatusError } from '../core/source';

/**
 * Upstream failures as safe SSE `error` events.
 *
 * What reaches the browser is built field by field from what is known to be safe: an HTTP
 * status, the provider's error `code` / `type` / `param`, and the provider's own error message
 * (first line only, secrets masked, clipped). Never the message of an arbitrary thrown error
 * (a `TypeError` from `fetch` can quote a URL with a key in it, and a wrapped error quotes
 * anything), never a stack, never a header.
 */

/** The body of a relayed `error` event: OpenAI's nested shape. */
export interface SSEErrorBody {
  /** `server_error`, `invalid_request_error`, the provider's own type, … */
  type: string;
  /** The provider's code (`insufficient_quota`, `rate_limit_exceeded`), or the relay's own. */
  code: string | null;
  /** A message safe to show: no secrets, no stack. */
  message: string;
  /** The request parameter the provider blamed, when it said. */
  param: string | null;
  /** The provider's HTTP status, when the failure was an HTTP error. */
  status?: number;
}

/** A relayed `error` event, as written to the SSE stream. */
export interface SSEErrorEvent {
  type: 'error';
  error: SSEErrorBody;
}

const MAX_MESSAGE = 300;

// Secrets as they show up in provider and SDK messages: API keys (`sk-…`, `sk-proj-…`,
// `sk-or-v1-…`, `rk-…`, Google's `AIza…`), bearer tokens, JWTs, and `key=value` pairs.
const SECRET_PATTERNS: readonly (readonly [RegExp, string])[] = [
  [/\b(?:sk|rk|pk)-[\w\-*]*/gi, '[redacted]'],
  [/\bAIza[\w-]{10,}/g, '[redacted]'],
  [/\bBearer\s+\S+/gi, 'Bearer [redacted]'],
  [/\beyJ[\w-]{8,}\.[\w-]+\.?[\w-]*/g, '[redacted]'],
  [
    /\b(api[-_]?key|authorization|token|password|secret)(["']?\s*[:=]\s*["']?)[^\s"',;&]+/gi,
    '$1$2[redacted]',
  ],
];

/**
 * Masks anything that looks like a credential in `text`.
 * @internal
 */
export function redactSecrets(text: string): string {
  let out = text;
  for (const [pattern, replacement] of SECRET_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** The first line of `text`, secrets masked, at most {@link MAX_MESSAGE} characters. */
function safeText(text: string): string {
  const line = (text.split(/\r\n|\r|\n/, 1)[0] ?? '').trim();
  const clean = redactSecrets(line);
  return clean.length > MAX_MESSAGE ? `${clean.slice(0, MAX_MESSAGE)}…` : clean;
}

function typeForStatus(status: number): string {
  if (status === 400 || status === 404 || status === 413 || status === 422) {
    return 'invalid_request_error';
  }
  if (status === 401) return 'authentication_error';
  if (status === 402) return 'insufficient_quota';
  if (status === 403) return 'permission_error';
  if (status === 408 || status === 504 || status === 524) return 'timeout_error';
  if (status === 429) return 'rate_limit_error';
  return 'server_error';
}

function stringOrNull(value: unknown): string | null {
  if (typeof value === 'string') return safeText(value) || null;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

/** An error event from what a provider said (its HTTP status and/or its error body). */
function providerErrorEvent(status: number | null, body: unknown): SSEErrorEvent {
  const fields = errorFields(body);
  const credentials = status === 401 || status === 403 || status === 407;
  const providerMessage =
    fields && typeof fields.message === 'string' ? safeText(fields.message) : '';
  let message: string;
  if (credentials) {
    // The provider is talking about the server's API key: nothing the user can act on.
    message = 'The AI provider rejected the credentials of this server.';
  } else if (providerMessage) {
    message = providerMessage;
  } else {
    message =
      status === null
        ? 'The AI provider reported an error.'
        : `The AI provider answered with HTTP status ${status}.`;
  }
  const error: SSEErrorBody = {
    type: stringOrNull(fields?.type) ?? (status === null ? 'server_error' : typeForStatus(status)),
    code: stringOrNull(fields?.code),
    message,
    param: stringOrNull(fields?.param),
  };
  if (status !== null) error.status = status;
  return { type: 'error', error };
}

const TIMEOUT_NAMES = new Set([
  'TimeoutError',
  'APIConnectionTimeoutError',
  'RequestTimeoutError',
  'ConnectTimeoutError',
]);

/**
 * Turns whatever an upstream threw into a safe `error` event.
 *
 * Recognized, by shape (no SDK import): a non-2xx `Response` (the core's `HttpStatusError`),
 * openai's `APIError` (`status` + `error` body; also thrown for an `error` event mid-stream),
 * the OpenRouter SDK's HTTP errors (`statusCode` + `error` / `body`), and timeouts. Anything else
 * (a network failure, an SDK validation error, a bug) becomes a generic `upstream_error`.
 * @internal
 */
export function toSSEErrorEvent(thrown: unknown): SSEErrorEvent {
  if (thrown instanceof HttpStatusError) return providerErrorEvent(thrown.status, thrown.body);
  if (typeof thrown === 'object' && thrown !== null) {
    const e = thrown as {
      name?: unknown;
      status?: unknown;
      statusCode?: unknown;
      error?: unknown;
      body?: unknown;
    };
    if (typeof e.name === 'string' && TIMEOUT_NAMES.has(e.name)) {
      return {
        type: 'error',
        error: {
          type: 'timeout_error',
          code: 'upstream_timeout',
          message: 'The request to the AI provider timed out.',
          param: null,
        },
      };
    }
    // openai: APIError (HTTP errors carry `status`; stream `error` events only the `error` body).
    const hasErrorBody = typeof e.error === 'object' && e.error !== null;
    if (typeof e.status === 'number' && 'error' in e) {
      return providerErrorEvent(e.status, hasErrorBody ? e.error : null);
    }
    // @openrouter/sdk: OpenRouterError and its typed subclasses.
    if (typeof e.statusCode === 'number' && ('body' in e || hasErrorBody)) {
      return providerErrorEvent(e.statusCode, hasErrorBody ? e.error : e.body);
    }
    if (e.status === undefined && 'status' in e && hasErrorBody) {
      return providerErrorEvent(null, e.error);
    }
  }
  return {
    type: 'error',
    error: {
      type: 'server_error',
      code: 'upstream_error',
      message: 'The connection to the AI provider failed.',
      param: null,
    },
  };
}

/**
 * Masks secrets in the messages of a provider's own `error` / `response.failed` event, which is
 * otherwise relayed untouched. Returns the same object when there was nothing to mask.
 * @internal
 */
export function redactErrorEvent(event: Record<string, unknown>): Record<string, unknown> {
  const type = event.type;
  const error = event.error;
  const response = event.response as { error?: unknown } | null | undefined;
  let next = event;
  const cleanMessage = (holder: unknown): unknown => {
    if (typeof holder !== 'object' || holder === null) return holder;
    const message = (holder as { message?: unknown }).message;
    if (typeof message !== 'string') return holder;
    const clean = redactSecrets(message);
    return clean === message ? holder : { ...holder, message: clean };
  };
  if (type === 'error' || (typeof error === 'object' && error !== null)) {
    const top = cleanMessage(next) as Record<string, unknown>;
    if (top !== next) next = top;
    const inner = cleanMessage(error);
    if (inner !== error) next = { ...next, error: inner };
  }
  if (type === 'response.failed' && typeof response === 'object' && response !== null) {
    const inner = cleanMessage(response.error);
    if (inner !== response.error) next = { ...next, response: { ...response, error: inner } };
  }
  return next;
}
