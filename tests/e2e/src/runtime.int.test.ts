/**
 * bots/runtime v2's capabilities end to end: the real runner process hosts the probe bot
 * (support/probe-bot.ts, through BOT_MODULES) next to todo and mana, against a real Synapse, auth
 * (token exchange, credits ledger), sync and Redis. A person talks to it with matrix-js-sdk.
 */
import { createCreditsClient } from '@mana/credits';
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

afterEach((ctx) => {
  if (ctx.task.result?.state === 'fail' && stack)
    console.log(`--- runner log (last 60 lines) ---\n${stack.runner.logs().slice(-60).join('\n')}`);
});

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

  it('a reaction handler of the bot runs for a reaction in its room', async () => {
    const id = await chat.send('echo react to me');
    const reaction = await chat.sendEvent('m.reaction', {
      'm.relates_to': { rel_type: 'm.annotation', event_id: id, key: '👀' },
    });
    const reply = await until('the reaction reply', async () => (await chat.repliesTo(reaction))[0]);
    expect(bodyOf(reply)).toBe(`seen ${id} (${user.userId})`);
  });
});
