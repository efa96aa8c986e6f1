/**
 * The runtime against a REAL Synapse (appservice registration rendered by @mana/synapse-config),
 * Postgres and Redis: a user DMs @todo, the bot joins and answers with an m.notice in reply; a
 * transaction delivered twice is processed once; a restart loses nothing and repeats nothing.
 * Sync and credits are in-process ports here (tests/e2e wires the real services).
 */
import { createLogger } from '@mana/logging';
import {
  createTestDatabase,
  createTestRedis,
  startSynapse,
  until,
  type SynapseHandle,
  type TestDatabase,
  type TestRedis,
} from '@mana/testing';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineBot } from './bot.ts';
import { loadBotConfig, type BotConfig } from './config.ts';
import { memoryCredits, memoryIdentity, memoryStores } from './memory.ts';
import { userIdRegexFor } from './namespace.ts';
import { startRunner, type Runner } from './runner.ts';
import { freePort } from '@mana/testing';

const echoBot = defineBot({
  id: 'todo',
  localpart: 'todo',
  displayName: 'Todo',
  description: { de: 'Test', en: 'Test' },
  commands: [
    {
      name: 'echo',
      aliases: { de: ['sag'], en: ['say'] },
      args: [{ name: 'text', kind: 'text' }],
      help: { de: 'Wiederholt', en: 'Repeats' },
      run: (_ctx, args) => `echo: ${args.str('text')}`,
    },
    {
      name: 'later',
      aliases: { de: ['später'], en: ['later'] },
      args: [{ name: 'ms', kind: 'int' }],
      help: { de: 'Meldet sich später', en: 'Posts later' },
      async run(ctx, args) {
        await ctx.schedule(
          'ping',
          { roomId: ctx.roomId },
          { jobId: `ping-${ctx.eventId}`, at: new Date(Date.now() + args.int('ms')) },
        );
        return 'scheduled';
      },
    },
  ],
  jobs: {
    async ping(ctx, data) {
      if (
        typeof data === 'object' &&
        data !== null &&
        !Array.isArray(data) &&
        typeof data.roomId === 'string'
      ) {
        await ctx.post(data.roomId, `ping ${ctx.jobId}`);
      }
    },
  },
});

interface Ev {
  event_id: string;
  type: string;
  sender: string;
  content: Record<string, unknown>;
}

let synapse: SynapseHandle;
let db: TestDatabase;
let redis: TestRedis;
let config: BotConfig;
let runner: Runner;
const identity = memoryIdentity([]);
const stores = memoryStores(identity);
const credits = memoryCredits({});
const log = createLogger({
  service: 'bots-int',
  level: process.env.TEST_LOG_LEVEL === 'debug' ? 'debug' : 'silent',
});

const start = () =>
  startRunner({ config, available: [echoBot], logger: log, ports: { identity, stores, credits } });

async function api<T>(token: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${synapse.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await res.json()) as T;
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function messages(token: string, roomId: string): Promise<Ev[]> {
  const r = await api<{ chunk: Ev[] }>(
    token,
    'GET',
    `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/messages?dir=b&limit=100`,
  );
  return r.chunk.reverse();
}

async function send(token: string, roomId: string, body: string): Promise<string> {
  const txn = randomBytes(8).toString('hex');
  const r = await api<{ event_id: string }>(
    token,
    'PUT',
    `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/${txn}`,
    {
      msgtype: 'm.text',
      body,
    },
  );
  return r.event_id;
}

/** An event as Synapse would deliver it, with an id Synapse never sent (so only we know it). */
function fakeMessage(sender: string, body: string) {
  return {
    event_id: `$fake-${randomBytes(6).toString('hex')}`,
    type: 'm.room.message',
    sender,
    origin_server_ts: Date.now(),
    content: { msgtype: 'm.text', body },
  };
}

const repliesTo = (evs: Ev[], eventId: string) =>
  evs.filter((e) => {
    const rel = e.content['m.relates_to'] as { 'm.in_reply_to'?: { event_id?: string } } | undefined;
    return e.type === 'm.room.message' && rel?.['m.in_reply_to']?.event_id === eventId;
  });

describe('bot runtime on a real Synapse', () => {
  let alice: { userId: string; accessToken: string };
  let roomId: string;

  beforeAll(async () => {
    [db, redis] = await Promise.all([createTestDatabase('bots'), createTestRedis('bots')]);
    const port = await freePort();
    const asToken = randomBytes(24).toString('hex');
    const hsToken = randomBytes(24).toString('hex');
    synapse = await startSynapse({
      appservices: [
        {
          id: 'mana-bots',
          url: `http://127.0.0.1:${port}`,
          asToken,
          hsToken,
          senderLocalpart: 'mana',
          users: [{ regex: userIdRegexFor(['mana', 'todo'], 'mana.test') }],
        },
      ],
    });
    config = loadBotConfig({
      BOT_PORT: String(port),
      BOT_BOTS: 'todo',
      BOT_HOMESERVER_URL: synapse.baseUrl,
      BOT_SERVER_NAME: 'mana.test',
      BOT_AS_TOKEN: asToken,
      BOT_HS_TOKEN: hsToken,
      BOT_NAMESPACE: 'mana,todo',
      BOT_DATABASE_URL: db.url,
      BOT_REDIS_URL: redis.url,
      BOT_QUEUE_PREFIX: redis.prefix + 'bull',
      BOT_PROGRESS_AFTER_MS: '0',
      BOT_MATRIX_RETRY_MAX_MS: '20000',
    });
    runner = await start();
    alice = await synapse.registerUser({ username: 'alice' });
    identity.link(alice.userId);
    const room = await api<{ room_id: string }>(alice.accessToken, 'POST', '/_matrix/client/v3/createRoom', {
      preset: 'trusted_private_chat',
      is_direct: true,
      invite: ['@todo:mana.test'],
    });
    roomId = room.room_id;
    await until('the bot to join', async () => {
      const m = await api<{ joined: Record<string, unknown> }>(
        alice.accessToken,
        'GET',
        `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/joined_members`,
      );
      return '@todo:mana.test' in m.joined ? true : undefined;
    });
  }, 180_000);

  afterAll(async () => {
    await runner?.stop();
    await synapse?.stop();
    await redis?.cleanup();
    await db?.drop();
  });

  it('a DM to @todo gets an m.notice reply in_reply_to the command, from the bot user', async () => {
    const eventId = await send(alice.accessToken, roomId, 'say hello');
    const [reply] = await until('the reply', async () => {
      const r = repliesTo(await messages(alice.accessToken, roomId), eventId);
      return r.length > 0 ? r : undefined;
    });
    expect(reply?.sender).toBe('@todo:mana.test');
    expect(reply?.content).toMatchObject({ msgtype: 'm.notice' });
    // Her first message set her language, and its reply says how to switch.
    expect(String(reply?.content.body)).toMatch(/^echo: hello\n\nI will answer you in English/);
    // The bot greeted once, when it joined the DM (in the default language), not with the reply.
    const greetings = await until('the greeting', async () => {
      const g = (await messages(alice.accessToken, roomId)).filter(
        (e) => e.sender === '@todo:mana.test' && String(e.content.body).startsWith('Hallo, ich bin Todo'),
      );
      return g.length > 0 ? g : undefined;
    });
    expect(greetings).toHaveLength(1);
    expect(String(greetings[0]?.content.body)).toContain('„hilfe“ zeigt alle Befehle');
    expect(greetings[0]?.content['m.relates_to']).toBeUndefined();
    const profile = await api<{ displayname?: string }>(
      alice.accessToken,
      'GET',
      '/_matrix/client/v3/profile/%40todo%3Amana.test',
    );
    expect(profile.displayname).toBe('Todo');
  });

  it('a transaction delivered twice is processed once', async () => {
    const eventId = await send(alice.accessToken, roomId, 'say once');
    await until('the reply', async () =>
      repliesTo(await messages(alice.accessToken, roomId), eventId).length > 0 ? true : undefined,
    );
    const [event] = (await messages(alice.accessToken, roomId)).filter((e) => e.event_id === eventId);
    // Redeliver the same event, as Synapse does after a lost acknowledgement: same and new txn ids.
    for (const txn of ['retry-1', 'retry-1', 'retry-2']) {
      const res = await fetch(`${runner.url}/_matrix/app/v1/transactions/${txn}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${config.hsToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ events: [{ ...event, room_id: roomId }] }),
      });
      expect(res.status).toBe(200);
    }
    await runner.idle();
    expect(repliesTo(await messages(alice.accessToken, roomId), eventId)).toHaveLength(1);
    // And nobody without the hs_token gets in.
    const bad = await fetch(`${runner.url}/_matrix/app/v1/transactions/x`, {
      method: 'PUT',
      body: '{"events":[]}',
    });
    expect(bad.status).toBe(403);
  });

  it('a transaction id that comes back with new events is processed; with the same events, skipped', async () => {
    // Synapse on SQLite numbers transactions from 1 again after its restart, so an id the runner
    // stored before can carry events it has never seen.
    const put = (txn: string, events: unknown[]) =>
      fetch(`${runner.url}/_matrix/app/v1/transactions/${txn}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${config.hsToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ events }),
      });
    const counter = async (outcome: string) => {
      const text = await (await fetch(`${runner.url}/metrics`)).text();
      const m = new RegExp(`bot_appservice_transactions_total\\{outcome="${outcome}"[^}]*\\} (\\d+)`).exec(
        text,
      );
      return Number(m?.[1] ?? 0);
    };
    // Synapse itself numbers from 1, so "1" is an id this runner has stored before.
    const first = { ...fakeMessage(alice.userId, 'say first of txn 1'), room_id: roomId };
    expect((await put('1', [first])).status).toBe(200);
    await runner.idle();
    const [reusedBefore, duplicateBefore] = [await counter('reused_id'), await counter('duplicate')];
    const reused = { ...fakeMessage(alice.userId, 'say reused id'), room_id: roomId };
    for (let i = 0; i < 2; i++) expect((await put('1', [reused])).status).toBe(200);
    await runner.idle();
    const evs = await messages(alice.accessToken, roomId);
    expect(repliesTo(evs, first.event_id).map((e) => e.content.body)).toEqual(['echo: first of txn 1']);
    expect(repliesTo(evs, reused.event_id).map((e) => e.content.body)).toEqual(['echo: reused id']);
    // The first delivery is new work under a known id, the second a plain retry.
    expect(await counter('reused_id')).toBe(reusedBefore + 1);
    expect(await counter('duplicate')).toBe(duplicateBefore + 1);
  });

  it('runner stopped between two commands: both answered exactly once after the restart', async () => {
    const first = await send(alice.accessToken, roomId, 'say before');
    await until('first reply', async () =>
      repliesTo(await messages(alice.accessToken, roomId), first).length > 0 ? true : undefined,
    );
    await runner.stop();
    const second = await send(alice.accessToken, roomId, 'say while down');
    runner = await start();
    await until(
      'second reply',
      async () =>
        repliesTo(await messages(alice.accessToken, roomId), second).length > 0 ? true : undefined,
      60_000,
    );
    await runner.idle();
    const evs = await messages(alice.accessToken, roomId);
    expect(repliesTo(evs, first)).toHaveLength(1);
    expect(repliesTo(evs, second)).toHaveLength(1);
  }, 90_000);

  it('a delayed job scheduled before a restart fires exactly once after it (BullMQ in Redis)', async () => {
    const cmd = await send(alice.accessToken, roomId, 'later 3000');
    await until('scheduled', async () =>
      repliesTo(await messages(alice.accessToken, roomId), cmd).length > 0 ? true : undefined,
    );
    await runner.stop();
    runner = await start();
    const pings = await until('the job to post', async () => {
      const p = (await messages(alice.accessToken, roomId)).filter((e) =>
        String(e.content.body).startsWith(`ping ping-${cmd}`),
      );
      return p.length > 0 ? p : undefined;
    });
    await new Promise((r) => setTimeout(r, 1500));
    const again = (await messages(alice.accessToken, roomId)).filter((e) =>
      String(e.content.body).startsWith(`ping ping-${cmd}`),
    );
    expect(pings).toHaveLength(1);
    expect(again).toHaveLength(1);
  }, 60_000);

  it('exposes health and the bot metrics', async () => {
    const cmd = await send(alice.accessToken, roomId, 'say metrics');
    await until('reply', async () =>
      repliesTo(await messages(alice.accessToken, roomId), cmd).length > 0 ? true : undefined,
    );
    await runner.idle();
    const health = await fetch(`${runner.url}/health`);
    expect(health.status).toBe(200);
    const metrics = await (await fetch(`${runner.url}/metrics`)).text();
    expect(metrics).toContain('bot_commands_total{bot="todo",command="echo",outcome="ok"');
    expect(metrics).toContain('bot_command_duration_seconds');
  });
});
