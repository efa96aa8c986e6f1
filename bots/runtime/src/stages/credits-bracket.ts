/**
 * Stage 5, the credits bracket around a command's work: reserve (idempotency key = the event id,
 * so a redelivered event never pays twice) → work → commit, or release when the work fails, times
 * out or is cancelled. The work gets an `AbortSignal`; a command past its timeout is aborted (its
 * store writes and fetches honour the signal) and its hold released, whatever it still does.
 */
import type { Credits, Identity } from '../ports.ts';
import { CancelledError, errorMessage, TimeoutError } from '../errors.ts';

export interface BracketDeps {
  credits: Credits;
  identity: Identity;
  creditsAudience: string;
  onReleaseFailed?: (err: string) => void;
}

export interface BracketRequest<T> {
  sender: string;
  idempotencyKey: string;
  /** The catalogue operation; free operations (cost 0) are not bracketed at all. */
  operation?: string | undefined;
  timeoutMs: number;
  /** Aborted from outside (a ❌ reaction, `stop`) to cancel the work. */
  controller: AbortController;
  work: (signal: AbortSignal) => Promise<T>;
}

export interface BracketResult<T> {
  value: T;
  /** Milli-credits committed (0 for a free operation). */
  charged: number;
}

/** Resolves when `signal` aborts, rejecting with its reason. */
function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    const fail = () =>
      reject(signal.reason instanceof Error ? signal.reason : new CancelledError('cancelled'));
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
}

export async function bracket<T>(deps: BracketDeps, r: BracketRequest<T>): Promise<BracketResult<T>> {
  const { controller } = r;
  const timer =
    r.timeoutMs > 0
      ? setTimeout(() => controller.abort(new TimeoutError('command timed out')), r.timeoutMs)
      : undefined;
  let hold: { id: string; amount: number; token: string } | undefined;
  try {
    if (r.operation && deps.credits.cost(r.operation) > 0) {
      const token = await deps.identity.tokenFor(r.sender, deps.creditsAudience);
      const reservation = await deps.credits.reserve(token, {
        operation: r.operation,
        idempotencyKey: r.idempotencyKey,
        reference: r.idempotencyKey,
      });
      hold = { id: reservation.reservationId, amount: reservation.amount, token };
    }
    controller.signal.throwIfAborted();
    const cancelled = aborted(controller.signal);
    cancelled.catch(() => undefined); // it loses the race when the work finishes first
    const value = await Promise.race([r.work(controller.signal), cancelled]);
    if (hold) await deps.credits.commit(hold.token, hold.id);
    return { value, charged: hold?.amount ?? 0 };
  } catch (err) {
    if (hold) {
      await deps.credits
        .release(hold.token, hold.id)
        .catch((e: unknown) => deps.onReleaseFailed?.(errorMessage(e)));
    }
    // Whatever the work still does from here on is refused (see guardStore).
    if (!controller.signal.aborted) controller.abort(new CancelledError('command failed'));
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
