import { createTestHarness } from '@mana/bot-runtime/testing';
import { quoteOfTheDay, QUOTES, searchQuotes } from '@mana/quotes';
import { describe, expect, it } from 'vitest';
import { dayIn } from '@mana/bot-runtime';
import { createZitareBot, dailyKey } from './bot.ts';

const alice = '@alice:mana.test';
const bob = '@bob:mana.test';
const dm = '!dm:mana.test';
const bobDm = '!bob:mana.test';
const now = new Date('2026-12-02T09:00:00Z');
const bot = createZitareBot({ dailyGraceMs: 60 * 60 * 1000 });

async function setup(lang: 'de' | 'en' = 'de') {
  let clock = now;
  const h = createTestHarness({
    bots: [bot],
    linked: [alice, bob],
    costs: { zitare_quote: 10 },
    now: () => clock,
  });
  h.members.set(dm, [alice, '@zitare:mana.test']);
  h.members.set(bobDm, [bob, '@zitare:mana.test']);
  h.credits.grant(alice, 1000);
  h.credits.grant(bob, 1000);
  await h.ask(alice, dm, `language ${lang}`);
  await h.ask(bob, bobDm, `language ${lang}`);
  return {
    h,
    setNow: (d: Date) => {
      clock = d;
    },
  };
}

describe('zitare bot', () => {
  it('zitat: a random quote in her language with author and source', async () => {
    const { h } = await setup('de');
    const [reply] = await h.ask(alice, dm, 'zitat');
    const q = QUOTES.find((x) => reply?.includes(x.text));
    expect(q?.lang).toBe('de');
    expect(reply).toContain(`— ${q?.author}`);
    const [en] = await h.ask(alice, dm, 'quote humor');
    const qe = QUOTES.find((x) => en?.includes(x.text));
    expect(qe?.categories).toContain('humor');
  });

  it('heute: the same quote for everyone on a date, charged once per ask; another date another quote', async () => {
    const { h, setNow } = await setup('de');
    const expected = quoteOfTheDay(dayIn(now, 'Europe/Berlin'));
    const [a] = await h.ask(alice, dm, 'heute');
    const [b] = await h.ask(bob, bobDm, 'today');
    expect(a).toContain('Zitat des Tages');
    expect(a).toContain(expected.text);
    expect(b).toContain(expected.text);
    expect(h.credits.commits.length).toBe(2);
    setNow(new Date('2026-12-03T09:00:00Z'));
    const [c] = await h.ask(alice, dm, 'heute');
    expect(c).not.toContain(expected.text);
    expect(c).toContain(quoteOfTheDay('2026-12-03').text);
  });

  it('suche: accent- and case-insensitive, numbered; a single hit is shown whole', async () => {
    const { h } = await setup('de');
    const [list] = await h.ask(alice, dm, 'suche GOETHE faust');
    expect(list).toMatch(/\d+ Treffer für „GOETHE faust“/);
    expect(list).toContain('1. „');
    const [one] = await h.ask(alice, dm, 'suche gotterfunken');
    expect(one).toContain('Freude, schöner Götterfunken');
    const [none] = await h.ask(alice, dm, 'suche xylophonquark');
    expect(none).toBe('Nichts gefunden für „xylophonquark“.');
  });

  it('kategorie, kategorien and motivation', async () => {
    const { h } = await setup('de');
    const [cats] = await h.ask(alice, dm, 'kategorien');
    expect(cats).toContain('Liebe (');
    expect(cats).toContain('Humor (');
    const [love] = await h.ask(alice, dm, 'kategorie Liebe');
    expect(QUOTES.find((q) => love?.includes(q.text))?.categories).toContain('love');
    const [bad] = await h.ask(alice, dm, 'kategorie Quatsch');
    expect(bad).toContain('„Quatsch“ ist keine Kategorie. Es gibt: motivation, leben');
    const [m] = await h.ask(alice, dm, 'motivation');
    expect(QUOTES.find((q) => m?.includes(q.text))?.categories).toContain('motivation');
  });

  it('favorit saves the last quote shown as a zitare row; twice is one row; favoriten lists them', async () => {
    const { h } = await setup('de');
    const [none] = await h.ask(alice, dm, 'favorit');
    expect(none).toContain('noch kein Zitat gezeigt');
    const [shown] = await h.ask(alice, dm, 'heute');
    const q = QUOTES.find((x) => shown?.includes(x.text))!;
    expect((await h.ask(alice, dm, 'favorit'))[0]).toContain('⭐ Favorit gespeichert');
    expect((await h.ask(alice, dm, 'fav'))[0]).toBe('Ist schon ein Favorit. ⭐');
    expect(h.stores.rows(alice, 'zitare', 'favorites')).toEqual([
      expect.objectContaining({ id: q.id, quoteId: q.id, addedAt: now.toISOString() }),
    ]);
    const [favs] = await h.ask(alice, dm, 'favoriten');
    expect(favs).toContain('Deine Favoriten');
    expect(favs).toContain(`— ${q.author}`);
    expect(h.stores.rows(bob, 'zitare', 'favorites')).toEqual([]);
    expect((await h.ask(alice, dm, 'unfav 1'))[0]).toBe('Favorit entfernt.');
    expect(h.stores.rows(alice, 'zitare', 'favorites')).toEqual([]);
  });

  it('zur liste N name → listen → liste name, stored as one lists row per name', async () => {
    const { h } = await setup('de');
    await h.ask(alice, dm, 'suche schiller tell');
    const hits = searchQuotes('schiller tell');
    const [added] = await h.ask(alice, dm, 'zur liste 2 Morgen Gedanken');
    expect(added).toContain('In „Morgen Gedanken“ (1)');
    await h.ask(alice, dm, 'zur liste 3 morgen gedanken');
    expect((await h.ask(alice, dm, 'zur liste 3 Morgen Gedanken'))[0]).toBe(
      'Steht schon in „Morgen Gedanken“.',
    );
    const rows = h.stores.rows(alice, 'zitare', 'lists');
    expect(rows).toEqual([
      expect.objectContaining({ name: 'Morgen Gedanken', quoteIds: [hits[1]?.id, hits[2]?.id] }),
    ]);
    expect((await h.ask(alice, dm, 'listen'))[0]).toContain('Morgen Gedanken (2)');
    const [list] = await h.ask(alice, dm, 'liste MORGEN gedanken');
    expect(list).toContain(hits[1]?.author ?? 'x');
    expect(list).toContain('1. „');
    // Without a number: the last single quote shown.
    const [shown] = await h.ask(alice, dm, 'heute');
    const q = QUOTES.find((x) => shown?.includes(x.text))!;
    await h.ask(alice, dm, 'zur liste Abend');
    expect(h.stores.rows(alice, 'zitare', 'lists').find((r) => r.name === 'Abend')?.quoteIds).toEqual([q.id]);
  });

  it('malformed input gets a short usage line, nothing stored', async () => {
    const { h } = await setup('de');
    await h.ask(alice, dm, 'suche goethe');
    expect((await h.ask(alice, dm, 'zur liste'))[0]).toMatch(/^So geht’s: zur <liste \[N\] Name>/);
    expect((await h.ask(alice, dm, 'zur liste 5'))[0]).toMatch(/^So geht’s: zur/);
    expect((await h.ask(alice, dm, 'zur liste 99 X'))[0]).toContain('Nummer 99 gibt es');
    expect((await h.ask(alice, dm, 'suche'))[0]).toMatch(/^So geht’s: suche <Text>/);
    expect((await h.ask(alice, dm, 'täglich 25:00'))[0]).toMatch(/^So geht’s: täglich \[HH:MM\|aus\]/);
    expect((await h.ask(alice, dm, 'favorit x'))[0]).toMatch(/^So geht’s: favorit \[Nummer\]/);
    expect(h.stores.rows(alice, 'zitare', 'lists')).toEqual([]);
    expect(h.scheduler.repeatables.size).toBe(0);
  });

  it('täglich 8:00 sets a series in her zone; it posts the quote of the day once; täglich aus removes it', async () => {
    const { h, setNow } = await setup('de');
    expect((await h.ask(alice, dm, 'täglich 8:00'))[0]).toBe(
      '⏰ Ab jetzt jeden Tag um 08:00 (Europe/Berlin) das Zitat des Tages.',
    );
    const series = h.scheduler.repeatables.get(dailyKey(alice));
    expect(series?.repeat).toEqual({ pattern: '0 8 * * *', tz: 'Europe/Berlin' });
    expect((await h.ask(alice, dm, 'täglich'))[0]).toContain('täglich um 08:00 (Europe/Berlin)');

    const at = new Date('2026-12-03T07:00:00Z'); // 08:00 in Berlin
    setNow(new Date(at.getTime() + 5_000));
    const job = {
      botId: 'zitare',
      name: 'daily',
      jobId: `${dailyKey(alice)}@${at.toISOString()}`,
      data: series?.data,
      repeat: { key: dailyKey(alice), at: at.toISOString() },
    };
    const before = h.matrix.sent.length;
    await h.dispatcher.runJob(job);
    await h.dispatcher.runJob(job); // a second delivery (another runner) is claimed already
    const posts = h.matrix.sent.slice(before);
    expect(posts).toHaveLength(1);
    expect(posts[0]?.roomId).toBe(dm);
    expect(String(posts[0]?.content.body)).toContain('Zitat des Tages');
    expect(String(posts[0]?.content.body)).toContain(quoteOfTheDay('2026-12-03').text);

    // Moved to later the same day: not a second one today.
    await h.ask(alice, dm, 'täglich 9:00');
    const later = new Date('2026-12-03T08:00:00Z');
    setNow(new Date(later.getTime() + 1_000));
    const n = h.matrix.sent.length;
    await h.dispatcher.runJob({
      ...job,
      jobId: `${dailyKey(alice)}@${later.toISOString()}`,
      repeat: { key: dailyKey(alice), at: later.toISOString() },
    });
    expect(h.matrix.sent.length).toBe(n);

    expect((await h.ask(alice, dm, 'täglich aus'))[0]).toBe('Tägliches Zitat ist aus.');
    expect(h.scheduler.repeatables.has(dailyKey(alice))).toBe(false);
    expect((await h.ask(alice, dm, 'daily off'))[0]).toBe('Es war kein tägliches Zitat eingestellt.');
  });

  it('an occurrence delivered past the grace period (runner was down) is skipped', async () => {
    const { h, setNow } = await setup('en');
    await h.ask(alice, dm, 'daily 07:30');
    const series = h.scheduler.repeatables.get(dailyKey(alice));
    const at = new Date('2026-12-03T06:30:00Z');
    setNow(new Date(at.getTime() + 3 * 60 * 60 * 1000));
    const before = h.matrix.sent.length;
    await h.dispatcher.runJob({
      botId: 'zitare',
      name: 'daily',
      jobId: `${dailyKey(alice)}@${at.toISOString()}`,
      data: series?.data,
      repeat: { key: dailyKey(alice), at: at.toISOString() },
    });
    expect(h.matrix.sent.length).toBe(before);
  });
});
