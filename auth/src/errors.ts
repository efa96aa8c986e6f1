/** Auth's error codes (in `{ errcode, error }` bodies); OAuth endpoints answer with OAuth errors instead. */
export { ErrCode, HttpError } from '@mana/http';

export const AuthErrCode = {
  /** The form body is not a form (wrong content type or unparsable). */
  NotForm: 'AUTH_NOT_FORM',
  /** A required form field is missing or malformed. */
  BadForm: 'AUTH_BAD_FORM',
  /** The CSRF token is missing or does not match. */
  Csrf: 'AUTH_CSRF',
  /** The interaction (login/consent) expired or does not exist. */
  InteractionExpired: 'AUTH_INTERACTION_EXPIRED',
  LimitExceeded: 'M_LIMIT_EXCEEDED',
} as const;
