/**
 * bots/runtime v2's capabilities end to end: the real runner process hosts the probe bot
 * (support/probe-bot.ts, through BOT_MODULES) next to todo and mana, against a real Synapse, auth
 * (token exchange, credits ledger), sync and Redis. A person talks to it with matrix-js-sdk.
 */
import { createCreditsClient } from '@mana/credits';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bodyOf, inReplyTo, openChat, type Chat } from './support/bots-chat.ts';
import {
  CREDITS_AUDIENCE,
  SERVER_NAME,
  startBotsStack,
  until,
  type BotsStack,
  type StackUser,
} from './support/bots-stack.ts';
import { logRunnerOnFailure } from './support/index.ts';

const PROBE = `@probe:${SERVER_NAME}`;
let stack: BotsStack;
let user: StackUser;
let chat: Chat;

beforeAll(async () => {
  stack = await startBotsStack({
    label: 'e2e_runtime',
    startingBalance: 0,
    runnerEnv: {
      BOT_MODULES: join(import.meta.dirname, 'support/probe-bot.ts'),
      BOT_COMMAND_TIMEOUT_MS: '2500',
      BOT_PROGRESS_AFTER_MS: '600',
    },
  });
  user = await stack.ssoUser('petra');
  chat = await openChat(stack, user, PROBE);
  await stack.auth.service.credits.ledger.grant(
    { actor: 'e2e-operator' },
    { userId: user.accountId, amount: 5_000, kind: 'grant', idempotencyKey: 'e2e-petra-grant' },
  );
}, 180_000);

afterAll(async () => {
  await stack?.close();
});

afterEach(logRunnerOnFailure(() => stack));

async function ledger() {
  const token = await stack.webToken(user, CREDITS_AUDIENCE, 'openid credits');
  const api = createCreditsClient({ baseUrl: `${stack.auth.baseUrl}/api/v1/credits`, getToken: () => token });
  return { balance: await api.balance(), entries: (await api.transactions({ limit: 200 })).entries };
}

async function probeTasks(): Promise<string[]> {
  const c = await stack.webSync(user, `petra-web-${Date.now()}`);
  await c.sync('todo');
  return (await c.query('todo', 'tasks')).map((t) => t.id).filter((id) => id.startsWith('probe-'));
}

const idOf = (eventId: string) => eventId.replace(/[^A-Za-z0-9]/g, '').slice(0, 24);

describe('runtime capabilities through the real runner', () => {
  it('a command sent in a thread is answered in that thread', async () => {
    const root = await chat.send('echo root');
    await until('the root reply', async () => (await chat.repliesTo(root))[0]);
    const inThread = await chat.sendEvent('m.room.message', {
      msgtype: 'm.text',
      body: 'echo in the thread',
      'm.relates_to': { rel_type: 'm.thread', event_id: root },
    });
    const reply = await until('the threaded reply', async () => (await chat.repliesTo(inThread))[0]);
    expect(bodyOf(reply)).toBe('echo: in the thread');
    expect(reply.content['m.relates_to']).toMatchObject({ rel_type: 'm.thread', event_id: root });
  });

  it('a command past its timeout is aborted: the user is told, no write lands after the abort, nothing is charged', async () => {
    const before = await ledger();
    const id = await chat.send('slow 6000');
    const reply = await until(
      'the timeout reply',
      async () =>
        (await chat.timeline()).find(
          (e) =>
            e.sender === PROBE &&
            /took too long/.test(bodyOf(e)) &&
            (inReplyTo(e) === id || bodyOf(e).includes(id)),
        ),
      20_000,
    );
    expect(bodyOf(reply)).toContain('nothing was charged');
    // Past the point where the command would have written again.
    await new Promise((r) => setTimeout(r, 5_000));
    const tasks = await probeTasks();
    expect(tasks).toContain(`probe-first-${idOf(id)}`);
    expect(tasks).not.toContain(`probe-late-${idOf(id)}`);
    const after = await ledger();
    expect(after.balance).toEqual(before.balance);
    expect(after.entries.filter((e) => e.kind === 'commit')).toHaveLength(0);
  }, 40_000);

  it('❌ on the running command cancels it: told, hold released, nothing charged, no later write', async () => {
    const before = await ledger();
    const id = await chat.send('slow 2000');
    await until('the first write', async () =>
      (await probeTasks()).includes(`probe-first-${idOf(id)}`) ? true : undefined,
    );
    await chat.sendEvent('m.reaction', {
      'm.relates_to': { rel_type: 'm.annotation', event_id: id, key: '❌' },
    });
    const reply = await until(
      'the cancel reply',
      async () =>
        (await chat.timeline()).find((e) => e.sender === PROBE && /^(\* )?Cancelled/.test(bodyOf(e))),
      15_000,
    );
    expect(bodyOf(reply)).toContain('Nothing was charged');
    await new Promise((r) => setTimeout(r, 2_500));
    expect(await probeTasks()).not.toContain(`probe-late-${idOf(id)}`);
    const after = await ledger();
    expect(after.balance).toEqual({ ...before.balance, held: 0 });
    expect(after.entries.filter((e) => e.kind === 'commit')).toHaveLength(0);
  }, 40_000);

  it('a streaming message: at most one edit per interval, the final text lands', async () => {
    const id = await chat.send('count 20');
    const final = await until(
      'the final edit',
      async () =>
        (await chat.timeline()).find(
          (e) =>
            e.sender === PROBE &&
            (e.content['m.new_content'] as { body?: string } | undefined)?.body === 'counted to 20',
        ),
      20_000,
    );
    const original = (final.content['m.relates_to'] as { event_id: string }).event_id;
    const edits = (await chat.timeline()).filter(
      (e) =>
        (e.content['m.relates_to'] as { rel_type?: string; event_id?: string } | undefined)?.event_id ===
          original && e.type === 'm.room.message',
    );
    // 20 updates over ~2 s at one edit per 500 ms: about 5, never 20.
    expect(edits.length).toBeGreaterThanOrEqual(2);
    expect(edits.length).toBeLessThanOrEqual(7);
    const first = (await chat.timeline()).find((e) => e.event_id === original);
    expect(inReplyTo(first!)).toBe(id);
  }, 30_000);

  it('zeitzone changes how dates are shown; a bad zone gets an example', async () => {
    const [bad] = [await chat.ask('timezone Mars/Base')];
    expect(bodyOf(bad)).toMatch(/Europe\/Berlin/);
    const before = await chat.ask('when 2026-07-01T12:00:00Z');
    expect(bodyOf(before)).toContain('14:00');
    await chat.ask('timezone Asia/Tokyo');
    const after = await chat.ask('when 2026-07-01T12:00:00Z');
    expect(bodyOf(after)).toMatch(/^Asia\/Tokyo: .*21:00/);
  });

  it('an image and a voice note reach the bot (authenticated download, byte-identical); its voice message downloads byte-identical', async () => {
    const upload = async (bytes: Uint8Array, type: string) => {
      const res = await fetch(`${stack.synapse.baseUrl}/_matrix/media/v3/upload?filename=x`, {
        method: 'POST',
        headers: { authorization: `Bearer ${user.accessToken}`, 'content-type': type },
        body: Buffer.from(bytes),
      });
      return ((await res.json()) as { content_uri: string }).content_uri;
    };
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4, 5]);
    const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex').slice(0, 16);
    const imageId = await chat.sendEvent('m.room.message', {
      msgtype: 'm.image',
      body: 'dot.png',
      url: await upload(png, 'image/png'),
      info: { mimetype: 'image/png', size: png.length },
    });
    const image = await until('image reply', async () => (await chat.repliesTo(imageId))[0]);
    expect(bodyOf(image)).toBe(`got image image/png ${png.length} bytes ${sha(png)}`);
    const ogg = new Uint8Array(300).map((_, i) => i % 251);
    const voiceId = await chat.sendEvent('m.room.message', {
      msgtype: 'm.audio',
      body: 'Voice message',
      url: await upload(ogg, 'audio/ogg'),
      info: { mimetype: 'audio/ogg', size: ogg.length, duration: 1200 },
      'org.matrix.msc3245.voice': {},
    });
    const voice = await until('voice reply', async () => (await chat.repliesTo(voiceId))[0]);
    expect(bodyOf(voice)).toBe(`got voice audio/ogg ${ogg.length} bytes ${sha(ogg)}`);
    // A plain file is not taken: one clear line.
    const fileId = await chat.sendEvent('m.room.message', {
      msgtype: 'm.file',
      body: 'a.txt',
      url: await upload(png, 'text/plain'),
    });
    expect(bodyOf(await until('file reply', async () => (await chat.repliesTo(fileId))[0]))).toContain(
      'only understand text',
    );

    // And the other way: the bot's voice message downloads byte-identical through authenticated media.
    await chat.send('beep');
    const beep = await until('the voice message', async () =>
      (await chat.timeline()).find((e) => e.sender === PROBE && e.content.msgtype === 'm.audio'),
    );
    expect(beep.content).toMatchObject({
      info: { mimetype: 'audio/ogg', duration: 1000 },
      'org.matrix.msc3245.voice': {},
    });
    const [server, mediaId] = String(beep.content.url).slice('mxc://'.length).split('/');
    const dl = await fetch(`${stack.synapse.baseUrl}/_matrix/client/v1/media/download/${server}/${mediaId}`, {
      headers: { authorization: `Bearer ${user.accessToken}` },
    });
    const bytes = new Uint8Array(await dl.arrayBuffer());
    expect(sha(bytes)).toBe(sha(new Uint8Array(4096).map((_, i) => (i * 7) % 256)));
  }, 40_000);

  it('a row changed in sync (the web app) reaches the watching bot within 2 s', async () => {
    await chat.ask('watch');
    const web = await stack.webSync(user, `petra-web-watch`);
    await web.sync('todo');
    const written = Date.now();
    await web.put('todo', 'tasks', 'watched-1', { title: 'from the web app', priority: 4, completed: false });
    await web.sync('todo');
    const seen = await until(
      'the change notice',
      async () =>
        (await chat.timeline()).find((e) => e.sender === PROBE && bodyOf(e) === 'changed: watched-1'),
      10_000,
    );
    expect(seen.origin_server_ts - written).toBeLessThan(2_000);
  }, 30_000);

  it('a reaction handler of the bot runs for a reaction in its room', async () => {
    const id = await chat.send('echo react to me');
    const reaction = await chat.sendEvent('m.reaction', {
      'm.relates_to': { rel_type: 'm.annotation', event_id: id, key: '👀' },
    });
    const reply = await until('the reaction reply', async () => (await chat.repliesTo(reaction))[0]);
    expect(bodyOf(reply)).toBe(`seen ${id} (${user.userId})`);
  });
});
