/**
 * Gift codes end to end: people talk to the real mana bot (runner process) with matrix-js-sdk over
 * a real Synapse; the credits move in auth's real ledger (Postgres), and every balance is read back
 * through the credits API with the user's own web token after each step. The web app (production
 * build, headless Chromium) redeems a code on the credits page the bots link to.
 */
import { createCreditsClient, type CreditsClient } from '@mana/credits';
import { checkLedger } from '@mana/auth/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bodyOf, openChat, type Chat } from './support/bots-chat.ts';
import { CREDITS_AUDIENCE, SERVER_NAME, type BotsStack, type StackUser } from './support/bots-stack.ts';
import { type WebApp } from './support/web-app.ts';
import { startWebStack, type WebStack } from './support/web-stack.ts';
import { logRunnerOnFailure } from './support/index.ts';

const MANA = `@mana:${SERVER_NAME}`;
const codeIn = (text: string) => /MANA(-[0-9A-Z]{4}){5}/.exec(text)?.[0];

let stack: BotsStack;
let gina: StackUser;
let theo: StackUser;
let ida: StackUser;
let ginaChat: Chat;
let theoChat: Chat;
let api: Record<'gina' | 'theo' | 'ida', CreditsClient>;
let web: WebApp | undefined;
let running: WebStack | undefined;

beforeAll(async () => {
  running = await startWebStack({
    label: 'e2e_gifts',
    startingBalance: 5_000,
    runnerEnv: { BOT_BOTS: 'mana', BOT_PROGRESS_AFTER_MS: '15000' },
  });
  ({ stack, web } = running);
  [gina, theo, ida] = await Promise.all([stack.ssoUser('gina'), stack.ssoUser('theo'), stack.ssoUser('ida')]);
  const client = async (u: StackUser) => {
    const token = await stack.webToken(u, CREDITS_AUDIENCE, 'openid credits');
    return createCreditsClient({ baseUrl: `${stack.auth.baseUrl}/api/v1/credits`, getToken: () => token });
  };
  api = { gina: await client(gina), theo: await client(theo), ida: await client(ida) };
  [ginaChat, theoChat] = await Promise.all([openChat(stack, gina, MANA), openChat(stack, theo, MANA)]);
  await ginaChat.ask('sprache de');
  await theoChat.ask('language en');
}, 240_000);

afterAll(async () => {
  await running?.close();
});

afterEach(logRunnerOnFailure(() => stack));

const available = async (who: keyof typeof api) => (await api[who].balance()).available;

async function ledgerOk() {
  const check = await checkLedger(stack.auth.service.db.sql);
  expect(check.problems).toEqual([]);
}

describe('gifts through the mana bot', () => {
  it('gift from A, redeem by B: balances through the API after each step; a used code is refused', async () => {
    expect(await available('gina')).toBe(5_000);
    const made = bodyOf(await ginaChat.ask('geschenk 1,5'));
    const code = codeIn(made);
    expect(made).toContain('Geschenk über 1,5 Credits');
    expect(code).toBeDefined();
    expect(await available('gina')).toBe(3_500);
    expect(await available('theo')).toBe(5_000);

    const listed = bodyOf(await ginaChat.ask('geschenke'));
    expect(listed).toContain(`MANA-…-${code?.slice(-4)} · 1,5 · offen bis`);

    const redeemed = bodyOf(await theoChat.ask(`redeem ${code?.toLowerCase()}`));
    expect(redeemed).toContain('Redeemed 1.5 credits');
    expect(await available('theo')).toBe(6_500);
    expect(await available('gina')).toBe(3_500);

    expect(bodyOf(await theoChat.ask(`redeem ${code}`))).toContain('already been redeemed');
    expect(await available('theo')).toBe(6_500);
    expect(bodyOf(await ginaChat.ask('geschenke'))).toContain('eingelöst am');
    await ledgerOk();
  });

  it('a gift to @user only they can redeem; revoke gives an open one back', async () => {
    const forTheo = codeIn(bodyOf(await ginaChat.ask('geschenk 1 an @theo')));
    expect(forTheo).toBeDefined();
    expect(await available('gina')).toBe(2_500);
    // ida redeems over HTTP (the web page's way): refused, nothing moves.
    await expect(api.ida.redeem(forTheo ?? '')).rejects.toMatchObject({
      errcode: 'CREDITS_GIFT_NOT_FOR_YOU',
    });
    expect(await available('ida')).toBe(5_000);
    expect(bodyOf(await theoChat.ask(`redeem ${forTheo}`))).toContain('Redeemed 1 credits');
    expect(await available('theo')).toBe(7_500);

    const open = codeIn(bodyOf(await ginaChat.ask('geschenk 0,5')));
    expect(await available('gina')).toBe(2_000);
    expect(bodyOf(await ginaChat.ask(`zurückziehen ${open}`))).toContain('0,5 Credits sind wieder bei dir');
    expect(await available('gina')).toBe(2_500);
    expect(bodyOf(await theoChat.ask(`redeem ${open}`))).toContain('was revoked');
    expect(await available('theo')).toBe(7_500);
    await ledgerOk();
  });

  it('bad input: clear replies, nothing moved', async () => {
    const before = { gina: await available('gina'), theo: await available('theo') };
    const replies = [
      ['geschenk 100', /Credits|Guthaben/],
      ['geschenk -1', /positive Zahl/],
      ['geschenk 1,0001', /höchstens drei Nachkommastellen/],
      ['geschenk 1 an @niemand', /@niemand:mana\.test hat kein Mana-Konto/],
      ['einlösen MANA-12', /kein Geschenk-Code/],
      ['einlösen MANA-0000-0000-0000-0000-0000', /gibt es nicht/],
      ['zurückziehen MANA-0000-0000-0000-0000-0000', /gibt es nicht/],
    ] as const;
    for (const [text, expected] of replies) expect(bodyOf(await ginaChat.ask(text))).toMatch(expected);
    expect({ gina: await available('gina'), theo: await available('theo') }).toEqual(before);
    await ledgerOk();
  });

  it('the web credits page (the bots’ link) redeems a code in Chromium and shows the new balance', async () => {
    if (!web) throw new Error('web app not started');
    const w = web;
    const code = codeIn(bodyOf(await ginaChat.ask('geschenk 2')));
    // The link the hub sends with the balance: it opens the credits page.
    const link = /(https?:\/\/\S+\/credits)\b/.exec(bodyOf(await ginaChat.ask('guthaben')))?.[1];
    expect(link).toBe(`${w.url}/credits`);
    const before = await available('ida');
    const context = await w.newContext('en-GB');
    const page = await w.openApp(context);
    await w.signIn(page, ida);
    const balance = page.locator('[data-testid="credits-balance"]');
    // Signed in once the account page shows her balance: no token refresh is in flight any more when
    // the link navigates (a navigation mid-refresh would lose the rotated refresh token).
    await balance.waitFor({ timeout: 30_000 });
    await page.goto(link ?? '');
    await balance.waitFor({ timeout: 30_000 }).catch(async (err: unknown) => {
      throw new Error(`no balance on ${page.url()}: ${await page.locator('body').innerText()}`, {
        cause: err,
      });
    });
    expect(new URL(page.url()).hash).toBe('#/credits');
    await page.locator('[data-testid="redeem-code"]').fill(code ?? '');
    await page.getByRole('button', { name: /^(Redeem|Einlösen)$/ }).click();
    await page.locator('[data-testid="redeem-message"]').waitFor();
    expect(await page.locator('[data-testid="redeem-message"]').textContent()).toMatch(/2/);
    const after = before + 2_000;
    await expect.poll(() => available('ida')).toBe(after);
    await expect
      .poll(async () => (await balance.textContent())?.replace(/[.,]/g, ''))
      .toBe(String(after / 1000));
    expect(w.consoleErrors(page)).toEqual([]);
    // The same code again: refused on the page (the browser logs the 409), nothing moves.
    await page.locator('[data-testid="redeem-code"]').fill(code ?? '');
    await page.getByRole('button', { name: /^(Redeem|Einlösen)$/ }).click();
    await expect
      .poll(() => page.locator('[data-testid="redeem-message"]').textContent())
      .toMatch(/redeemed or revoked|eingelöst, zurückgezogen/);
    expect(await available('ida')).toBe(after);
  }, 90_000);

  it('concurrent redeems of one code over Matrix and HTTP: exactly one succeeds', async () => {
    // An operator's grant pays for this one (the earlier tests spent most of her credits).
    await stack.auth.service.credits.ledger.grant(
      { actor: 'e2e-operator' },
      { userId: gina.accountId, amount: 1_000, kind: 'grant', idempotencyKey: 'e2e-race-grant' },
    );
    const made = await api.gina.gift({ amount: 1_000, idempotencyKey: 'e2e-race' });
    const code = made.code ?? '';
    const theoBefore = await available('theo');
    const idaBefore = await available('ida');
    // Within the per-user limit (10 a minute): theo once in chat and 4 times over HTTP, ida 6 times (she redeemed 3 times before).
    const results = await Promise.allSettled([
      theoChat.ask(`redeem ${code}`).then(bodyOf),
      ...Array.from({ length: 4 }, () => api.theo.redeem(code)),
      ...Array.from({ length: 6 }, () => api.ida.redeem(code)),
    ]);
    const chatWon = results[0]?.status === 'fulfilled' && results[0].value.includes('Redeemed 1 credits');
    const httpWins = results.slice(1).filter((r) => r.status === 'fulfilled').length;
    expect(Number(chatWon) + httpWins).toBe(1);
    for (const r of results.slice(1))
      if (r.status === 'rejected') expect(r.reason).toMatchObject({ errcode: 'CREDITS_GIFT_SETTLED' });
    const gained = (await available('theo')) - theoBefore + ((await available('ida')) - idaBefore);
    expect(gained).toBe(1_000);
    await ledgerOk();
  });

  it('packages: the catalogue and how to get credits today', async () => {
    const reply = bodyOf(await theoChat.ask('packages'));
    expect(reply).toContain('Small: 100 Credits — €1.99');
    expect(reply).toContain('operator');
  });
});
