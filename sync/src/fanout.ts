/**
 * Fan-out of "stream advanced" notices between sync instances over Redis pub/sub. Each instance
 * pokes its own sockets: local notices are delivered at once, the rest arrive from Redis.
 */
import type { Logger } from '@mana/logging';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';

export interface Poke {
  userId: string;
  appId: string;
  version: number;
  /**
   * The rows that took the stream from `from` to `version`, already serialized as a JSON array of
   * `ServerRow`s (small pushes only): sent as they are, so they are encoded once per push.
   */
  rows?: { from: number; json: string };
}

export interface Fanout {
  /** Tells every instance (this one first) that a stream advanced. Never throws. */
  publish(poke: Poke): void;
  onPoke(listener: (poke: Poke) => void): void;
  ping(): Promise<unknown>;
  close(): Promise<void>;
}

const messageSchema = z.object({
  i: z.string(),
  u: z.string(),
  a: z.string(),
  v: z.number(),
  f: z.number().optional(),
  r: z.string().optional(),
});

export async function createFanout({
  redisUrl,
  prefix,
  logger,
}: {
  redisUrl: string;
  prefix: string;
  logger: Logger;
}): Promise<Fanout> {
  const channel = `${prefix}sync:poke`;
  const instance = randomUUID();
  const pub = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  const sub = new Redis(redisUrl, { lazyConnect: true });
  await Promise.all([pub.connect(), sub.connect()]);
  await sub.subscribe(channel);
  const listeners: ((poke: Poke) => void)[] = [];
  const deliver = (poke: Poke) => {
    for (const l of listeners) l(poke);
  };
  // Every message starts with the sender's id (see `publish`): this instance's own come back from
  // Redis too and were delivered already, so they are dropped before they are parsed.
  const own = `{"i":${JSON.stringify(instance)},`;
  sub.on('message', (ch: string, raw: string) => {
    if (ch !== channel || raw.startsWith(own)) return;
    let parsed;
    try {
      parsed = messageSchema.safeParse(JSON.parse(raw));
    } catch {
      parsed = undefined;
    }
    if (!parsed?.success) {
      logger.warn({ channel }, 'ignoring malformed poke');
      return;
    }
    const m = parsed.data;
    if (m.i === instance) return;
    const rows = m.f !== undefined && m.r !== undefined ? { from: m.f, json: m.r } : undefined;
    deliver({ userId: m.u, appId: m.a, version: m.v, ...(rows && { rows }) });
  });
  for (const c of [pub, sub]) c.on('error', (err: unknown) => logger.warn({ err }, 'redis error'));
  return {
    publish(poke) {
      deliver(poke);
      const msg = JSON.stringify({
        i: instance,
        u: poke.userId,
        a: poke.appId,
        v: poke.version,
        ...(poke.rows && { f: poke.rows.from, r: poke.rows.json }),
      });
      // A lost notice only delays other instances' clients until their next interval pull.
      pub.publish(channel, msg).catch((err: unknown) => logger.warn({ err }, 'poke publish failed'));
    },
    onPoke: (l) => void listeners.push(l),
    ping: () => pub.ping(),
    async close() {
      await Promise.allSettled([sub.quit(), pub.quit()]);
    },
  };
}
