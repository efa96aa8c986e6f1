/**
 * Stage 5, the credits bracket around a command's work: reserve (idempotency key = the event id,
 * so a redelivered event never pays twice) → work → commit, or release when the work fails, times
 * out or is cancelled. The work gets an `AbortSignal`; a command past its timeout is aborted (its
 * store writes and fetches honour the signal) and its hold released, whatever it still does.
 *
 * Metered work (an LLM answer paid by its tokens) reports what it used so far on a `Meter`: the
 * commit charges that (at most the hold) instead of the hold, nothing used means release, and a
 * cancelled or failed metered work pays for what it used. Cancelled metered work gets a short grace
 * to settle on its own (it keeps what it showed, marked stopped), which then counts as its result.
 *
 * A free operation (the catalogue prices it at 0, like `calendar_event_create`) is bracketed too:
 * reserve 0 → commit 0, so the ledger's history shows the operation. But it fails open: when the
 * credits service errors, the work runs anyway (`onFreeFailed` logs and counts it), since a free
 * command must not break because credits is down.
 */
import type { Credits, Identity } from '../ports.ts';
import { CancelledError, errorMessage, NotLinkedError, TimeoutError } from '../errors.ts';

export interface BracketDeps {
  credits: Credits;
  identity: Identity;
  creditsAudience: string;
  onReleaseFailed?: (err: string) => void;
  /** The credits service failed a free operation's reserve or commit; the work ran regardless. */
  onFreeFailed?: (step: 'reserve' | 'commit', err: string) => void;
}

/** What metered work used so far, in milli-credits; undefined = not metered (the hold is charged). */
export interface Meter {
  amount?: number | undefined;
  /** Set once the bracket settled: from then on a cancelled command's writes are refused again. */
  closed?: boolean;
}

export interface BracketRequest<T> {
  sender: string;
  idempotencyKey: string;
  /** The catalogue operation; a free one (cost 0) is bracketed with 0 and fails open. */
  operation?: string | undefined;
  timeoutMs: number;
  /** Aborted from outside (a ❌ reaction, `stop`) to cancel the work. */
  controller: AbortController;
  work: (signal: AbortSignal) => Promise<T>;
  /** Set by the work (`ctx.meter`) when it is metered. */
  meter?: Meter;
  /** How long cancelled metered work may take to settle by itself. Default 5 s. */
  cancelGraceMs?: number;
}

export interface BracketResult<T> {
  value: T;
  /** Milli-credits committed (0 for a free operation). */
  charged: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** The metered amount to commit, whole milli-credits within the hold; undefined = not metered. */
function meteredAmount(meter: Meter | undefined, hold: number | undefined): number | undefined {
  const a = meter?.amount;
  if (a === undefined || hold === undefined) return undefined;
  return Math.min(hold, Math.max(0, Math.ceil(a)));
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

interface Hold {
  id: string;
  amount: number;
  token: string;
}

async function reserve(deps: BracketDeps, sender: string, operation: string, key: string): Promise<Hold> {
  const token = await deps.identity.tokenFor(sender, deps.creditsAudience);
  const reservation = await deps.credits.reserve(token, { operation, idempotencyKey: key, reference: key });
  return { id: reservation.reservationId, amount: reservation.amount, token };
}

/**
 * A free operation's credits step failed: reported, and the work goes on unbracketed. A sender
 * without an account is no outage (the work itself answers that), so it is not reported.
 */
function failOpen(deps: BracketDeps, step: 'reserve' | 'commit', err: unknown): undefined {
  if (!(err instanceof NotLinkedError)) deps.onFreeFailed?.(step, errorMessage(err));
  return undefined;
}

export async function bracket<T>(deps: BracketDeps, r: BracketRequest<T>): Promise<BracketResult<T>> {
  const { controller } = r;
  const timer =
    r.timeoutMs > 0
      ? setTimeout(() => controller.abort(new TimeoutError('command timed out')), r.timeoutMs)
      : undefined;
  let hold: Hold | undefined;
  const free = r.operation !== undefined && r.operation !== '' && deps.credits.cost(r.operation) === 0;
  try {
    if (r.operation) {
      const reserving = reserve(deps, r.sender, r.operation, r.idempotencyKey);
      hold = free ? await reserving.catch((err: unknown) => failOpen(deps, 'reserve', err)) : await reserving;
    }
    controller.signal.throwIfAborted();
    const cancelled = aborted(controller.signal);
    cancelled.catch(() => undefined); // it loses the race when the work finishes first
    const working = r.work(controller.signal);
    working.catch(() => undefined); // the race below may leave it behind
    let value: T;
    try {
      value = await Promise.race([working, cancelled]);
    } catch (err) {
      if (!controller.signal.aborted || r.meter?.amount === undefined) throw err;
      // Metered work honours the signal: what it settles with in the grace is its result.
      value = await Promise.race([
        working,
        sleep(r.cancelGraceMs ?? 5000).then(() => {
          throw err;
        }),
      ]);
    }
    const metered = meteredAmount(r.meter, hold?.amount);
    if (hold && metered === 0) {
      await deps.credits.release(hold.token, hold.id);
      return { value, charged: 0 };
    }
    if (hold && free)
      await deps.credits
        .commit(hold.token, hold.id, metered)
        .catch((err: unknown) => failOpen(deps, 'commit', err));
    else if (hold) await deps.credits.commit(hold.token, hold.id, metered);
    return { value, charged: metered ?? hold?.amount ?? 0 };
  } catch (err) {
    const metered = meteredAmount(r.meter, hold?.amount);
    if (hold && metered !== undefined && metered > 0) {
      // A cancelled or broken answer pays for the tokens it generated.
      await deps.credits
        .commit(hold.token, hold.id, metered)
        .catch((e: unknown) => deps.onReleaseFailed?.(errorMessage(e)));
    } else if (hold) {
      await deps.credits
        .release(hold.token, hold.id)
        .catch((e: unknown) => deps.onReleaseFailed?.(errorMessage(e)));
    }
    // Whatever the work still does from here on is refused (see guardStore).
    if (!controller.signal.aborted) controller.abort(new CancelledError('command failed'));
    throw err;
  } finally {
    clearTimeout(timer);
    if (r.meter) r.meter.closed = true;
  }
}
