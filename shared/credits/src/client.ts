import type { z } from 'zod';
import {
  balanceSchema,
  consumeResponseSchema,
  CreditsErrCode,
  errorBodySchema,
  giftCreatedSchema,
  giftsResponseSchema,
  grantResponseSchema,
  packagesResponseSchema,
  redeemResponseSchema,
  revokeResponseSchema,
  insufficientBodySchema,
  reserveResponseSchema,
  settleResponseSchema,
  transactionsResponseSchema,
  type Balance,
  type ConsumeResponse,
  type GiftCreated,
  type GiftRequest,
  type GiftsResponse,
  type GrantRequest,
  type PackagesResponse,
  type RedeemResponse,
  type RevokeResponse,
  type GrantResponse,
  type ReserveRequest,
  type ReserveResponse,
  type SettleResponse,
  type TransactionsQuery,
  type TransactionsResponse,
} from './schemas.ts';

/** Any non-2xx answer of the credits API, with its stable `errcode`. */
export class CreditsApiError extends Error {
  readonly status: number;
  readonly errcode: string;
  readonly body: unknown;
  constructor(
    status: number,
    errcode: string,
    message: string,
    body: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CreditsApiError';
    this.status = status;
    this.errcode = errcode;
    this.body = body;
  }
}

/** 402: the user cannot afford the operation. Bots tell the user `required` and `available`. */
export class CreditsInsufficientError extends CreditsApiError {
  /** Milli-credits the operation needs. */
  readonly required: number;
  /** Milli-credits the user had available. */
  readonly available: number;
  constructor(message: string, required: number, available: number, body: unknown) {
    super(402, CreditsErrCode.Insufficient, message, body);
    this.name = 'CreditsInsufficientError';
    this.required = required;
    this.available = available;
  }
}

export interface CreditsClientOptions {
  /** Where the API lives, e.g. `http://localhost:3001/api/v1/credits`. */
  baseUrl: string;
  /** An access token for audience `urn:mana:credits` (scope `credits`, or `credits:admin` for grants). */
  getToken: () => string | Promise<string>;
  fetch?: typeof fetch;
}

export interface CreditsClient {
  balance(): Promise<Balance>;
  transactions(query?: TransactionsQuery): Promise<TransactionsResponse>;
  /** Holds the operation's cost; the same `idempotencyKey` returns the same reservation. */
  reserve(request: ReserveRequest): Promise<ReserveResponse>;
  /** Charges the hold, or `amount` (≤ hold) for metered work; the rest goes back. Safe to retry. */
  commit(reservationId: string, options?: { amount?: number }): Promise<SettleResponse>;
  /** Gives the hold back (the work failed). Safe to retry. */
  release(reservationId: string): Promise<SettleResponse>;
  /** Reserve and commit in one step, for work that cannot fail half-way. */
  consume(request: ReserveRequest): Promise<ConsumeResponse>;
  /** Admin only (`credits:admin`). */
  grant(request: GrantRequest): Promise<GrantResponse>;
  /** Moves `amount` out of the balance into a new code (shown once, in `code`). */
  gift(request: GiftRequest): Promise<GiftCreated>;
  /** Gifts this user made, newest first, with their state. */
  gifts(): Promise<GiftsResponse>;
  /** Moves a gift's credits to this user, once. */
  redeem(code: string): Promise<RedeemResponse>;
  /** Returns an unredeemed gift to its giver, by id or by code. */
  revoke(target: { giftId: string } | { code: string }): Promise<RevokeResponse>;
  /** The credit packages (no token needed). */
  packages(): Promise<PackagesResponse>;
  /**
   * The bracket every costly job uses: reserve, run `work`, commit its result's amount (or the hold),
   * release if `work` throws.
   *
   * @example
   * const reply = await credits.withReservation(
   *   { operation: 'ai_chat_ollama', idempotencyKey: event.event_id },
   *   () => ollama.chat(prompt),
   * );
   */
  withReservation<T>(
    request: ReserveRequest,
    work: (reservation: ReserveResponse) => Promise<T>,
    options?: { amountOf?: (result: T) => number },
  ): Promise<T>;
}

/**
 * A typed client for `/api/v1/credits`. Non-2xx answers throw `CreditsApiError` (402 as
 * `CreditsInsufficientError`); bodies are validated with the same schemas the server uses.
 *
 * @example
 * const credits = createCreditsClient({ baseUrl: `${authUrl}/api/v1/credits`, getToken: () => tokens.tokenFor(userId) });
 * try { await credits.consume({ operation: 'tts_synthesis', idempotencyKey: event.event_id }); }
 * catch (e) { if (e instanceof CreditsInsufficientError) reply(`You need ${formatCredits(e.required)} credits`); }
 */
export function createCreditsClient(options: CreditsClientOptions): CreditsClient {
  const doFetch = options.fetch ?? fetch;
  const base = options.baseUrl.replace(/\/+$/, '');

  async function call<S extends z.ZodType>(
    method: 'GET' | 'POST',
    path: string,
    schema: S,
    body?: unknown,
  ): Promise<z.output<S>> {
    const headers: Record<string, string> = { authorization: `Bearer ${await options.getToken()}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await doFetch(`${base}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const insufficient = insufficientBodySchema.safeParse(json);
      if (res.status === 402 && insufficient.success) {
        const b = insufficient.data;
        throw new CreditsInsufficientError(b.error, b.required, b.available, json);
      }
      const err = errorBodySchema.safeParse(json);
      if (err.success) throw new CreditsApiError(res.status, err.data.errcode, err.data.error, json);
      throw new CreditsApiError(res.status, 'M_UNKNOWN', `HTTP ${res.status} from ${method} ${path}`, text);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success)
      throw new CreditsApiError(
        res.status,
        'M_BAD_RESPONSE',
        `unexpected response from ${method} ${path}`,
        json,
        {
          cause: parsed.error,
        },
      );
    return parsed.data;
  }

  const id = (reservationId: string) => encodeURIComponent(reservationId);

  const client: CreditsClient = {
    balance: () => call('GET', '/balance', balanceSchema),
    transactions(query = {}) {
      const qs = new URLSearchParams();
      if (query.cursor !== undefined) qs.set('cursor', query.cursor);
      if (query.limit !== undefined) qs.set('limit', String(query.limit));
      const suffix = qs.size > 0 ? `?${qs.toString()}` : '';
      return call('GET', `/transactions${suffix}`, transactionsResponseSchema);
    },
    reserve: (request) => call('POST', '/reserve', reserveResponseSchema, request),
    commit: (reservationId, opts = {}) =>
      call('POST', `/reservations/${id(reservationId)}/commit`, settleResponseSchema, opts),
    release: (reservationId) =>
      call('POST', `/reservations/${id(reservationId)}/release`, settleResponseSchema, {}),
    consume: (request) => call('POST', '/consume', consumeResponseSchema, request),
    grant: (request) => call('POST', '/grant', grantResponseSchema, request),
    gift: (request) => call('POST', '/gifts', giftCreatedSchema, request),
    gifts: () => call('GET', '/gifts', giftsResponseSchema),
    redeem: (code) => call('POST', '/gifts/redeem', redeemResponseSchema, { code }),
    revoke: (target) =>
      'giftId' in target
        ? call('POST', `/gifts/${id(target.giftId)}/revoke`, revokeResponseSchema, {})
        : call('POST', '/gifts/revoke', revokeResponseSchema, { code: target.code }),
    packages: () => call('GET', '/packages', packagesResponseSchema),
    async withReservation(request, work, opts = {}) {
      const reservation = await client.reserve(request);
      let result: Awaited<ReturnType<typeof work>>;
      try {
        result = await work(reservation);
      } catch (err) {
        // A failed release only leaves the hold until the TTL sweeper returns it; the work's own
        // error is what the caller needs to see.
        await client.release(reservation.reservationId).catch(() => undefined);
        throw err;
      }
      const amount = opts.amountOf?.(result);
      await client.commit(reservation.reservationId, amount === undefined ? {} : { amount });
      return result;
    },
  };
  return client;
}
