/**
 * Issue 17: the bots in delegated mode. Synapse hands authentication to auth
 * (`matrix_authentication_service`); the bot appservice registers its users with `inhibit_login`
 * and keeps working; people log in as Element X does and talk to the bots; the bots' token exchange
 * and the sync stream work as in SSO mode.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bodyOf, inReplyTo, openChat, type Chat } from './support/bots-chat.ts';
import { SERVER_NAME, startBotsStack, type BotsStack, type StackUser } from './support/bots-stack.ts';

const TODO = `@todo:${SERVER_NAME}`;
let stack: BotsStack;

beforeAll(async () => {
  stack = await startBotsStack({
    label: 'e2e_bots_deleg',
    authMode: 'delegated',
    runnerEnv: { BOT_PROGRESS_AFTER_MS: '15000' },
  });
}, 180_000);
afterAll(async () => {
  await stack?.close();
});
afterEach((ctx) => {
  if (ctx.task.result?.state === 'fail' && stack)
    console.log(`--- runner log (last 60 lines) ---\n${stack.runner.logs().slice(-60).join('\n')}`);
});

describe('todo bot with delegated auth', () => {
  let cleo: StackUser;
  let chat: Chat;
  beforeAll(async () => {
    cleo = await stack.ssoUser('cleo');
    chat = await openChat(stack, cleo, TODO);
  }, 60_000);

  it('an OAuth-logged-in user adds and lists a task; it lands in her sync stream', async () => {
    const added = await chat.ask('add Water plants');
    expect(added.sender).toBe(TODO);
    expect(inReplyTo(added)).toBeTruthy();
    expect(bodyOf(added)).toContain('Water plants');
    const list = await chat.ask('list');
    expect(bodyOf(list)).toMatch(/^1\. Water plants$/m);

    const web = await stack.webSync(cleo, 'cleo-web');
    await web.sync('todo');
    expect((await web.query('todo', 'tasks')).map((t) => t.title)).toContain('Water plants');
  });
});
