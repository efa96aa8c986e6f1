import { describe, expect, it } from 'vitest';
import { defineBot, type BotDefinition } from './bot.ts';
import { addressedText, isInviteAllowed } from './dispatcher.ts';
import { CommandError } from './errors.ts';
import { html } from './format.ts';
import { createTestHarness, textEvent } from './testing.ts';

const echo: BotDefinition = defineBot({
  id: 'todo',
  localpart: 'todo',
  displayName: 'Todo',
  description: { de: 'Aufgaben', en: 'Tasks' },
  commands: [
    {
      name: 'echo',
      aliases: { de: ['sag'], en: ['say'] },
      args: [{ name: 'text', kind: 'text' }],
      help: { de: 'Wiederholt', en: 'Repeats' },
      run: (ctx, args) => html`<b>${args.str('text')}</b> (${ctx.lang})`,
    },
    {
      name: 'boom',
      aliases: { de: ['bumm'], en: ['boom'] },
      help: { de: 'x', en: 'x' },
      run: () => Promise.reject(new Error('kaputt')),
    },
    {
      name: 'refuse',
      aliases: { de: ['nein'], en: ['no'] },
      help: { de: 'x', en: 'x' },
      run: () => {
        throw new CommandError('refused', { de: 'Geht nicht.', en: 'Cannot.' });
      },
    },
    {
      name: 'paid',
      aliases: { de: ['teuer'], en: ['paid'] },
      help: { de: 'kostet', en: 'costs' },
      cost: 'ai_task_breakdown',
      run: async (ctx) => {
        await ctx.store('todo');
        return 'done';
      },
    },
    {
      name: 'slow',
      aliases: { de: ['langsam'], en: ['slow'] },
      help: { de: 'x', en: 'x' },
      run: () => new Promise((r) => setTimeout(() => r('finally'), 80)),
    },
    {
      name: 'mine',
      aliases: { de: ['meins'], en: ['mine'] },
      help: { de: 'x', en: 'x' },
      run: async (ctx) => `${(await (await ctx.store('todo')).list('tasks')).length}`,
    },
    {
      name: 'hang',
      aliases: { de: ['hängen'], en: ['hang'] },
      help: { de: 'x', en: 'x' },
      cost: 'ai_task_breakdown',
      // Writes once, waits without looking at the signal, then tries to write again.
      run: async (ctx) => {
        const store = await ctx.store('todo');
        await store.upsert('tasks', 'first', { title: 'first' });
        await new Promise((r) => setTimeout(r, 200));
        await store.upsert('tasks', 'late', { title: 'late' });
        return 'finished';
      },
    },
  ],
  reactions: {
    '💤': async (ctx, { target }) => `snoozed ${target} for ${ctx.sender}`,
  },
  apps: ['todo'],
  fallback: async (_ctx, text) => `fallback:${text}`,
  welcome: () => 'Willkommen!',
});

const alice = '@alice:mana.test';
const todo = '@todo:mana.test';
const dm = '!dm:mana.test';
const group = '!group:mana.test';
/** What the first reply to a user without a language adds. */
const CHOSEN_DE = 'Ich antworte dir ab jetzt auf Deutsch. In English: „language en“.';
const CHOSEN_EN = 'I will answer you in English from now on. Auf Deutsch: “sprache de”.';

function setup(extra: Partial<Parameters<typeof createTestHarness>[0]> = {}) {
  const h = createTestHarness({ bots: [echo], linked: [alice], costs: { ai_task_breakdown: 500 }, ...extra });
  h.members.set(dm, [alice, '@todo:mana.test']);
  h.members.set(group, [alice, '@bob:mana.test', '@todo:mana.test']);
  return h;
}

describe('dispatcher', () => {
  it('answers a DM with an m.notice in reply to the command, and never greets in a reply', async () => {
    const h = setup();
    const sent = await h.say(alice, dm, 'sag <hallo>');
    expect(sent.map((s) => s.content.body)).toEqual([`<hallo> (de)\n\n${CHOSEN_DE}`]);
    const reply = sent[0];
    expect(reply?.content).toMatchObject({
      msgtype: 'm.notice',
      format: 'org.matrix.custom.html',
      formatted_body: `<b>&lt;hallo&gt;</b> (de)<p>${CHOSEN_DE}</p>`,
    });
    expect(reply?.content['m.relates_to']).toHaveProperty(['m.in_reply_to', 'event_id']);
    // Her language is German now: an English alias gets a German answer, and no note again.
    expect(await h.ask(alice, dm, 'say hi')).toEqual(['hi (de)']);
  });

  it('greets once per room when invited into a DM, in the inviter’s language or the default', async () => {
    const h = setup();
    const room = '!new:mana.test';
    expect(await h.invite(alice, room, todo)).toEqual(['Willkommen!']);
    // Synapse may deliver the invite again, or she invites the bot again after it left.
    expect(await h.invite(alice, room, todo)).toEqual([]);
    // The first reply does not greet again.
    expect(await h.ask(alice, room, 'sag hallo')).toEqual([`hallo (de)\n\n${CHOSEN_DE}`]);

    // A group room (more than two members, not is_direct): joined, not greeted.
    h.members.set('!team:mana.test', [alice, '@bob:mana.test']);
    expect(await h.invite(alice, '!team:mana.test', todo, false)).toEqual([]);
    expect(h.matrix.joins).toContain(`${todo}|!team:mana.test`);
  });

  it('the default greeting says what the bot does, shows examples and help, in her language', async () => {
    const plain = defineBot({
      ...echo,
      welcome: undefined,
      examples: [
        { de: 'sag hallo', en: 'say hello' },
        { de: 'meins', en: 'mine' },
      ],
    });
    const h = createTestHarness({ bots: [plain], linked: [alice] });
    const [de] = await h.invite(alice, '!a:mana.test', todo);
    expect(de).toContain('Hallo, ich bin Todo: Aufgaben.');
    expect(de).toContain('Zum Beispiel:');
    expect(de).toContain('• sag hallo\n• meins');
    expect(de).toContain('„hilfe“ zeigt alle Befehle. In English: „language en“.');

    await h.ask(alice, '!a:mana.test', 'language en');
    const [en] = await h.invite(alice, '!b:mana.test', todo);
    expect(en).toContain('Hi, I am Todo: Tasks.');
    expect(en).toContain('• say hello\n• mine');
    expect(en).toContain('“help” shows all commands.');

    // Without examples: the first commands of the table.
    const bare = createTestHarness({ bots: [defineBot({ ...echo, welcome: undefined })] });
    const [first] = await bare.invite(alice, '!c:mana.test', todo);
    expect(first).toContain('• sag <text>\n• bumm\n• nein');
  });

  it('in a group room answers only when addressed', async () => {
    const h = setup();
    expect(await h.ask(alice, group, 'sag hallo')).toEqual([]);
    expect(await h.ask(alice, group, 'todo: sag hallo')).toEqual([`hallo (de)\n\n${CHOSEN_DE}`]);
    expect(await h.ask(alice, group, '!todo sag hi')).toEqual(['hi (de)']);
    const pill = await h.say(alice, group, 'Todo: say x', {
      format: 'org.matrix.custom.html',
      formatted_body: '<a href="https://matrix.to/#/@todo:mana.test">Todo</a>: say x',
      'm.mentions': { user_ids: ['@todo:mana.test'] },
    });
    expect(pill.map((s) => s.content.body)).toEqual(['x (de)']);
  });

  it('ignores bot users, notices and edits', async () => {
    const h = setup();
    expect(await h.ask('@mana:mana.test', dm, 'sag x')).toEqual([]);
    expect(await h.say(alice, dm, 'sag x', { msgtype: 'm.notice' })).toEqual([]);
    expect(
      await h.say(alice, dm, 'sag x', { 'm.relates_to': { rel_type: 'm.replace', event_id: '$x' } }),
    ).toEqual([]);
  });

  it('help, usage and unknown commands', async () => {
    const h = setup();
    const help = await h.ask(alice, dm, 'help');
    expect(help[0]).toContain('Todo — commands');
    expect(help[0]).toContain('say <text> — Repeats');
    expect(help[0]).toContain('language [de|en]');
    expect(help[0]).toContain(CHOSEN_EN);
    // English from now on, whichever word she uses…
    expect((await h.ask(alice, dm, 'hilfe'))[0]).toContain('Todo — commands');
    expect(await h.ask(alice, dm, 'sag')).toEqual(['Usage: say <text> — Repeats']);
    // … until she switches.
    await h.ask(alice, dm, 'sprache de');
    expect((await h.ask(alice, dm, 'help'))[0]).toContain('Todo — Befehle');
    expect(await h.ask(alice, dm, 'say')).toEqual(['So geht’s: sag <text> — Wiederholt']);
    expect(await h.ask(alice, dm, '!quatsch')).toEqual([
      'Den Befehl „!quatsch“ kenne ich nicht. Schreib „hilfe“ für alle Befehle.',
    ]);
    expect(await h.ask(alice, dm, 'Milch kaufen')).toEqual(['fallback:Milch kaufen']);
    // An empty message gets a hint, not silence (and never reaches the fallback).
    expect(await h.ask(alice, dm, '  \n ')).toEqual([
      'Deine Nachricht war leer. Schreib „hilfe“ für alle Befehle.',
    ]);
  });

  it('a failing command becomes a reply, never an exception', async () => {
    const h = setup();
    await h.ask(alice, dm, 'x');
    const [reply] = await h.ask(alice, dm, 'bumm');
    expect(reply).toMatch(/Referenz \$e/);
    expect(await h.ask(alice, dm, 'nein')).toEqual(['Geht nicht.']);
  });

  it('a 20 KB message or binary garbage does not crash and gets a short answer', async () => {
    const h = setup();
    await h.ask(alice, dm, 'x');
    const [long] = await h.ask(alice, dm, 'sag ' + 'x'.repeat(20_000));
    expect(long).toMatch(/zu lang/);
    const garbage = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 37) % 256)).toString('latin1');
    await expect(h.ask(alice, dm, garbage)).resolves.toBeDefined();
    await expect(
      h.dispatcher.handle({
        event_id: '$bad',
        room_id: dm,
        type: 'm.room.message',
        sender: alice,
        content: { body: 42 },
      }),
    ).resolves.toBe('ignored');
  });

  it('a sender without an account gets the sign-in explanation', async () => {
    const h = setup();
    const bob = '@bob:mana.test';
    h.members.set('!bobdm:mana.test', [bob, '@todo:mana.test']);
    const replies = await h.ask(bob, '!bobdm:mana.test', 'meins');
    expect(replies.at(-1)).toContain('Mit Mana anmelden');
    expect(replies.at(-1)).toContain(bob);
  });

  it('costly commands: insufficient credits reply, then exactly one charge per event', async () => {
    const h = setup();
    await h.ask(alice, dm, 'x');
    const [poor] = await h.ask(alice, dm, 'teuer');
    expect(poor).toContain('nötig sind 0,5, verfügbar 0. Es wurde nichts abgebucht.');
    expect(h.credits.commits).toHaveLength(0);
    await h.ask(alice, dm, 'language en');
    const [poorEn] = await h.ask(alice, dm, 'paid');
    expect(poorEn).toContain('it needs 0.5, you have 0 available. Nothing was charged.');
    expect(h.credits.commits).toHaveLength(0);
    h.credits.grant(alice, 1000);
    expect(await h.ask(alice, dm, 'teuer')).toEqual(['done']);
    expect(h.credits.balanceOf(alice)).toEqual({ balance: 500, held: 0, available: 500 });
    expect(h.credits.commits).toHaveLength(1);
  });

  it('a command whose operation costs 0 is bracketed with 0: the ledger records it, nothing is charged', async () => {
    const h = createTestHarness({
      bots: [
        defineBot({
          ...echo,
          commands: [
            {
              name: 'free',
              aliases: { de: ['gratis'], en: ['free'] },
              help: { de: '', en: '' },
              cost: 'op',
              run: () => 'ok',
            },
          ],
        }),
      ],
      linked: [alice],
      costs: { op: 0 },
    });
    h.members.set(dm, [alice, '@todo:mana.test']);
    expect((await h.ask(alice, dm, 'free')).at(-1)).toBe(`ok\n\n${CHOSEN_EN}`);
    expect(h.credits.commits).toEqual([expect.objectContaining({ operation: 'op', amount: 0 })]);
    expect(await h.credits.transactions(`x|y|${alice}`, 10)).toEqual([
      expect.objectContaining({ kind: 'commit', amount: 0, operation: 'op' }),
    ]);
    expect(h.credits.balanceOf(alice)).toEqual({ balance: 0, held: 0, available: 0 });
  });

  it('a failed costly command releases its hold', async () => {
    const h = createTestHarness({
      bots: [
        defineBot({
          ...echo,
          commands: [
            {
              name: 'x',
              aliases: { de: ['x'], en: ['x'] },
              help: { de: '', en: '' },
              cost: 'op',
              run: () => Promise.reject(new Error('no')),
            },
          ],
        }),
      ],
      linked: [alice],
      costs: { op: 100 },
    });
    h.members.set(dm, [alice, '@todo:mana.test']);
    h.credits.grant(alice, 100);
    await h.ask(alice, dm, 'x');
    expect(h.credits.balanceOf(alice)).toEqual({ balance: 100, held: 0, available: 100 });
  });

  it('long work gets a placeholder that is edited with the result', async () => {
    const h = setup({ progressAfterMs: 20 });
    await h.ask(alice, dm, 'sag x');
    const sent = await h.say(alice, dm, 'langsam');
    expect(sent[0]?.content.body).toContain('Einen Moment');
    expect(sent[1]?.content).toMatchObject({
      'm.relates_to': { rel_type: 'm.replace', event_id: sent[0]?.eventId },
      'm.new_content': { body: 'finally' },
    });
  });

  it('a fast command gets no typing notice; a slow one shows typing until its answer', async () => {
    const h = setup({ typingAfterMs: 20 });
    expect(await h.ask(alice, dm, 'sag hallo')).toEqual([`hallo (de)\n\n${CHOSEN_DE}`]);
    expect(h.matrix.typingLog).toEqual([]);
    expect(await h.ask(alice, dm, 'langsam')).toEqual(['finally']);
    expect(h.matrix.typingLog).toEqual([
      { roomId: dm, on: true },
      { roomId: dm, on: false },
    ]);
  });

  it("starts pulling the bot's apps with the settings, only for commands that run code", async () => {
    const h = setup();
    await h.ask(alice, dm, 'hilfe');
    await h.ask(alice, dm, 'sag');
    expect(h.stores.prefetched).toEqual([]);
    expect(await h.ask(alice, dm, 'mine')).toEqual(['0']);
    await h.ask(alice, dm, 'irgendwas');
    expect(h.stores.prefetched).toEqual([`${alice}|todo`, `${alice}|todo`]);
  });

  it('wants() passes only events handle() may act on (not the bots’ own replies)', () => {
    const h = setup();
    const ev = (type: string, sender: string) => ({ event_id: '$x', room_id: dm, type, sender, content: {} });
    expect(h.dispatcher.wants(ev('m.room.message', alice))).toBe(true);
    expect(h.dispatcher.wants(ev('m.room.encrypted', alice))).toBe(true);
    expect(h.dispatcher.wants(ev('m.room.member', '@todo:mana.test'))).toBe(true);
    expect(h.dispatcher.wants(ev('m.room.message', '@todo:mana.test'))).toBe(false);
    expect(h.dispatcher.wants(ev('m.room.message', '@clock:mana.test'))).toBe(false);
    expect(h.dispatcher.wants(ev('m.reaction', alice))).toBe(true);
    expect(h.dispatcher.wants(ev('m.typing', alice))).toBe(false);
  });

  it('language is stored in the user settings and used from then on', async () => {
    const h = setup();
    await h.ask(alice, dm, 'x');
    expect(await h.ask(alice, dm, 'sprache en')).toEqual([
      'Got it, I will answer you in English from now on.',
    ]);
    expect(h.stores.rows(alice, 'settings', 'settings')).toEqual([
      { id: 'user', language: 'en', timezone: 'Europe/Berlin' },
    ]);
    expect(await h.ask(alice, dm, 'sag hallo')).toEqual(['hallo (en)']);
  });

  it('a user without a language: the first message that shows one sets it, in her settings', async () => {
    const h = setup();
    // Plain text says nothing about the language: the default, nothing stored.
    expect(await h.ask(alice, dm, 'Milch')).toEqual(['fallback:Milch']);
    expect(h.stores.rows(alice, 'settings', 'settings')).toEqual([]);
    expect(await h.ask(alice, dm, 'say hi')).toEqual([`hi (en)\n\n${CHOSEN_EN}`]);
    expect(h.stores.rows(alice, 'settings', 'settings')).toEqual([
      { id: 'user', language: 'en', timezone: 'Europe/Berlin' },
    ]);
    // The conversation no longer switches with the words she uses.
    expect(await h.ask(alice, dm, 'sag hallo')).toEqual(['hallo (en)']);
    expect(await h.ask(alice, dm, 'say hi')).toEqual(['hi (en)']);
  });

  it('a user with a language keeps it: no note, no change', async () => {
    const h = setup();
    await h.ask(alice, dm, 'language de');
    expect(await h.ask(alice, dm, 'say hi')).toEqual(['hi (de)']);
    expect(h.stores.rows(alice, 'settings', 'settings')).toEqual([
      { id: 'user', language: 'de', timezone: 'Europe/Berlin' },
    ]);
  });

  it('a user without an account: the bot remembers the first language itself', async () => {
    const h = setup();
    const bob = '@bob:mana.test';
    h.members.set('!bobdm:mana.test', [bob, todo]);
    const [first] = await h.ask(bob, '!bobdm:mana.test', 'meins');
    expect(first).toContain('Zu @bob:mana.test gehört noch kein Mana-Konto');
    expect(first).toContain(CHOSEN_DE);
    expect(await h.ask(bob, '!bobdm:mana.test', 'mine')).toEqual([
      expect.stringContaining('Zu @bob:mana.test gehört noch kein Mana-Konto'),
    ]);
    expect(await h.ask(bob, '!bobdm:mana.test', 'language en')).toEqual([
      'Got it, I will answer you in English from now on.',
    ]);
    expect((await h.ask(bob, '!bobdm:mana.test', 'meins'))[0]).toContain('There is no Mana account');
    // Once he has an account, his settings learn the language he chose.
    h.identity.link(bob);
    expect(await h.ask(bob, '!bobdm:mana.test', 'sag hallo')).toEqual(['hallo (en)']);
    expect(h.stores.rows(bob, 'settings', 'settings')).toEqual([
      { id: 'user', language: 'en', timezone: 'Europe/Berlin' },
    ]);
  });

  it('joins on invite (allow-list) and remembers membership', async () => {
    const h = setup();
    await h.dispatcher.handle({
      event_id: '$i',
      room_id: '!new:mana.test',
      type: 'm.room.member',
      sender: alice,
      state_key: '@todo:mana.test',
      content: { membership: 'invite', is_direct: true },
    });
    expect(h.matrix.joins).toEqual(['@todo:mana.test|!new:mana.test']);
    expect(isInviteAllowed('@x:evil.org', [':mana.test'])).toBe(false);
    expect(isInviteAllowed('@x:mana.test', [':mana.test'])).toBe(true);
    expect(isInviteAllowed('@ops:a.org', ['@ops:a.org'])).toBe(true);
  });

  const encryptedEvent = (id: string) => ({
    event_id: id,
    room_id: dm,
    type: 'm.room.encrypted',
    sender: alice,
    content: { algorithm: 'm.megolm.v1.aes-sha2', ciphertext: `cipher-of-${id}` },
  });

  it('without E2EE says in plain text that it cannot read the room, at most once per room every 10 minutes', async () => {
    let at = Date.parse('2026-03-01T10:00:00Z');
    const h = setup({ now: () => new Date(at) });
    await h.dispatcher.handle(encryptedEvent('$enc1'));
    await h.dispatcher.handle(encryptedEvent('$enc2'));
    at += 9 * 60_000;
    await h.dispatcher.handle(encryptedEvent('$enc3'));
    const notices = () => h.matrix.sent.filter((s) => String(s.content.body).includes('verschlüsselte'));
    expect(notices()).toHaveLength(1);
    // Sent as an ordinary (unencrypted) notice: the bot has no keys to encrypt with.
    expect(notices()[0]).toMatchObject({
      roomId: dm,
      type: 'm.room.message',
      content: { msgtype: 'm.notice' },
    });
    expect(notices()[0]?.content).not.toHaveProperty('algorithm');
    at += 2 * 60_000;
    await h.dispatcher.handle(encryptedEvent('$enc4'));
    expect(notices()).toHaveLength(2);
  });

  it('a decrypted message goes through the normal command path', async () => {
    const seen: string[][] = [];
    const h = setup({
      e2ee: {
        decrypt: async (event, userIds) => {
          seen.push([...userIds]);
          return {
            ok: true,
            event: { ...event, type: 'm.room.message', content: { msgtype: 'm.text', body: 'sag hallo' } },
          };
        },
      },
    });
    await h.dispatcher.handle(encryptedEvent('$enc1'));
    expect(seen).toEqual([['@todo:mana.test']]);
    expect(h.matrix.sent.map((s) => s.content.body)).toEqual([`hallo (de)\n\n${CHOSEN_DE}`]);
    expect(h.matrix.sent[0]?.content['m.relates_to']).toEqual({ 'm.in_reply_to': { event_id: '$enc1' } });
  });

  it('an undecryptable message is tried again after the wait, then gets one short notice', async () => {
    let calls = 0;
    const later = setup({
      undecryptableWaitMs: 10,
      e2ee: {
        decrypt: async (event) =>
          ++calls === 1
            ? { ok: false, reason: 'undecryptable', error: 'no session' }
            : {
                ok: true,
                event: { ...event, type: 'm.room.message', content: { msgtype: 'm.text', body: 'sag spät' } },
              },
      },
    });
    await later.dispatcher.handle(encryptedEvent('$late'));
    expect(calls).toBe(2);
    expect(later.matrix.sent.map((s) => s.content.body)).toEqual([`spät (de)\n\n${CHOSEN_DE}`]);

    const never = setup({
      undecryptableWaitMs: 10,
      e2ee: { decrypt: async () => ({ ok: false, reason: 'undecryptable', error: 'no session' }) },
    });
    await never.dispatcher.handle(encryptedEvent('$never'));
    expect(never.matrix.sent.map((s) => s.content.body)).toEqual([
      'Ich konnte deine verschlüsselte Nachricht nicht entschlüsseln (mir fehlen ihre Schlüssel). Bitte sende sie noch einmal.',
    ]);
    expect(never.matrix.sent[0]?.content).toMatchObject({ msgtype: 'm.notice' });
  });

  it('before the devices are ready, an encrypted message gets the cannot-read notice', async () => {
    const h = setup({ e2ee: { decrypt: async () => ({ ok: false, reason: 'unavailable' }) } });
    await h.dispatcher.handle(encryptedEvent('$early'));
    expect(h.matrix.sent.map((s) => String(s.content.body))).toEqual([
      expect.stringContaining('verschlüsselte'),
    ]);
  });
});

describe('cancellation, threads and reactions', () => {
  const reaction = (sender: string, target: string, key: string) => ({
    event_id: `$r-${Math.random().toString(36).slice(2)}`,
    room_id: dm,
    type: 'm.reaction',
    sender,
    content: { 'm.relates_to': { rel_type: 'm.annotation', event_id: target, key } },
  });

  async function tasks(h: ReturnType<typeof setup>) {
    return (await (await h.stores.forUser(alice, 'todo')).list('tasks')).map((t) => t.id);
  }

  it('a command past its timeout: the user is told, nothing is written after the abort, nothing charged', async () => {
    const h = setup({ commandTimeoutMs: 60 });
    h.credits.grant(alice, 1000);
    await h.ask(alice, dm, 'x');
    const replies = await h.ask(alice, dm, 'hängen');
    expect(replies.at(-1)).toMatch(/zu lange gedauert.*nichts abgebucht/);
    await new Promise((r) => setTimeout(r, 300));
    expect(await tasks(h)).toEqual(['first']);
    expect(h.credits.commits).toHaveLength(0);
    expect(h.credits.balanceOf(alice)).toEqual({ balance: 1000, held: 0, available: 1000 });
  });

  it('❌ on a running command (by its sender) cancels it: told, not charged, no later write', async () => {
    const h = setup();
    h.credits.grant(alice, 1000);
    await h.ask(alice, dm, 'x');
    const event = textEvent(alice, dm, 'hängen');
    const handling = h.dispatcher.handle(event);
    await new Promise((r) => setTimeout(r, 30));
    expect(await h.dispatcher.handle(reaction('@bob:mana.test', event.event_id, '❌'))).toBe('ignored');
    expect(await h.dispatcher.handle(reaction(alice, event.event_id, '❌'))).toBe('handled');
    await handling;
    expect(String(h.matrix.sent.at(-1)?.content.body)).toMatch(/^Abgebrochen\. Es wurde nichts abgebucht\./);
    await new Promise((r) => setTimeout(r, 300));
    expect(await tasks(h)).toEqual(['first']);
    expect(h.credits.commits).toHaveLength(0);
    expect(h.credits.balanceOf(alice).held).toBe(0);
  });

  it('"stop" from the sender cancels their running command in that room (and is marked for out of band)', async () => {
    const h = setup();
    h.credits.grant(alice, 1000);
    await h.ask(alice, dm, 'x');
    const event = textEvent(alice, dm, 'hängen');
    const handling = h.dispatcher.handle(event);
    await new Promise((r) => setTimeout(r, 30));
    const stop = textEvent(alice, dm, 'stop');
    expect(h.dispatcher.mayStop(stop)).toBe(true);
    expect(h.dispatcher.mayStop(textEvent(alice, dm, 'bitte nicht aufhören'))).toBe(false);
    expect(await h.dispatcher.handle(textEvent('@bob:mana.test', '!other:mana.test', 'stop'))).not.toBe(
      'handled',
    );
    expect(await h.dispatcher.handle(stop)).toBe('handled');
    await handling;
    expect(String(h.matrix.sent.at(-1)?.content.body)).toMatch(/^Abgebrochen\. Es wurde nichts abgebucht\./);
    expect(h.credits.commits).toHaveLength(0);
    expect(h.credits.balanceOf(alice).held).toBe(0);
  });

  it("a bot's reaction handler runs with the reaction as its event", async () => {
    const h = setup();
    await h.ask(alice, dm, 'x');
    await h.dispatcher.handle(reaction(alice, '$some-bot-message', '💤'));
    expect(h.matrix.sent.at(-1)?.content.body).toBe(`snoozed $some-bot-message for ${alice}`);
    expect(await h.dispatcher.handle(reaction(alice, '$x', '👍'))).toBe('ignored');
  });

  it('a command sent in a thread is answered in that thread', async () => {
    const h = setup();
    const sent = await h.say(alice, group, 'todo: say hi', {
      'm.relates_to': { rel_type: 'm.thread', event_id: '$root' },
    });
    expect(sent.at(-1)?.content['m.relates_to']).toMatchObject({
      rel_type: 'm.thread',
      event_id: '$root',
    });
  });
});

describe('time zones and files', () => {
  it('zeitzone sets the IANA zone in her settings and dates follow it; a bad name gets an example', async () => {
    const h = setup();
    await h.ask(alice, dm, 'x');
    const [bad] = await h.ask(alice, dm, 'zeitzone Mars/Olympus');
    expect(bad).toMatch(/Europe\/Berlin/);
    const [set] = await h.ask(alice, dm, 'zeitzone asia/tokyo');
    expect(set).toContain('Asia/Tokyo');
    const settings = await h.stores.forUser(alice, 'settings');
    expect((await settings.list('settings'))[0]).toMatchObject({ timezone: 'Asia/Tokyo' });
    const [shown] = await h.ask(alice, dm, 'zeitzone');
    expect(shown).toContain('Deine Zeitzone ist Asia/Tokyo');
  });

  it('a file to a bot that takes none gets "I only understand text"; one that takes images gets it', async () => {
    const h = setup();
    await h.ask(alice, dm, 'x');
    const image = {
      msgtype: 'm.image',
      body: 'cat.png',
      url: 'mxc://mana.test/cat',
      info: { mimetype: 'image/png', size: 3 },
    };
    const sent = await h.say(alice, dm, 'cat.png', image);
    expect(sent.at(-1)?.content.body).toContain('Ich verstehe nur Text');

    const seen: string[] = [];
    const picky = createTestHarness({
      bots: [
        defineBot({
          ...echo,
          media: {
            accepts: ['image', 'voice'],
            async handle(_ctx, media) {
              const file = await media.download();
              seen.push(`${media.kind} ${media.mimetype} ${file.bytes.length}`);
              return `got ${media.kind}`;
            },
          },
        }),
      ],
      linked: [alice],
    });
    picky.members.set(dm, [alice, '@todo:mana.test']);
    picky.matrix.media.set('mxc://mana.test/cat', {
      bytes: new Uint8Array([1, 2, 3]),
      contentType: 'image/png',
    });
    expect((await picky.say(alice, dm, 'cat.png', image)).at(-1)?.content.body).toBe('got image');
    expect(seen).toEqual(['image image/png 3']);
    const voice = {
      msgtype: 'm.audio',
      body: 'voice',
      url: 'mxc://mana.test/cat',
      'org.matrix.msc3245.voice': {},
    };
    expect((await picky.say(alice, dm, 'voice', voice)).at(-1)?.content.body).toBe('got voice');
    // Audio the bot does not take is speech to transcribe (stages/voice.ts); none is set up here.
    const plainAudio = { msgtype: 'm.audio', body: 'song.ogg', url: 'mxc://mana.test/cat' };
    expect(String((await picky.say(alice, dm, 'song', plainAudio)).at(-1)?.content.body)).toContain(
      'keine Spracherkennung eingerichtet',
    );
  });
});

describe('addressedText', () => {
  const bot = { id: 'todo', userId: '@todo:mana.test', displayName: 'Todo', description: { de: '', en: '' } };
  it('recognizes prefixes and mentions', () => {
    expect(addressedText(bot, { body: 'todo: liste' })).toBe('liste');
    expect(addressedText(bot, { body: 'Todo, liste' })).toBe('liste');
    expect(addressedText(bot, { body: '@todo:mana.test liste' })).toBe('liste');
    expect(addressedText(bot, { body: 'todoliste bitte' })).toBeUndefined();
    expect(addressedText(bot, { body: 'ich muss noch todo machen' })).toBeUndefined();
  });
});
