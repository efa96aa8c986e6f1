import { createTestHarness } from '@mana/bot-runtime/testing';
import { describe, expect, it } from 'vitest';
import type { BotDefinition } from '@mana/bot-runtime';
import { createLlmRegistry, createOllamaProvider } from '@mana/llm';
import { startFakeLlmServer } from '@mana/llm/fake';
import { createTodoBot, todoBot } from './bot.ts';

const alice = '@alice:mana.test';
const dm = '!dm:mana.test';
const now = new Date('2026-11-19T09:00:00Z');

function setup(bot: BotDefinition = todoBot) {
  const h = createTestHarness({
    bots: [bot],
    linked: [alice],
    costs: { task_create: 0, ai_task_breakdown: 500 },
    now: () => now,
  });
  h.members.set(dm, [alice, '@todo:mana.test']);
  return h;
}

describe('todo bot', () => {
  it('greets once when it joins a DM: what it does, examples, help — in her language', async () => {
    const h = setup();
    const [de, ...rest] = await h.invite(alice, dm, '@todo:mana.test');
    expect(rest).toEqual([]);
    expect(de).toBe(
      [
        'Hallo, ich bin Todo: Aufgaben, Projekte und Erinnerungen.',
        'Zum Beispiel:',
        '• neu Milch kaufen @morgen',
        '• liste',
        '• erledigt 1',
        '„hilfe“ zeigt alle Befehle. In English: „language en“.',
      ].join('\n'),
    );
    expect(await h.invite(alice, dm, '@todo:mana.test')).toEqual([]);
    await h.ask(alice, dm, 'language en');
    const [en] = await h.invite(alice, '!other:mana.test', '@todo:mana.test');
    expect(en).toContain('Hi, I am Todo: Tasks, projects and reminders.');
    expect(en).toContain('• add Buy milk @tomorrow\n• list\n• done 1');
    expect(en).toContain('“help” shows all commands.');
  });

  it('an English alias from a German user gets a German reply', async () => {
    const h = setup();
    await h.ask(alice, dm, 'neu Brot');
    const [list] = await h.ask(alice, dm, 'list');
    expect(list).toContain('Offene Aufgaben');
    expect(list).not.toContain('sprache');
  });

  it('neu → liste → erledigt, in German, stored in the todo stream', async () => {
    const h = setup();
    const [added] = await h.ask(alice, dm, 'neu Milch kaufen @morgen');
    // Her first message sets her language; the reply says how to switch.
    expect(added).toBe(
      '✅ Neue Aufgabe: Milch kaufen — fällig morgen\n\nIch antworte dir ab jetzt auf Deutsch. In English: „language en“.',
    );
    const tasks = h.stores.rows(alice, 'todo', 'tasks');
    expect(tasks).toEqual([
      expect.objectContaining({
        title: 'Milch kaufen',
        dueDate: '2026-11-20',
        completed: false,
        priority: 4,
      }),
    ]);
    const [list] = await h.ask(alice, dm, 'liste');
    expect(list).toContain('Offene Aufgaben');
    expect(list).toContain('1. Milch kaufen — morgen');
    expect(await h.ask(alice, dm, 'erledigt 1')).toEqual(['☑️ Erledigt: Milch kaufen']);
    expect(h.stores.rows(alice, 'todo', 'tasks')[0]).toMatchObject({ completed: true });
    expect(h.matrix.sent.some((s) => s.type === 'm.reaction')).toBe(true);
    expect(await h.ask(alice, dm, 'liste')).toEqual(['Keine offenen Aufgaben. 🎉']);
  });

  it('the same in English, plain text becomes a task, tasks from elsewhere show up', async () => {
    const h = setup();
    expect(await h.ask(alice, dm, 'add buy milk @tomorrow !p1')).toEqual([
      '✅ New task: buy milk — due tomorrow (p1)\n\nI will answer you in English from now on. Auf Deutsch: “sprache de”.',
    ]);
    await h.ask(alice, dm, 'Steuererklärung #Finanzen');
    // Written by the web app into the same stream.
    await (
      await h.stores.forUser(alice, 'todo')
    ).upsert('tasks', 'web-1', { title: 'from the web', priority: 3, completed: false });
    const [list] = await h.ask(alice, dm, 'list');
    expect(list?.split('\n').slice(1)).toEqual([
      '1. 🔴 buy milk — tomorrow',
      '2. 🔵 from the web',
      '3. Steuererklärung',
    ]);
    expect(await h.ask(alice, dm, 'projects')).toEqual(['Projects\n• Finanzen (1)']);
    expect((await h.ask(alice, dm, 'project Finanzen'))[0]).toContain('Steuererklärung');
    expect((await h.ask(alice, dm, 'inbox'))[0]).not.toContain('Steuererklärung');
    expect(await h.ask(alice, dm, 'delete 2')).toEqual(['🗑️ Deleted: from the web']);
    expect(await h.ask(alice, dm, 'stats')).toEqual(['2 open · 0 due today · 0 overdue · 0 done']);
  });

  it('numbers refer to the last list shown; unknown numbers get a clear answer', async () => {
    const h = setup();
    await h.ask(alice, dm, 'neu A');
    expect((await h.ask(alice, dm, 'erledigt 1'))[0]).toContain('letzten Liste nicht');
    await h.ask(alice, dm, 'liste');
    expect(await h.ask(alice, dm, 'erledigt 1')).toEqual(['☑️ Erledigt: A']);
    expect(await h.ask(alice, dm, 'erledigt x')).toEqual([
      'So geht’s: erledigt <Nummer> — Hakt Aufgabe N aus der letzten Liste ab.',
    ]);
  });

  it('remind schedules a delayed job that posts once', async () => {
    const h = setup();
    await h.ask(alice, dm, 'neu Zahnarzt anrufen');
    await h.ask(alice, dm, 'liste');
    const [reply] = await h.ask(alice, dm, 'erinnere 1 in 10 Minuten');
    expect(reply).toContain('Ich erinnere dich');
    const [job] = [...h.scheduler.jobs.values()];
    expect(job?.at.toISOString()).toBe('2026-11-19T09:10:00.000Z');
    expect(h.stores.rows(alice, 'todo', 'reminders')).toHaveLength(1);
    if (!job) throw new Error('no job');
    await h.dispatcher.runJob(job);
    await h.dispatcher.runJob(job);
    const posts = h.matrix.sent.filter((s) => String(s.content.body).startsWith('⏰ Erinnerung'));
    expect(posts).toHaveLength(1);
    expect(posts[0]?.roomId).toBe(dm);
  });

  it('breakdown asks the LLM (provider interface), stores the subtasks under the task, costs credits', async () => {
    const fake = await startFakeLlmServer({
      models: [{ name: 'm', script: { tokens: ['- Einkaufen\n', '2. Kochen\n', '**Abwaschen**\n'] } }],
    });
    try {
      const llm = createLlmRegistry({
        providers: [createOllamaProvider({ baseUrl: fake.url })],
        defaultModel: 'ollama/m',
      });
      const h = setup(createTodoBot({ llm: () => llm }));
      await h.ask(alice, dm, 'neu Abendessen machen');
      await h.ask(alice, dm, 'liste');
      expect((await h.ask(alice, dm, 'zerlegen 1'))[0]).toContain('reichen deine Credits nicht');
      expect(fake.streams).toHaveLength(0);
      h.credits.grant(alice, 500);
      expect((await h.ask(alice, dm, 'zerlegen 1'))[0]).toBe(
        '🧩 Teilaufgaben: 1. Einkaufen\n2. Kochen\n3. Abwaschen',
      );
      expect(fake.streams[0]?.request.messages.at(-1)?.content).toBe('Abendessen machen');
      const rows = h.stores.rows(alice, 'todo', 'tasks');
      const parent = rows.find((r) => r.title === 'Abendessen machen');
      expect(rows.filter((r) => r.parentId === parent?.id).map((r) => r.title)).toEqual([
        'Einkaufen',
        'Kochen',
        'Abwaschen',
      ]);
      expect(h.credits.balanceOf(alice).balance).toBe(0);
    } finally {
      await fake.close();
    }
  });

  it('breakdown without an AI provider says so and charges nothing', async () => {
    const h = setup(createTodoBot({ llm: () => undefined }));
    h.credits.grant(alice, 500);
    await h.ask(alice, dm, 'neu Einkaufen, kochen und abwaschen');
    await h.ask(alice, dm, 'liste');
    expect((await h.ask(alice, dm, 'zerlegen 1'))[0]).toBe(
      'Es ist kein KI-Anbieter eingerichtet, darum kann ich nicht zerlegen. Es wurde nichts abgebucht.',
    );
    expect(h.stores.rows(alice, 'todo', 'tasks')).toHaveLength(1);
    expect(h.credits.balanceOf(alice).balance).toBe(500);
  });

  it('a long message: the first line is the title, the rest the notes; the reply shows a short title', async () => {
    const h = setup();
    const words = Array.from({ length: 1000 }, (_, i) => `w${i % 10}rd`).join(' '); // 5,000 characters
    expect(words).toHaveLength(4999);
    const [reply] = await h.ask(alice, dm, `neu ${words}`);
    const [task] = h.stores.rows(alice, 'todo', 'tasks');
    const title = String(task?.title);
    expect(title.length).toBeLessThanOrEqual(1000);
    expect(title.length).toBeGreaterThan(990);
    expect(words.startsWith(title)).toBe(true);
    // Nothing is lost: title and notes together are the message.
    expect(`${title} ${String(task?.notes)}`).toBe(words);
    expect(reply).toMatch(
      /^✅ Neue Aufgabe: w0rd w1rd .{1,80}…\nDer Rest deiner Nachricht steht in den Notizen/u,
    );
    // Short (the language note a first message gets is not counted).
    expect(reply!.split('\n\n')[0]!.length).toBeLessThan(200);
    // Lists and replies about it show the short title too.
    const [list] = await h.ask(alice, dm, 'liste');
    expect(list).toMatch(/^Offene Aufgaben\n1\. w0rd w1rd .{1,80}…$/u);
    expect((await h.ask(alice, dm, 'erledigt 1'))[0]).toMatch(/^☑️ Erledigt: w0rd .{1,80}…$/u);

    await h.ask(alice, dm, 'add Call Anna @tomorrow\nabout the rent\nand the keys');
    const call = h.stores.rows(alice, 'todo', 'tasks').find((t) => t.title === 'Call Anna');
    expect(call).toMatchObject({ dueDate: '2026-11-20', notes: 'about the rent\nand the keys' });
    // A short one-line task has no notes and no remark about them.
    // (Her language is German since her first message, whatever words she uses now.)
    expect(await h.ask(alice, dm, 'add buy milk')).toEqual(['✅ Neue Aufgabe: buy milk']);
    expect(h.stores.rows(alice, 'todo', 'tasks').find((t) => t.title === 'buy milk')).not.toHaveProperty(
      'notes',
    );
  });
});
