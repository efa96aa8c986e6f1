/**
 * The credits module's errors: one factory per condition, each an `HttpError` with a stable
 * `CREDITS_*` code, so the service's one `onError` renders `{ errcode, error, ...extra }`.
 */
import { CreditsErrCode, formatCredits } from '@mana/credits';
import { ErrCode, HttpError } from '@mana/http';

export const creditsErrors = {
  insufficient: (required: number, available: number) =>
    new HttpError(
      402,
      CreditsErrCode.Insufficient,
      `Not enough credits: ${formatCredits(required)} required, ${formatCredits(available)} available`,
      { extra: { required, available } },
    ),
  unknownOperation: (operation: string) =>
    new HttpError(400, CreditsErrCode.UnknownOperation, `Unknown credit operation: ${operation}`, {
      extra: { operation },
    }),
  idempotencyKeyRequired: () =>
    new HttpError(
      400,
      CreditsErrCode.IdempotencyKeyRequired,
      'An idempotency key is required (body "idempotencyKey" or the Idempotency-Key header)',
    ),
  idempotencyMismatch: (detail: string) =>
    new HttpError(409, CreditsErrCode.IdempotencyMismatch, `Idempotency key already used: ${detail}`),
  reservationNotFound: () =>
    new HttpError(404, CreditsErrCode.ReservationNotFound, 'No such reservation for this user'),
  reservationExpired: () =>
    new HttpError(
      409,
      CreditsErrCode.ReservationExpired,
      'The reservation expired and its hold was returned; reserve again',
      { extra: { status: 'expired' } },
    ),
  reservationSettled: (status: string, action: 'commit' | 'release') =>
    new HttpError(409, CreditsErrCode.ReservationSettled, `Cannot ${action}: the reservation is ${status}`, {
      extra: { status },
    }),
  amountExceedsHold: (amount: number, held: number) =>
    new HttpError(
      400,
      CreditsErrCode.AmountExceedsHold,
      `Commit amount ${amount} exceeds the hold of ${held} milli-credits`,
      { extra: { amount, held } },
    ),
  missingToken: () =>
    new HttpError(401, ErrCode.Unauthorized, 'Missing access token', {
      headers: { 'www-authenticate': 'Bearer' },
    }),
  badToken: (cause: unknown) =>
    new HttpError(401, ErrCode.UnknownToken, 'Invalid access token', {
      headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
      cause,
    }),
  keysUnavailable: (cause: unknown) =>
    new HttpError(503, ErrCode.Unknown, 'Cannot verify tokens right now', { cause }),
  forbidden: (message: string) => new HttpError(403, ErrCode.Forbidden, message),
  giftCodeMalformed: () =>
    new HttpError(
      400,
      CreditsErrCode.GiftCodeMalformed,
      'Not a gift code: expected MANA- and 20 letters and digits (MANA-XXXX-XXXX-XXXX-XXXX-XXXX)',
    ),
  giftNotFound: () => new HttpError(404, CreditsErrCode.GiftNotFound, 'No such gift code'),
  giftSettled: (status: 'redeemed' | 'revoked' | 'expired') =>
    new HttpError(409, CreditsErrCode.GiftSettled, `The gift was ${status} already`, { extra: { status } }),
  giftNotForYou: () =>
    new HttpError(403, CreditsErrCode.GiftNotForYou, 'This gift is meant for someone else'),
  giftOwn: () =>
    new HttpError(409, CreditsErrCode.GiftOwn, 'You cannot redeem your own gift; revoke it instead'),
  giftToSelf: () => new HttpError(400, CreditsErrCode.GiftToSelf, 'A gift to yourself moves nothing'),
  recipientUnknown: () =>
    new HttpError(404, CreditsErrCode.RecipientUnknown, 'The recipient has no Mana account'),
  rateLimited: (retryAfter: number) =>
    new HttpError(429, ErrCode.LimitExceeded, 'Too many redeem attempts; try again later', {
      headers: { 'retry-after': String(retryAfter) },
      extra: { retryAfterSec: retryAfter },
    }),
};
