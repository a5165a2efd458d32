import type { FieldError, Problem } from './types';

/** The header the BFF requires on every state-changing request (CSRF guard). */
export const REQUESTED_BY_HEADER = 'X-Requested-By';
export const REQUESTED_BY_VALUE = 'acme-ui';

const GENERIC_MESSAGES: Record<number, string> = {
  0: 'We could not reach the server. Check your internet connection and try again.',
  400: 'Some of the information is not right. Check it and try again.',
  401: 'Please sign in to continue.',
  403: 'You do not have permission to do that.',
  404: 'We could not find what you were looking for.',
  409: 'Someone else changed this at the same time. Please try again.',
  412: 'That cannot be done right now.',
  429: 'There have been too many attempts. Please wait a moment and try again.',
};
const FALLBACK_MESSAGE = 'Something went wrong on our side. Please try again in a moment.';

/**
 * An error from the BFF, built from its problem+json body. `detail` is always a sentence that
 * can be shown to a person; the technical parts (status, reason) are for the code only.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly detail: string;
  readonly reason: string | null;
  readonly fieldErrors: FieldError[];
  /** Seconds to wait before retrying, from a Retry-After header (429). */
  readonly retryAfterSeconds: number | null;

  constructor(init: {
    status: number;
    detail?: string | null;
    reason?: string | null;
    fieldErrors?: FieldError[];
    retryAfterSeconds?: number | null;
  }) {
    const detail = init.detail?.trim() || GENERIC_MESSAGES[init.status] || FALLBACK_MESSAGE;
    super(detail);
    this.name = 'ApiError';
    this.status = init.status;
    this.detail = detail;
    this.reason = init.reason ?? null;
    this.fieldErrors = init.fieldErrors ?? [];
    this.retryAfterSeconds = init.retryAfterSeconds ?? null;
  }

  /** The message for `field`, if the server named that field. */
  fieldError(field: string): string | undefined {
    return this.fieldErrors.find((e) => e.field === field)?.message;
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

/** A message fit for a person, whatever was thrown. */
export function humanMessage(error: unknown): string {
  if (isApiError(error)) return error.detail;
  return FALLBACK_MESSAGE;
}

function parseRetryAfter(value: string | null): number | null {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return null;
  return Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

function isFieldError(value: unknown): value is FieldError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as FieldError).field === 'string' &&
    typeof (value as FieldError).message === 'string'
  );
}

async function toApiError(response: Response): Promise<ApiError> {
  let problem: Problem = {};
  const type = response.headers.get('Content-Type') ?? '';
  if (type.includes('json')) {
    try {
      const body: unknown = await response.json();
      if (typeof body === 'object' && body !== null) problem = body as Problem;
    } catch {
      // A body that is not JSON: keep the generic message for the status.
    }
  }
  // Only a 4xx detail is meant for people; a 5xx may carry technical text, so it gets ours.
  const detail =
    response.status < 500 && typeof problem.detail === 'string' ? problem.detail : null;
  return new ApiError({
    status: response.status,
    detail,
    reason: typeof problem.reason === 'string' ? problem.reason : null,
    fieldErrors: Array.isArray(problem.errors) ? problem.errors.filter(isFieldError) : [],
    retryAfterSeconds: parseRetryAfter(response.headers.get('Retry-After')),
  });
}

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface RequestOptions {
  body?: unknown;
  signal?: AbortSignal;
  /** Extra request headers, e.g. an Idempotency-Key on a create. */
  headers?: Record<string, string>;
}

/**
 * The one fetch wrapper: same-origin credentials, the CSRF header and JSON on writes,
 * problem+json turned into ApiError. Resolves to the parsed JSON (undefined for 204).
 */
export async function request<T>(
  method: HttpMethod,
  path: string,
  options: RequestOptions = {},
): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  const init: RequestInit = { method, headers, credentials: 'same-origin' };
  if (options.signal) init.signal = options.signal;
  if (method !== 'GET') {
    headers[REQUESTED_BY_HEADER] = REQUESTED_BY_VALUE;
    headers['Content-Type'] = 'application/json';
    if (options.body !== undefined) init.body = JSON.stringify(options.body);
  }

  let response: Response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError({ status: 0 });
  }

  if (!response.ok) throw await toApiError(response);
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  if (!text) return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ApiError({ status: response.status, detail: FALLBACK_MESSAGE });
  }
}

export const http = {
  get: <T>(path: string, signal?: AbortSignal) =>
    request<T>('GET', path, signal ? { signal } : {}),
  post: <T>(path: string, body?: unknown, headers?: Record<string, string>) =>
    request<T>('POST', path, headers ? { body: body ?? {}, headers } : { body: body ?? {} }),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, { body }),
  delete: <T>(path: string) => request<T>('DELETE', path),
};
