import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * The one error shape every service answers with: `{ errcode, error, ...extra }` (the Matrix shape).
 * `errcode` is stable and machine-readable; `error` is for humans and may change.
 */
export class HttpError extends Error {
  readonly status: ContentfulStatusCode;
  readonly errcode: string;
  readonly extra: Record<string, unknown>;
  readonly headers: Record<string, string>;
  constructor(
    status: ContentfulStatusCode,
    errcode: string,
    message: string,
    options: { extra?: Record<string, unknown>; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'HttpError';
    this.status = status;
    this.errcode = errcode;
    this.extra = options.extra ?? {};
    this.headers = options.headers ?? {};
  }

  toJSON(): Record<string, unknown> {
    return { errcode: this.errcode, error: this.message, ...this.extra };
  }
}

/** Codes shared by every service; each service adds its own (`SYNC_…`, `CREDITS_…`). */
export const ErrCode = {
  NotJson: 'M_NOT_JSON',
  BadJson: 'M_BAD_JSON',
  InvalidParam: 'M_INVALID_PARAM',
  NotFound: 'M_NOT_FOUND',
  Unrecognized: 'M_UNRECOGNIZED',
  Unauthorized: 'M_MISSING_TOKEN',
  UnknownToken: 'M_UNKNOWN_TOKEN',
  Forbidden: 'M_FORBIDDEN',
  TooLarge: 'M_TOO_LARGE',
  LimitExceeded: 'M_LIMIT_EXCEEDED',
  Unknown: 'M_UNKNOWN',
} as const;
