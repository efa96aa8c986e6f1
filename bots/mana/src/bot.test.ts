import { createTestHarness } from '@mana/bot-runtime';
import { describe, expect, it } from 'vitest';
import { manaBot } from './bot.ts';

const alice = '@alice:mana.test';
const dm = '!dm:mana.test';

describe('mana bot', () => {
  it('welcomes once on the first DM, lists bots, shows account and credits', async () => {
    const h = createTestHarness({ bots: [manaBot], linked: [alice] });
    h.members.set(dm, [alice, '@mana:mana.test']);
    const first = await h.ask(alice, dm, 'hilfe');
    expect(first[0]).toContain('Willkommen bei Mana');
    expect(first[1]).toContain('Mana — Befehle');
    expect((await h.ask(alice, dm, 'bots'))[0]).toContain('@mana:mana.test');
    expect((await h.ask(alice, dm, 'konto'))[0]).toContain('Benutzername: alice');
    h.credits.grant(alice, 2500);
    expect((await h.ask(alice, dm, 'guthaben'))[0]).toContain('Guthaben: 2,5 verfügbar');
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
