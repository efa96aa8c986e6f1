/**
 * Issue 6's acceptance, end to end with the real services, in both of Synapse's auth modes
 * (issue 17): `sso` — Synapse delegates login to the real auth server through `oidc_providers` — and
 * `delegated` — auth is Synapse's `matrix_authentication_service`, people log in as Element X does,
 * the appservice's users are registered with `inhibit_login`. A real Synapse pushes to the bots
 * appservice; the bot runner as its own process
 * (`bots/runner/src/main.ts`, BOTS=todo,mana) whose identity is token exchange at auth, whose data is
 * the real sync client against the real sync server, and whose credits are the real credits API;
 * one fresh Postgres database (schemas auth, credits, sync, bots) and one Redis prefix for the file.
 * People talk to the bots with matrix-js-sdk, as Element does.
 */
import { createCreditsClient } from '@mana/credits';
import { randomBytes } from 'node:crypto';
import { startFakeLlmServer, type FakeLlmServer } from '@mana/llm/fake';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  bodyOf,
  deliverTransaction,
  inReplyTo,
  openChat,
  type Chat,
  type RawEvent,
} from './support/bots-chat.ts';
import {
  CREDITS_AUDIENCE,
  SERVER_NAME,
  startBotsStack,
  until,
  type BotsStack,
  type StackUser,
} from './support/bots-stack.ts';
import { logRunnerOnFailure } from './support/index.ts';

const TODO = `@todo:${SERVER_NAME}`;
const MANA = `@mana:${SERVER_NAME}`;
const TZ = 'Europe/Berlin';

let stack: BotsStack;
// The todo bot's `zerlegen` asks an LLM: the protocol-faithful fake, one subtask per line.
let llm: FakeLlmServer;

const dayIn = (d: Date) =>
  new Intl.DateTimeFormat('en-CA', {
    timeZone: TZ,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(d);
const tomorrow = () => dayIn(new Date(Date.now() + 24 * 3600_000));

// The whole suite once per mode, each with its own stack (Synapse, auth, sync, runner).
describe.each(['sso', 'delegated'] as const)('%s mode', (mode) => {
  beforeAll(async () => {
    llm = await startFakeLlmServer({
      models: [{ name: 'steps', script: { tokens: ['Einkaufen\n', 'Kochen\n', 'Abwaschen\n'] } }],
    });
    stack = await startBotsStack({
      label: `e2e_bots_${mode}`,
      authMode: mode,
      // Every new account starts with nothing; users who need credits get an operator's grant.
      startingBalance: 0,
      // Replies in these tests come as one notice; the placeholder-then-edit path is unit-tested.
      runnerEnv: {
        BOT_PROGRESS_AFTER_MS: '15000',
        LLM_OLLAMA_URL: llm.url,
        LLM_DEFAULT_MODEL: 'ollama/steps',
      },
    });
  }, 180_000);

  afterAll(async () => {
    await stack?.close();
    await llm?.close();
  });

  // When a test fails, show what the runner logged (pino JSON lines).
  afterEach(logRunnerOnFailure(() => stack));

  /** A bot reply: `m.notice` from the bot, `in_reply_to` the command, a plain `body` and sanitized HTML. */
  function expectNotice(reply: RawEvent, commandId: string) {
    expect(reply.sender).toBe(TODO);
    expect(reply.type).toBe('m.room.message');
    expect(reply.content.msgtype).toBe('m.notice');
    expect(inReplyTo(reply)).toBe(commandId);
    expect(typeof reply.content.body).toBe('string');
    expect(reply.content.format).toBe('org.matrix.custom.html');
    expect(typeof reply.content.formatted_body).toBe('string');
  }

  /** Sends and returns [command event id, reply]. */
  async function command(chat: Chat, text: string): Promise<[string, RawEvent]> {
    const reply = await chat.ask(text);
    const id = inReplyTo(reply);
    if (!id) throw new Error('reply without in_reply_to');
    return [id, reply];
  }

  async function userStream(user: StackUser, clientId: string) {
    const c = await stack.webSync(user, clientId);
    return {
      client: c,
      async tasks() {
        await c.sync('todo');
        return c.query('todo', 'tasks');
      },
    };
  }

  async function credits(user: StackUser) {
    const token = await stack.webToken(user, CREDITS_AUDIENCE, 'openid credits');
    return createCreditsClient({ baseUrl: `${stack.auth.baseUrl}/api/v1/credits`, getToken: () => token });
  }

  describe('todo bot, German: a user signed in through auth', () => {
    let anna: StackUser;
    let chat: Chat;
    beforeAll(async () => {
      anna = await stack.ssoUser('anna');
      expect(anna.userId).toBe(`@anna:${SERVER_NAME}`);
      chat = await openChat(stack, anna, TODO);
    }, 60_000);

    it('todo greeted her once when it joined the DM: what it does, examples, hilfe — not in a reply', async () => {
      const greetings = await until('the greeting', async () => {
        const g = (await chat.timeline()).filter(
          (e) => e.sender === TODO && bodyOf(e).startsWith('Hallo, ich bin Todo'),
        );
        return g.length > 0 ? g : undefined;
      });
      expect(greetings).toHaveLength(1);
      const [greeting] = greetings;
      expect(greeting?.content.msgtype).toBe('m.notice');
      expect(inReplyTo(greeting!)).toBeUndefined();
      expect(bodyOf(greeting!)).toContain('Aufgaben, Projekte und Erinnerungen');
      expect(bodyOf(greeting!)).toMatch(/• neu Milch kaufen @morgen\n• liste\n• erledigt 1/);
      expect(bodyOf(greeting!)).toContain('„hilfe“ zeigt alle Befehle');
    });

    it('neu … @morgen: m.notice in reply; the task is in her sync stream with tomorrow; liste shows it; erledigt 1 completes it', async () => {
      const before = tomorrow();
      const [addId, added] = await command(chat, 'neu Milch kaufen @morgen');
      const after = tomorrow();
      expectNotice(added, addId);
      expect(bodyOf(added)).toContain('Neue Aufgabe');
      expect(bodyOf(added)).toContain('Milch kaufen');
      // Her first message set her language (German); its reply says how to switch, and greets no more.
      expect(bodyOf(added)).toContain('Ich antworte dir ab jetzt auf Deutsch. In English: „language en“.');
      expect(bodyOf(added)).not.toContain('Hallo, ich bin');

      // Read back as the web app does: her own token (code flow + PKCE), her own client id.
      const stream = await userStream(anna, 'anna-web');
      const [task] = (await stream.tasks()).filter((t) => t.title === 'Milch kaufen');
      expect(task).toBeDefined();
      expect([before, after]).toContain(task?.dueDate);
      expect(task).toMatchObject({ completed: false, priority: 4 });

      const [listId, list] = await command(chat, 'liste');
      expectNotice(list, listId);
      expect(bodyOf(list)).toContain('Offene Aufgaben');
      expect(bodyOf(list)).toMatch(/^1\. Milch kaufen — morgen$/m);
      expect(list.content.formatted_body).toMatch(/<ol>\s*<li>\s*Milch kaufen/);
      expect(bodyOf(list)).toContain('morgen');

      const [doneId, done] = await command(chat, 'erledigt 1');
      expectNotice(done, doneId);
      expect(bodyOf(done)).toContain('Erledigt');
      expect(bodyOf(done)).toContain('Milch kaufen');
      const completed = (await stream.tasks()).find((t) => t.id === task?.id);
      expect(completed?.completed).toBe(true);
      expect(typeof completed?.completedAt).toBe('string');

      const [, empty] = await command(chat, 'liste');
      expect(bodyOf(empty)).toContain('Keine offenen Aufgaben');
    });

    it('hilfe lists the commands in German', async () => {
      const [id, help] = await command(chat, 'hilfe');
      expectNotice(help, id);
      expect(bodyOf(help)).toContain('Todo — Befehle');
      expect(bodyOf(help)).toContain('liste');
      expect(bodyOf(help)).toContain('erledigt');
      expect(bodyOf(help)).toContain('Alle offenen Aufgaben');
    });

    it('a task written into her stream by another sync client (the web app) shows up in liste', async () => {
      const web = await userStream(anna, 'anna-web-2');
      await web.client.put('todo', 'tasks', 'web-task-1', {
        title: 'Im Web angelegt',
        priority: 2,
        completed: false,
      });
      await web.client.sync('todo');
      // The English alias: she is German, so the answer stays German.
      const [, list] = await command(chat, 'list');
      expect(bodyOf(list)).toContain('Im Web angelegt');
      expect(bodyOf(list)).toContain('Offene Aufgaben');
      expect(bodyOf(list)).not.toContain('language en');
    });
  });

  describe('todo bot, English', () => {
    let ben: StackUser;
    let chat: Chat;
    beforeAll(async () => {
      ben = await stack.ssoUser('ben');
      chat = await openChat(stack, ben, TODO);
    }, 60_000);

    it('add … @tomorrow, list, done 1 — in English, in the stream', async () => {
      const [addId, added] = await command(chat, 'add Buy milk @tomorrow !p1');
      expectNotice(added, addId);
      expect(bodyOf(added)).toContain('New task');
      expect(bodyOf(added)).toContain('I will answer you in English from now on. Auf Deutsch: “sprache de”.');
      const stream = await userStream(ben, 'ben-web');
      const task = (await stream.tasks()).find((t) => t.title === 'Buy milk');
      expect(task).toMatchObject({ dueDate: tomorrow(), priority: 1, completed: false });

      const [, list] = await command(chat, 'list');
      expect(bodyOf(list)).toContain('Open tasks');
      expect(bodyOf(list)).toMatch(/^1\. 🔴 Buy milk — tomorrow$/m);
      expect(bodyOf(list)).toContain('tomorrow');

      const [, done] = await command(chat, 'done 1');
      expect(bodyOf(done)).toContain('Done');
      expect((await stream.tasks()).find((t) => t.id === task?.id)?.completed).toBe(true);
    });

    it('help lists the commands in English', async () => {
      const [id, help] = await command(chat, 'help');
      expectNotice(help, id);
      expect(bodyOf(help)).toContain('Todo — commands');
      expect(bodyOf(help)).toContain('list');
      expect(bodyOf(help)).toContain('All open tasks, numbered.');
    });
  });

  describe('identity', () => {
    // Only Synapse in sso mode has Matrix users of its own (password registration); in delegated
    // mode every Matrix login is an auth account's, so there is no one to explain this to.
    if (mode === 'sso')
      it('a Matrix user registered by password (no Mana account) gets the sign-in explanation', async () => {
        const mallory = await stack.synapse.registerUser({ username: 'mallory' });
        const chat = await openChat(stack, mallory, TODO);
        const [id, reply] = await command(chat, 'liste');
        expectNotice(reply, id);
        expect(bodyOf(reply)).toContain(`Zu ${mallory.userId} gehört noch kein Mana-Konto`);
        expect(bodyOf(reply)).toContain('SSO');
        // The English alias is refused the same way, in the language her first message set.
        const [, again] = await command(chat, 'add Something');
        expect(bodyOf(again)).toContain(`Zu ${mallory.userId} gehört noch kein Mana-Konto`);
      });

    it('the mana hub welcomes once when it joins, and shows the linked account and the real credit balance', async () => {
      const hana = await stack.ssoUser('hana');
      await stack.auth.service.credits.ledger.grant(
        { actor: 'e2e-operator' },
        { userId: hana.accountId, amount: 3_000, kind: 'gift', idempotencyKey: 'e2e-hana-gift' },
      );
      const chat = await openChat(stack, hana, MANA);
      const accountId = await chat.send('konto');
      const reply = await until('the account reply', async () => (await chat.repliesTo(accountId))[0]);
      expect(bodyOf(reply)).toContain('hana');
      const welcomes = (await chat.timeline()).filter(
        (e) => e.sender === MANA && bodyOf(e).includes('Willkommen bei Mana'),
      );
      expect(welcomes).toHaveLength(1);
      expect(inReplyTo(welcomes[0]!)).toBeUndefined();
      expect(bodyOf(welcomes[0]!)).toMatch(/Zum Beispiel:\n• konto\n• guthaben\n• bots/);
      // `credits` is the English alias; her language is German since `konto`.
      const creditsId = await chat.send('credits');
      const balance = await until('the credits reply', async () => (await chat.repliesTo(creditsId))[0]);
      expect(bodyOf(balance)).toMatch(/Guthaben.*3 verfügbar/);
      expect(
        (await chat.timeline()).filter((e) => e.sender === MANA && bodyOf(e).includes('Welcome to Mana')),
      ).toHaveLength(0);
    });
  });

  describe('credits', () => {
    let carl: StackUser;
    let chat: Chat;
    beforeAll(async () => {
      carl = await stack.ssoUser('carl');
      chat = await openChat(stack, carl, TODO);
    }, 60_000);

    it('a costly command with no credits gets the insufficient-credits reply and nothing is charged', async () => {
      await command(chat, 'neu Einkaufen, Kochen und Abwaschen');
      await command(chat, 'liste');
      const api = await credits(carl);
      expect(await api.balance()).toEqual({ balance: 0, held: 0, available: 0 });
      const entriesBefore = (await api.transactions({ limit: 200 })).entries.length;

      const [id, reply] = await command(chat, 'zerlegen 1');
      expectNotice(reply, id);
      expect(bodyOf(reply)).toContain(
        'Dafür reichen deine Credits nicht: nötig sind 0,5, verfügbar 0. Es wurde nichts abgebucht.',
      );
      expect(bodyOf(reply)).toContain('/credits');
      expect(await api.balance()).toEqual({ balance: 0, held: 0, available: 0 });
      const entries = (await api.transactions({ limit: 200 })).entries;
      expect(entries.filter((e) => e.operation === 'ai_task_breakdown')).toHaveLength(0);
      expect(entries.length).toBe(entriesBefore);
      // Adding tasks is free (task_create costs 0) but bracketed: a 0-amount reserve and commit.
      expect(
        entries.filter((e) => e.kind !== 'grant').map((e) => `${e.kind} ${e.operation} ${e.amount}`),
      ).toEqual(['commit task_create 0', 'reserve task_create 0']);
    });

    it('with credits: exactly one charge, even when the appservice transaction is delivered again (same and new txn ids)', async () => {
      await stack.auth.service.credits.ledger.grant(
        { actor: 'e2e-operator' },
        { userId: carl.accountId, amount: 2_000, kind: 'grant', idempotencyKey: 'e2e-carl-grant' },
      );
      await command(chat, 'liste');
      const [id, reply] = await command(chat, 'zerlegen 1');
      expect(bodyOf(reply)).toContain('Teilaufgaben');
      expect(bodyOf(reply)).toMatch(/Einkaufen[\s\S]*Kochen[\s\S]*Abwaschen/);
      const api = await credits(carl);
      expect(await api.balance()).toEqual({ balance: 1_500, held: 0, available: 1_500 });

      // Synapse redelivers a transaction whose acknowledgement it lost (same txn id), and an event
      // can arrive again in another transaction (new txn id).
      const event = await chat.event(id);
      for (const txn of ['e2e-replay-1', 'e2e-replay-1', 'e2e-replay-2']) {
        expect(await deliverTransaction(stack, txn, { events: [event] })).toBe(200);
      }
      // Something after the replays proves they were processed (per-room order).
      await command(chat, 'status');
      expect(await chat.repliesTo(id)).toHaveLength(1);
      expect(await api.balance()).toEqual({ balance: 1_500, held: 0, available: 1_500 });
      const entries = (await api.transactions({ limit: 200 })).entries;
      const commits = entries.filter((e) => e.kind === 'commit' && e.operation !== 'task_create');
      expect(commits).toHaveLength(1);
      expect(entries.filter((e) => e.kind === 'reserve' && e.operation !== 'task_create')).toHaveLength(1);
      expect(commits[0]).toMatchObject({ amount: -500, operation: 'ai_task_breakdown' });
      const stream = await userStream(carl, 'carl-web');
      expect((await stream.tasks()).filter((t) => typeof t.parentId === 'string')).toHaveLength(3);
      // And the runner counted what it charged.
      const metrics = await (await fetch(`${stack.runner.url}/metrics`)).text();
      expect(metrics).toMatch(/bot_credits_charged_total\{[^}]*operation="ai_task_breakdown"[^}]*\} 500/);
    });
  });

  describe('restarts', () => {
    it('runner killed between commands: nothing lost, nothing twice; a reminder set before fires once after', async () => {
      const rita = await stack.ssoUser('rita');
      const chat = await openChat(stack, rita, TODO);
      const [addId] = await command(chat, 'neu Zahnarzt anrufen');
      const [listId] = await command(chat, 'liste');
      const [remindId, reminded] = await command(chat, 'erinnere 1 in 12 Sekunden');
      expect(bodyOf(reminded)).toContain('Ich erinnere dich');

      // A crash (SIGKILL, no drain) between two commands.
      await stack.runner.kill();
      const whileDownId = await chat.send('status');
      const restartedAt = Date.now();
      await stack.startRunner();
      const whileDown = await until(
        'the reply to the command sent while the runner was down',
        async () => (await chat.repliesTo(whileDownId))[0],
        60_000,
      );
      expect(bodyOf(whileDown)).toMatch(/1 offen/);

      // A crash right after a command was sent: stored-but-unprocessed or never acknowledged, the
      // command is answered exactly once either way.
      const racedId = await chat.send('heute');
      await stack.runner.kill();
      await stack.startRunner();
      await until(
        'the reply to the command raced with the crash',
        async () => (await chat.repliesTo(racedId))[0],
        60_000,
      );

      const reminder = await until(
        'the reminder',
        async () =>
          (await chat.timeline()).find(
            (e) => e.sender === TODO && bodyOf(e).includes('Erinnerung: Zahnarzt anrufen'),
          ),
        40_000,
        250,
      );
      expect(reminder.origin_server_ts).toBeGreaterThan(restartedAt);
      // Give a duplicate every chance to show up.
      await new Promise((r) => setTimeout(r, 3_000));
      const timeline = await chat.timeline();
      expect(
        timeline.filter((e) => e.sender === TODO && bodyOf(e).includes('Erinnerung: Zahnarzt anrufen')),
      ).toHaveLength(1);
      for (const id of [addId, listId, remindId, whileDownId, racedId]) {
        expect(
          timeline.filter((e) => e.sender === TODO && inReplyTo(e) === id),
          id,
        ).toHaveLength(1);
      }
      // The reminder row in her stream is marked sent.
      const c = await stack.webSync(rita, 'rita-web');
      await c.sync('todo');
      const [row] = await c.query('todo', 'reminders');
      expect(typeof row?.sentAt).toBe('string');
    }, 150_000);
  });

  describe('robustness', () => {
    let chat: Chat;
    beforeAll(async () => {
      const max = await stack.ssoUser('max');
      chat = await openChat(stack, max, TODO);
    }, 60_000);

    it('a malformed command gets a one-line usage', async () => {
      const [id, reply] = await command(chat, 'erledigt');
      expectNotice(reply, id);
      // One usage line, then (first message) how to switch the language.
      const [usage, ...rest] = bodyOf(reply).split('\n\n');
      expect(usage).toMatch(/^So geht’s: erledigt <Nummer> — /);
      expect(usage?.split('\n')).toHaveLength(1);
      expect(rest).toEqual(['Ich antworte dir ab jetzt auf Deutsch. In English: „language en“.']);
      // An English alias from a German user: the usage in German, one line.
      const [, en] = await command(chat, 'done abc');
      expect(bodyOf(en)).toMatch(/^So geht’s: erledigt <Nummer> — /);
      expect(bodyOf(en).split('\n')).toHaveLength(1);
    });

    it('a 20 KB message and binary garbage do not crash the runner; it answers the next command', async () => {
      const pid = stack.runner.pid;
      const [, tooLong] = await command(chat, `neu ${'x'.repeat(20 * 1024)}`);
      expect(bodyOf(tooLong)).toContain('zu lang');

      // Random bytes read as UTF-8: control characters, NUL, invalid sequences (U+FFFD), stray marks.
      const garbage = randomBytes(4096).toString('utf8');
      const garbageId = await chat.send(garbage);
      // Garbage straight at the appservice API too: broken JSON, wrong shapes, odd events.
      expect(await deliverTransaction(stack, 'garbage-1', '{"events": [', true)).toBe(400);
      expect(await deliverTransaction(stack, 'garbage-2', { events: 'nope' })).toBe(400);
      expect(await deliverTransaction(stack, 'garbage-\u0000', { events: [] })).toBe(200);
      expect(
        await deliverTransaction(stack, 'garbage-3', {
          events: [
            null,
            42,
            {
              event_id: '$x1',
              room_id: chat.roomId,
              type: 'm.room.message',
              sender: '@eve:mana.test',
              content: null,
            },
            {
              event_id: '$x2',
              room_id: chat.roomId,
              type: 'm.room.message',
              sender: '@eve:mana.test',
              content: { msgtype: 'm.text', body: 7 },
            },
            {
              event_id: '$x3',
              room_id: chat.roomId,
              type: 'm.room.message',
              sender: '@eve:mana.test',
              content: { msgtype: 'm.text', body: '\u0000\uD800liste' },
            },
            {
              event_id: '$x4',
              room_id: '!nowhere:mana.test',
              type: 'm.room.member',
              sender: '@eve:mana.test',
              state_key: TODO,
              content: { membership: 'invite' },
            },
            {
              event_id: '$x5\u0000',
              room_id: chat.roomId,
              type: 'm.room.message',
              sender: '@eve:mana.test\uDC00',
              content: { msgtype: 'm.text', body: 'x', '\u0000k': '\uD800' },
            },
          ],
        }),
      ).toBe(200);

      const [nextId, next] = await command(chat, 'liste');
      expectNotice(next, nextId);
      expect(bodyOf(next)).toMatch(/Offene Aufgaben|Keine offenen Aufgaben/);
      expect(stack.runner.pid).toBe(pid);
      expect((await fetch(`${stack.runner.url}/health/ready`)).status).toBe(200);
      // The garbage was handled (answered or ignored) exactly once, not retried forever.
      expect((await chat.repliesTo(garbageId)).length).toBeLessThanOrEqual(1);
    });
  });
});
