import { createTestHarness } from '@mana/bot-runtime/testing';
import { describe, expect, it } from 'vitest';
import { manaBot } from './bot.ts';

const alice = '@alice:mana.test';
const dm = '!dm:mana.test';

describe('mana bot', () => {
  it('welcomes once when it joins a DM, lists bots, shows account and credits', async () => {
    const h = createTestHarness({ bots: [manaBot], linked: [alice] });
    const [welcome, ...more] = await h.invite(alice, dm, '@mana:mana.test');
    expect(more).toEqual([]);
    expect(welcome).toContain('Willkommen bei Mana');
    expect(welcome).toContain('@mana:mana.test — Der Hub');
    expect(welcome).toContain('Zum Beispiel:\n• konto\n• guthaben\n• bots');
    expect(welcome).toContain('„hilfe“ zeigt alle Befehle');
    const first = await h.ask(alice, dm, 'hilfe');
    expect(first).toHaveLength(1);
    expect(first[0]).toContain('Mana — Befehle');
    expect(first[0]).not.toContain('Willkommen');
    expect((await h.ask(alice, dm, 'bots'))[0]).toContain('@mana:mana.test');
    expect((await h.ask(alice, dm, 'konto'))[0]).toContain('Benutzername: alice');
    h.credits.grant(alice, 2500);
    expect((await h.ask(alice, dm, 'guthaben'))[0]).toContain('Guthaben: 2,5 verfügbar');
    // German is her language now (her first message set it): the English alias answers in German.
    expect((await h.ask(alice, dm, 'credits'))[0]).toContain('Guthaben: 2,5 verfügbar');
    expect(await h.ask(alice, dm, 'language en')).toEqual([
      'Got it, I will answer you in English from now on.',
    ]);
    expect((await h.ask(alice, dm, 'konto'))[0]).toContain('Username: alice');
  });
  it('an unlinked user is told how to sign in', async () => {
    const h = createTestHarness({ bots: [manaBot] });
    h.members.set(dm, ['@bob:mana.test', '@mana:mana.test']);
    expect((await h.ask('@bob:mana.test', dm, 'account')).at(-1)).toContain('Sign in with Mana');
  });
});
