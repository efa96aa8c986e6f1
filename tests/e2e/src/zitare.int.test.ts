/**
 * The zitare bot end to end: the real runner process (BOT_BOTS with zitare) against a real Synapse,
 * auth, sync, credits and Redis; a person talks to it with matrix-js-sdk, the favorites and lists it
 * writes are read back from sync, and the web app's quotes view (production build, headless
 * Chromium) shows them live.
 */
import { attribution, quoteOfTheDay, searchQuotes } from '@mana/quotes';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bodyOf, openChat, type Chat } from './support/bots-chat.ts';
import { SERVER_NAME, type BotsStack, type StackUser } from './support/bots-stack.ts';
import { syncState, type WebApp } from './support/web-app.ts';
import { startWebStack, type WebStack } from './support/web-stack.ts';
import { logRunnerOnFailure } from './support/index.ts';

const ZITARE = `@zitare:${SERVER_NAME}`;
const TZ = 'Europe/Berlin';

let stack: BotsStack;
let anna: StackUser;
let ben: StackUser;
let annaChat: Chat;
let benChat: Chat;
let web: WebApp | undefined;
let running: WebStack | undefined;

const dayIn = (d: Date) =>
  new Intl.DateTimeFormat('en-CA', {
    timeZone: TZ,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(d);

beforeAll(async () => {
  running = await startWebStack({
    label: 'e2e_zitare',
    startingBalance: 1_000,
    runnerEnv: { BOT_BOTS: 'mana,todo,zitare', BOT_PROGRESS_AFTER_MS: '15000' },
  });
  ({ stack, web } = running);
  [anna, ben] = await Promise.all([stack.ssoUser('anna'), stack.ssoUser('ben')]);
  [annaChat, benChat] = await Promise.all([openChat(stack, anna, ZITARE), openChat(stack, ben, ZITARE)]);
  await annaChat.ask('sprache de');
  await benChat.ask('language en');
}, 180_000);

afterAll(async () => {
  await running?.close();
});

afterEach(logRunnerOnFailure(() => stack));

async function zitareRows(user: StackUser) {
  const c = await stack.appsSync(user, `${user.username}-web-${Date.now()}`, ['zitare']);
  await c.sync('zitare');
  return { favorites: await c.query('zitare', 'favorites'), lists: await c.query('zitare', 'lists') };
}

describe('zitare through a real Matrix client', () => {
  it('zitat: a German quote with its author', async () => {
    const reply = await annaChat.ask('zitat');
    expect(reply.sender).toBe(ZITARE);
    expect(reply.content.msgtype).toBe('m.notice');
    expect(bodyOf(reply)).toMatch(/\n— [^\n]+$/);
    expect(String(reply.content.formatted_body)).toContain('<blockquote>');
  });

  it('heute: the same quote of the day for two people, asked twice', async () => {
    const expected = quoteOfTheDay(dayIn(new Date()));
    const a1 = bodyOf(await annaChat.ask('heute'));
    const a2 = bodyOf(await annaChat.ask('heute'));
    const b = bodyOf(await benChat.ask('today'));
    expect(a1).toContain('Zitat des Tages');
    expect(b).toContain('Quote of the day');
    for (const body of [a1, a2, b]) {
      expect(body).toContain(expected.text);
      expect(body).toContain(attribution(expected));
    }
  });

  it('suche: case- and accent-insensitive, numbered', async () => {
    const body = bodyOf(await annaChat.ask('suche HOLDERLIN'));
    const hits = searchQuotes('holderlin');
    expect(body).toContain(`${hits.length} Treffer`);
    expect(body).toContain('Friedrich Hölderlin');
    expect(bodyOf(await annaChat.ask('suche xylophonquark'))).toBe('Nichts gefunden für „xylophonquark“.');
    expect(bodyOf(await annaChat.ask('suche'))).toMatch(/^So geht’s: suche <Text>/);
  });

  it('favorit and zur liste write zitare rows the web app reads; listen and liste show them', async () => {
    const shown = quoteOfTheDay(dayIn(new Date()));
    await annaChat.ask('heute');
    expect(bodyOf(await annaChat.ask('favorit'))).toContain('⭐ Favorit gespeichert');
    expect(bodyOf(await annaChat.ask('favorit'))).toBe('Ist schon ein Favorit. ⭐');

    await annaChat.ask('suche schiller tell');
    const hits = searchQuotes('schiller tell');
    expect(bodyOf(await annaChat.ask('zur liste 1 Mut machen'))).toContain('In „Mut machen“ (1)');
    expect(bodyOf(await annaChat.ask('zur liste 2 mut machen'))).toContain('In „Mut machen“ (2)');

    const rows = await zitareRows(anna);
    expect(rows.favorites.map((f) => f.quoteId)).toEqual([shown.id]);
    expect(rows.lists).toEqual([
      expect.objectContaining({ name: 'Mut machen', quoteIds: [hits[0]?.id, hits[1]?.id] }),
    ]);
    // Ben's stream is his own.
    expect((await zitareRows(ben)).favorites).toEqual([]);

    expect(bodyOf(await annaChat.ask('listen'))).toContain('Mut machen (2)');
    const list = bodyOf(await annaChat.ask('liste Mut machen'));
    expect(list).toContain(hits[0]?.author ?? '?');
    const favs = bodyOf(await annaChat.ask('favoriten'));
    expect(favs).toContain(shown.author);
  });

  it('täglich sets and removes the daily quote; bad input gets a usage line', async () => {
    expect(bodyOf(await annaChat.ask('täglich 8:00'))).toBe(
      '⏰ Ab jetzt jeden Tag um 08:00 (Europe/Berlin) das Zitat des Tages.',
    );
    expect(bodyOf(await annaChat.ask('täglich 25:99'))).toMatch(/^So geht’s: täglich/);
    expect(bodyOf(await annaChat.ask('täglich aus'))).toBe('Tägliches Zitat ist aus.');
  });

  it('the web app’s quotes view shows her favorites and lists, live; removing one there is seen by the bot', async () => {
    if (!web) throw new Error('web app not started');
    const context = await web.newContext();
    const page = await web.openApp(context);
    await web.signIn(page, anna);
    await page.goto(`${web.url}/#/quotes`);
    await page.locator('main[data-ready="true"]').waitFor();
    await expect.poll(() => syncState(page), { timeout: 15_000 }).toEqual({ state: 'synced', pending: 0 });

    const daily = quoteOfTheDay(dayIn(new Date()));
    const favList = page.getByRole('list', { name: 'Favorites' });
    await favList.getByText(daily.text).waitFor({ timeout: 10_000 });
    await page.getByRole('button', { name: /Mut machen \(2\)/ }).click();
    const hits = searchQuotes('schiller tell');
    const list = page.getByRole('list', { name: 'Mut machen' });
    for (const q of hits.slice(0, 2)) await list.getByText(q.text).waitFor({ timeout: 5_000 });

    // A favorite saved in Matrix appears in the open app without a reload.
    await page.getByRole('button', { name: /Favorites/ }).click();
    const word = searchQuotes('gotterfunken')[0]?.id === daily.id ? 'lattenzaun' : 'gotterfunken';
    const added = searchQuotes(word)[0];
    if (!added) throw new Error(`no quote for ${word}`);
    expect(bodyOf(await annaChat.ask(`suche ${word}`))).toContain(added.text);
    expect(bodyOf(await annaChat.ask('favorit'))).toContain('⭐ Favorit gespeichert');
    await favList.getByText(added.text).waitFor({ timeout: 5_000 });

    // Removed in the app: gone from the bot's favorites and from sync.
    await favList
      .locator('li', { hasText: daily.text })
      .getByRole('button', { name: 'Remove favorite' })
      .click();
    await expect.poll(() => syncState(page), { timeout: 10_000 }).toEqual({ state: 'synced', pending: 0 });
    const favs = bodyOf(await annaChat.ask('favoriten'));
    expect(favs).toContain(added.author);
    expect(favs).not.toContain(daily.text.slice(0, 40));
    expect((await zitareRows(anna)).favorites.map((f) => f.quoteId)).toEqual([added.id]);
    expect(web.consoleErrors(page)).toEqual([]);
  }, 90_000);
});
