/**
 * The wire format of `/api/v1/credits`, as zod schemas. The server validates requests with these and
 * the client validates responses with the same ones, so the two cannot drift apart. Types are inferred
 * from the schemas, never written twice.
 */
import { z } from 'zod';

/** Upper bound for any single amount: far above any real price, far below 2^53 (exact in a JS number). */
export const MAX_AMOUNT = 1_000_000_000_000;

/** Stable error codes of the credits API (besides the shared `M_*` ones). */
export const CreditsErrCode = {
  Insufficient: 'CREDITS_INSUFFICIENT',
  UnknownOperation: 'CREDITS_UNKNOWN_OPERATION',
  IdempotencyKeyRequired: 'CREDITS_IDEMPOTENCY_KEY_REQUIRED',
  IdempotencyMismatch: 'CREDITS_IDEMPOTENCY_MISMATCH',
  ReservationNotFound: 'CREDITS_RESERVATION_NOT_FOUND',
  ReservationExpired: 'CREDITS_RESERVATION_EXPIRED',
  ReservationSettled: 'CREDITS_RESERVATION_SETTLED',
  AmountExceedsHold: 'CREDITS_AMOUNT_EXCEEDS_HOLD',
  GiftCodeMalformed: 'CREDITS_GIFT_CODE_MALFORMED',
  GiftNotFound: 'CREDITS_GIFT_NOT_FOUND',
  /** Redeemed, revoked or expired already (`status`). */
  GiftSettled: 'CREDITS_GIFT_SETTLED',
  GiftNotForYou: 'CREDITS_GIFT_NOT_FOR_YOU',
  GiftOwn: 'CREDITS_GIFT_OWN',
  GiftToSelf: 'CREDITS_GIFT_TO_SELF',
  RecipientUnknown: 'CREDITS_RECIPIENT_UNKNOWN',
} as const;
export type CreditsErrCode = (typeof CreditsErrCode)[keyof typeof CreditsErrCode];

const milli = z.number().int().min(0).max(MAX_AMOUNT);

/**
 * Idempotency keys are usually Matrix event ids (`$abc:example.org`) or an HTTP `Idempotency-Key`:
 * printable ASCII, no spaces, bounded so an index entry stays small.
 */
export const idempotencyKeySchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

/** Checked against the catalogue by the server (400 CREDITS_UNKNOWN_OPERATION), not here. */
export const operationSchema = z.string().min(1).max(64);

/** Free text tying an entry to its cause (a Matrix event id, a job id); shown in the history. */
export const referenceSchema = z.string().min(1).max(512);

export const reservationStatusSchema = z.enum(['held', 'committed', 'released', 'expired']);
export type ReservationStatus = z.infer<typeof reservationStatusSchema>;

export const entryKindSchema = z.enum(['grant', 'reserve', 'commit', 'release', 'refund', 'gift']);
export type EntryKind = z.infer<typeof entryKindSchema>;

export const balanceSchema = z.object({
  /** Milli-credits owned, including what is held. */
  balance: milli,
  /** Milli-credits held by open reservations. */
  held: milli,
  /** `balance - held`: what a new reservation may take. Never negative. */
  available: milli,
});
export type Balance = z.infer<typeof balanceSchema>;

// Requests are strict: an unexpected field (say `userId` on reserve) is a client bug or an attempt to
// act for someone else, and gets a 400 rather than being silently ignored.

/** `idempotencyKey` may be omitted when the `Idempotency-Key` header carries it. */
export const reserveRequestSchema = z.strictObject({
  operation: operationSchema,
  idempotencyKey: idempotencyKeySchema.optional(),
  reference: referenceSchema.optional(),
});
export type ReserveRequest = z.infer<typeof reserveRequestSchema>;

export const reserveResponseSchema = z.object({
  reservationId: z.uuid(),
  operation: z.string(),
  /** Milli-credits held. */
  amount: milli,
  status: reservationStatusSchema,
  expiresAt: z.string(),
  /** True when the idempotency key had been seen: this is the earlier reservation, no new hold. */
  replayed: z.boolean(),
});
export type ReserveResponse = z.infer<typeof reserveResponseSchema>;

/** The final amount of metered work; at most the hold, defaults to the hold. */
export const commitRequestSchema = z.strictObject({ amount: milli.optional() });
export type CommitRequest = z.infer<typeof commitRequestSchema>;

export const releaseRequestSchema = z.strictObject({});

export const settleResponseSchema = z.object({
  reservationId: z.uuid(),
  status: reservationStatusSchema,
  /** Milli-credits that were held. */
  amount: milli,
  /** Milli-credits charged (0 for a release). */
  charged: milli,
  /** True when the reservation had already been settled this way (a retried commit or release). */
  replayed: z.boolean(),
  ...balanceSchema.shape,
});
export type SettleResponse = z.infer<typeof settleResponseSchema>;

export const consumeRequestSchema = reserveRequestSchema;
export type ConsumeRequest = ReserveRequest;

export const consumeResponseSchema = z.object({
  reservationId: z.uuid(),
  operation: z.string(),
  charged: milli,
  replayed: z.boolean(),
  ...balanceSchema.shape,
});
export type ConsumeResponse = z.infer<typeof consumeResponseSchema>;

export const grantRequestSchema = z.strictObject({
  userId: z.string().min(1).max(255),
  amount: milli.min(1),
  idempotencyKey: idempotencyKeySchema.optional(),
  /** `refund` gives back a charge, `gift` is promotional; both add to the balance like a grant. */
  kind: z.enum(['grant', 'refund', 'gift']).default('grant'),
  reference: referenceSchema.optional(),
});
export type GrantRequest = z.input<typeof grantRequestSchema>;

export const grantResponseSchema = z.object({
  entryId: z.string(),
  userId: z.string(),
  amount: milli,
  replayed: z.boolean(),
  ...balanceSchema.shape,
});
export type GrantResponse = z.infer<typeof grantResponseSchema>;

export const transactionsQuerySchema = z.strictObject({
  /** Opaque; pass back `nextCursor`. */
  cursor: z
    .string()
    .regex(/^[1-9][0-9]{0,17}$/, 'not a cursor from this API')
    .optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
/** What a client passes (the schema also accepts the query string's text forms). */
export type TransactionsQuery = { cursor?: string; limit?: number };

export const entrySchema = z.object({
  id: z.string(),
  kind: entryKindSchema,
  operation: z.string().nullable(),
  /** Signed change of the balance (negative for a commit). */
  amount: z.number().int(),
  /** Signed change of the held amount (positive on reserve, negative on commit/release). */
  heldDelta: z.number().int(),
  balanceAfter: milli,
  heldAfter: milli,
  /** Who did it: the user, or the client acting for them (`bots`). */
  actor: z.string(),
  reference: z.string().nullable(),
  reservationId: z.string().nullable(),
  idempotencyKey: z.string().nullable(),
  createdAt: z.string(),
});
export type Entry = z.infer<typeof entrySchema>;

export const transactionsResponseSchema = z.object({
  /** Newest first. */
  entries: z.array(entrySchema),
  nextCursor: z.string().nullable(),
});
export type TransactionsResponse = z.infer<typeof transactionsResponseSchema>;

export const errorBodySchema = z.looseObject({ errcode: z.string(), error: z.string() });

export const insufficientBodySchema = z.looseObject({
  errcode: z.literal(CreditsErrCode.Insufficient),
  error: z.string(),
  required: milli,
  available: milli,
});

// Gifts: credits moved out of the giver's balance into a code at once, redeemed once by someone else.

export const giftStatusSchema = z.enum(['open', 'redeemed', 'revoked', 'expired']);
export type GiftStatus = z.infer<typeof giftStatusSchema>;

export const giftRequestSchema = z.strictObject({
  /** Milli-credits (whole numbers: 1 credit = 1000), at least 1. */
  amount: milli.min(1),
  /** Only this account (a credits `sub`) may redeem it. */
  to: z.string().min(1).max(255).optional(),
  idempotencyKey: idempotencyKeySchema.optional(),
});
export type GiftRequest = z.infer<typeof giftRequestSchema>;

export const giftSchema = z.object({
  giftId: z.uuid(),
  amount: milli,
  /** The code's last group, for lists (`MANA-…-WXYZ`); the code itself is never stored. */
  hint: z.string(),
  to: z.string().nullable(),
  status: giftStatusSchema,
  createdAt: z.string(),
  expiresAt: z.string(),
  settledAt: z.string().nullable(),
  redeemedBy: z.string().nullable(),
});
export type Gift = z.infer<typeof giftSchema>;

export const giftCreatedSchema = giftSchema.extend({
  /** The code, shown once; null on a replay (a repeated key), since only its hash is stored. */
  code: z.string().nullable(),
  replayed: z.boolean(),
  ...balanceSchema.shape,
});
export type GiftCreated = z.infer<typeof giftCreatedSchema>;

export const giftsResponseSchema = z.object({ gifts: z.array(giftSchema) });
export type GiftsResponse = z.infer<typeof giftsResponseSchema>;

/** Codes are checked (and normalized) by the server: a malformed one is 400 CREDITS_GIFT_CODE_MALFORMED. */
export const redeemRequestSchema = z.strictObject({ code: z.string().min(1).max(64) });
export const revokeByCodeRequestSchema = redeemRequestSchema;

export const redeemResponseSchema = z.object({
  giftId: z.uuid(),
  amount: milli,
  giver: z.string(),
  ...balanceSchema.shape,
});
export type RedeemResponse = z.infer<typeof redeemResponseSchema>;

export const revokeResponseSchema = z.object({
  gift: giftSchema,
  ...balanceSchema.shape,
});
export type RevokeResponse = z.infer<typeof revokeResponseSchema>;

export const creditPackageSchema = z.object({
  id: z.string(),
  name: z.object({ de: z.string(), en: z.string() }),
  credits: milli,
  priceMinor: z.number().int().min(0),
  currency: z.literal('EUR'),
});
export const packagesResponseSchema = z.object({
  packages: z.array(creditPackageSchema),
  howToGet: z.object({ de: z.string(), en: z.string() }),
});
export type PackagesResponse = z.infer<typeof packagesResponseSchema>;
