import { createTestHarness } from '@mana/bot-runtime/testing';
import { describe, expect, it } from 'vitest';
import { manaBot } from './bot.ts';

const alice = '@alice:mana.test';
const bob = '@bob:mana.test';
const carol = '@carol:mana.test';
const mana = '@mana:mana.test';

function setup() {
  const h = createTestHarness({ bots: [manaBot], linked: [alice, bob] });
  for (const u of [alice, bob, carol]) h.members.set(`!dm-${u}`, [u, mana]);
  h.members.set('!group', [alice, bob, carol, mana]);
  h.credits.grant(alice, 10_000);
  h.credits.grant(bob, 1000);
  const ask = async (u: string, text: string) => (await h.ask(u, `!dm-${u}`, text)).join('\n');
  return { h, ask };
}
const codeIn = (text: string) => /MANA(-[0-9A-Z]{4}){5}/.exec(text)?.[0] ?? '';

describe('mana gifts', () => {
  it('gift → redeem → balances; my-gifts shows the state; a used code is refused', async () => {
    const { h, ask } = setup();
    const made = await ask(alice, 'language en');
    expect(made).toContain('English');
    const reply = await ask(alice, 'gift 2.5');
    const code = codeIn(reply);
    expect(code).not.toBe('');
    expect(reply).toContain('A gift of 2.5 credits');
    expect(h.credits.balanceOf(alice).available).toBe(7500);
    expect(await ask(bob, `einlösen ${code.toLowerCase()}`)).toContain('2,5 Credits eingelöst');
    expect(h.credits.balanceOf(bob).available).toBe(3500);
    expect(await ask(alice, 'my-gifts')).toMatch(new RegExp(`MANA-…-${code.slice(-4)} · 2.5 · redeemed on`));
    expect(await ask(bob, `einlösen ${code}`)).toContain('schon eingelöst');
    expect(h.credits.balanceOf(bob).available).toBe(3500);
  });

  it('revoke returns an open gift; only the named user may redeem a gift `to` them', async () => {
    const { h, ask } = setup();
    await ask(alice, 'language en');
    const code = codeIn(await ask(alice, 'gift 1 to @bob'));
    expect(await ask(alice, `revoke ${code}`)).toContain('Revoked: 1 credits are back');
    expect(h.credits.balanceOf(alice).available).toBe(10_000);
    expect(await ask(bob, `redeem ${code}`)).toContain('was revoked');
    const forBob = codeIn(await ask(alice, 'gift 3 an @bob:mana.test'));
    h.identity.link(carol);
    expect(await ask(carol, `redeem ${forBob}`)).toContain('someone else');
    expect(await ask(bob, `redeem ${forBob}`)).toContain('Redeemed 3 credits');
  });

  it('bad input: clear replies, nothing moved', async () => {
    const { h, ask } = setup();
    await ask(alice, 'language en');
    const before = h.credits.balanceOf(alice);
    expect(await ask(alice, 'gift -1')).toContain('positive number of credits');
    expect(await ask(alice, 'gift 0')).toContain('positive number of credits');
    expect(await ask(alice, 'gift 1.0001')).toContain('at most three decimals');
    expect(await ask(alice, 'gift lots')).toContain('positive number');
    expect(await ask(alice, 'gift 11')).toMatch(/credits/i);
    expect(await ask(alice, 'gift 1 to @carol')).toContain('@carol:mana.test has no Mana account');
    expect(await ask(alice, 'gift 1 to @alice')).toContain('yourself');
    expect(await ask(alice, 'gift 1 to nobody')).toContain('gift');
    expect(await ask(alice, 'redeem MANA-1234')).toContain('not a gift code');
    expect(await ask(alice, 'redeem MANA-0000-0000-0000-0000-0000')).toContain('no such gift code');
    expect(await ask(alice, 'revoke MANA-0000-0000-0000-0000-0000')).toContain('no such gift code');
    expect(await ask(alice, 'redeem')).toContain('Usage: redeem <CODE>');
    expect(h.credits.balanceOf(alice)).toEqual(before);
    expect(await ask(alice, 'my-gifts')).toContain('not made any gifts');
    // Codes are never shown in a room others read.
    expect((await h.ask(alice, '!group', '@mana gift 1')).join('\n')).toContain('direct message');
    expect(h.credits.balanceOf(alice)).toEqual(before);
    const own = codeIn(await ask(alice, 'gift 1'));
    expect(await ask(alice, `redeem ${own}`)).toContain('your own gift');
  });

  it('packages lists the catalogue and says how to get credits today', async () => {
    const { ask } = setup();
    const reply = await ask(alice, 'pakete');
    expect(reply).toContain('Klein: 100 Credits — 1,99');
    expect(reply).toContain('Betreiber');
    expect(reply).toContain('/credits');
  });
});
