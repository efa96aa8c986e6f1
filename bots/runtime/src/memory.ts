/**
 * In-process implementations of the ports, for unit tests and for trying a bot without the other
 * services. Same contracts as production (idempotent reserve, not-linked users, …).
 */
import { SYNC_AUDIENCE } from '@mana/auth-client';
import { randomUUID } from 'node:crypto';
import {
  CreditsApiError,
  CreditsErrCode,
  generateGiftCode,
  normalizeGiftCode,
  type Gift,
} from '@mana/credits';
import { InsufficientCreditsError, NotLinkedError } from './errors.ts';
import { assertTimezone } from './timezone.ts';
import type {
  AppStore,
  CreditBalance,
  Credits,
  CreditTransaction,
  Identity,
  Kv,
  RepeatableJob,
  Row,
  ScheduledJob,
  Scheduler,
  Stores,
} from './ports.ts';

/** Users in `linked` have accounts; tokens are `token|<audience>|<user>`. */
export function memoryIdentity(linked: Iterable<string>): Identity & { link(userId: string): void } {
  const users = new Set(linked);
  return {
    link: (u) => void users.add(u),
    async tokenFor(userId, audience) {
      if (!users.has(userId)) throw new NotLinkedError(userId);
      return `token|${audience}|${userId}`;
    },
  };
}

const userOf = (token: string) => token.split('|')[2] ?? '';

export interface MemoryCredits extends Credits {
  grant(userId: string, amount: number): void;
  balanceOf(userId: string): CreditBalance;
  commits: { userId: string; operation: string; amount: number; idempotencyKey: string }[];
}

export function memoryCredits(costs: Readonly<Record<string, number>>): MemoryCredits {
  const accounts = new Map<string, { balance: number; held: number }>();
  const reservations = new Map<
    string,
    {
      userId: string;
      operation: string;
      amount: number;
      key: string;
      state: 'held' | 'committed' | 'released';
    }
  >();
  const byKey = new Map<string, string>();
  const log: CreditTransaction[] = [];
  /** Gifts by canonical code (the real ledger keeps only a hash). */
  const gifts = new Map<string, MemoryGift>();
  const findGift = (code: string): MemoryGift => {
    const canonical = normalizeGiftCode(code);
    if (canonical === undefined) throw apiError(400, CreditsErrCode.GiftCodeMalformed, 'Not a gift code');
    const g = gifts.get(canonical);
    if (!g) throw apiError(404, CreditsErrCode.GiftNotFound, 'No such gift code');
    return g;
  };
  const account = (u: string) => {
    let a = accounts.get(u);
    if (!a) accounts.set(u, (a = { balance: 0, held: 0 }));
    return a;
  };
  const cost = (op: string) => {
    const c = costs[op];
    if (c === undefined) throw new Error(`unknown operation ${op}`);
    return c;
  };
  const self: MemoryCredits = {
    commits: [],
    cost,
    grant(u, amount) {
      account(u).balance += amount;
      log.push({ kind: 'grant', amount, createdAt: new Date().toISOString() });
    },
    balanceOf(u) {
      const a = account(u);
      return { balance: a.balance, held: a.held, available: a.balance - a.held };
    },
    async reserve(token, { operation, idempotencyKey }) {
      const u = userOf(token);
      const existing = byKey.get(`${u}|${idempotencyKey}`);
      if (existing) return { reservationId: existing, amount: reservations.get(existing)?.amount ?? 0 };
      const amount = cost(operation);
      const a = account(u);
      if (a.balance - a.held < amount) throw new InsufficientCreditsError(amount, a.balance - a.held);
      a.held += amount;
      const id = randomUUID();
      reservations.set(id, { userId: u, operation, amount, key: idempotencyKey, state: 'held' });
      byKey.set(`${u}|${idempotencyKey}`, id);
      return { reservationId: id, amount };
    },
    async commit(_token, id, metered) {
      const r = reservations.get(id);
      if (!r || r.state !== 'held') return;
      if (metered !== undefined && (!Number.isSafeInteger(metered) || metered < 0 || metered > r.amount))
        throw new RangeError(`commit amount ${metered} is not within the hold of ${r.amount}`);
      const charged = metered ?? r.amount;
      r.state = 'committed';
      const a = account(r.userId);
      a.held -= r.amount;
      a.balance -= charged;
      self.commits.push({
        userId: r.userId,
        operation: r.operation,
        amount: charged,
        idempotencyKey: r.key,
      });
      log.push({
        kind: 'commit',
        amount: 0 - charged, // +0 for a free operation, as the ledger shows it
        operation: r.operation,
        createdAt: new Date().toISOString(),
      });
    },
    async release(_token, id) {
      const r = reservations.get(id);
      if (!r || r.state !== 'held') return;
      r.state = 'released';
      account(r.userId).held -= r.amount;
    },
    async balance(token) {
      return self.balanceOf(userOf(token));
    },
    async transactions(_token, limit) {
      return log.slice(-limit).reverse();
    },
    async gift(token, { amount, idempotencyKey, toToken }) {
      const u = userOf(token);
      const to = toToken === undefined ? null : userOf(toToken);
      const earlier = [...gifts.values()].find((g) => g.giver === u && g.key === idempotencyKey);
      if (earlier) return { ...publicGift(earlier), code: null, replayed: true, ...self.balanceOf(u) };
      if (to === u) throw apiError(400, CreditsErrCode.GiftToSelf, 'A gift to yourself moves nothing');
      const a = account(u);
      if (a.balance - a.held < amount) throw new InsufficientCreditsError(amount, a.balance - a.held);
      a.balance -= amount;
      const code = generateGiftCode();
      const canonical = normalizeGiftCode(code) ?? code;
      const now = new Date();
      const g: MemoryGift = {
        giftId: randomUUID(),
        amount,
        hint: canonical.slice(-4),
        to,
        status: 'open',
        createdAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + 30 * 86_400_000).toISOString(),
        settledAt: null,
        redeemedBy: null,
        giver: u,
        key: idempotencyKey,
      };
      gifts.set(canonical, g);
      log.push({ kind: 'gift', amount: -amount, operation: 'gift_made', createdAt: g.createdAt });
      return { ...publicGift(g), code, replayed: false, ...self.balanceOf(u) };
    },
    async redeem(token, code) {
      const u = userOf(token);
      const g = findGift(code);
      if (g.status !== 'open')
        throw apiError(409, CreditsErrCode.GiftSettled, `The gift was ${g.status}`, { status: g.status });
      if (g.giver === u) throw apiError(409, CreditsErrCode.GiftOwn, 'You cannot redeem your own gift');
      if (g.to !== null && g.to !== u)
        throw apiError(403, CreditsErrCode.GiftNotForYou, 'Meant for someone else');
      g.status = 'redeemed';
      g.redeemedBy = u;
      g.settledAt = new Date().toISOString();
      account(u).balance += g.amount;
      log.push({ kind: 'gift', amount: g.amount, operation: 'gift_redeemed', createdAt: g.settledAt });
      return { giftId: g.giftId, amount: g.amount, giver: g.giver, ...self.balanceOf(u) };
    },
    async gifts(token) {
      const u = userOf(token);
      return [...gifts.values()]
        .filter((g) => g.giver === u)
        .reverse()
        .map(publicGift);
    },
    async revoke(token, code) {
      const u = userOf(token);
      const g = findGift(code);
      if (g.giver !== u) throw apiError(404, CreditsErrCode.GiftNotFound, 'No such gift code');
      if (g.status !== 'open')
        throw apiError(409, CreditsErrCode.GiftSettled, `The gift was ${g.status}`, { status: g.status });
      g.status = 'revoked';
      g.settledAt = new Date().toISOString();
      account(u).balance += g.amount;
      return { gift: publicGift(g), ...self.balanceOf(u) };
    },
  };
  return self;
}

type MemoryGift = Gift & { giver: string; key: string };
const publicGift = ({ giver: _g, key: _k, ...g }: MemoryGift): Gift => g;
const apiError = (status: number, errcode: string, message: string, extra: Record<string, unknown> = {}) =>
  new CreditsApiError(status, errcode, message, { errcode, error: message, ...extra });

/** Rows per (user, app); `forUser` refuses users the identity does not know. */
export function memoryStores(
  identity: Identity,
): Stores & { rows(userId: string, appId: string, table: string): Row[]; prefetched: string[] } {
  const prefetched: string[] = [];
  const data = new Map<string, Map<string, Map<string, Row>>>();
  const tables = (userId: string, appId: string) => {
    const key = `${userId}|${appId}`;
    let t = data.get(key);
    if (!t) data.set(key, (t = new Map<string, Map<string, Row>>()));
    return t;
  };
  const table = (userId: string, appId: string, name: string) => {
    const t = tables(userId, appId);
    let rows = t.get(name);
    if (!rows) t.set(name, (rows = new Map<string, Row>()));
    return rows;
  };
  return {
    rows: (u, a, t) => [...table(u, a, t).values()],
    /** `user|app` of every prefetch, in order (nothing to pull here). */
    prefetched,
    prefetch: (u, a) => void prefetched.push(`${u}|${a}`),
    async forUser(userId, appId) {
      await identity.tokenFor(userId, SYNC_AUDIENCE);
      const store: AppStore = {
        list: async (t) => [...table(userId, appId, t).values()].map((r) => ({ ...r })),
        get: async (t, id) => {
          const r = table(userId, appId, t).get(id);
          return r ? { ...r } : undefined;
        },
        upsert: async (t, id, fields) => {
          const rows = table(userId, appId, t);
          rows.set(id, { ...(rows.get(id) ?? {}), ...fields, id });
        },
        delete: async (t, id) => void table(userId, appId, t).delete(id),
        flush: async () => {},
      };
      return store;
    },
    close: async () => {},
  };
}

export function memoryKv(): Kv & { dump(): Map<string, unknown> } {
  const map = new Map<string, unknown>();
  const k = (b: string, s: string, key: string) => `${b}|${s}|${key}`;
  return {
    dump: () => map,
    async get<T>(b: string, s: string, key: string) {
      return map.get(k(b, s, key)) as T | undefined;
    },
    async set(b, s, key, v) {
      map.set(k(b, s, key), v);
    },
    async setOnce(b, s, key, v) {
      if (map.has(k(b, s, key))) return false;
      map.set(k(b, s, key), v);
      return true;
    },
    async list<T>(b: string, s: string) {
      const prefix = k(b, s, '');
      return [...map]
        .filter(([key]) => key.startsWith(prefix))
        .map(([key, value]) => ({ key: key.slice(prefix.length), value: value as T }));
    },
  };
}

export type { ScheduledJob } from './ports.ts';

export function memoryScheduler(): Scheduler & {
  jobs: Map<string, ScheduledJob>;
  repeatables: Map<string, RepeatableJob>;
} {
  const jobs = new Map<string, ScheduledJob>();
  const repeatables = new Map<string, RepeatableJob>();
  return {
    jobs,
    /** Series by key (nothing runs them here; a test calls the handler for an occurrence). */
    repeatables,
    async schedule(job) {
      if (!jobs.has(job.jobId)) jobs.set(job.jobId, job);
    },
    async cancel(jobId) {
      jobs.delete(jobId);
    },
    async move(jobId, at) {
      const job = jobs.get(jobId);
      if (!job) return false;
      jobs.set(jobId, { ...job, at });
      return true;
    },
    async repeat(job) {
      if ('pattern' in job.repeat) assertTimezone(job.repeat.tz);
      repeatables.set(job.key, job);
    },
    async removeRepeatable(key) {
      return repeatables.delete(key);
    },
  };
}
