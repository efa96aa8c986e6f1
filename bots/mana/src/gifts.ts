/**
 * The hub's gift and package commands: `geschenk`/`gift`, `einlösen`/`redeem`, `geschenke`/
 * `my-gifts`, `zurückziehen`/`revoke`, `pakete`/`packages`. The ledger does the moving (auth's
 * `/gifts` routes, one statement each); this module parses what people type and turns every refusal
 * of the API into one clear sentence. Nothing here moves credits on its own.
 */
import {
  CommandError,
  formatMilliCredits as credits,
  html,
  usageLine,
  type BotCommand,
  type CommandContext,
  type Text,
} from '@mana/bot-runtime';
import {
  CREDIT_PACKAGES,
  CreditsApiError,
  CreditsErrCode,
  formatPrice,
  HOW_TO_GET_CREDITS,
  normalizeGiftCode,
  parseCredits,
  type Gift,
} from '@mana/credits';

const settledText: Record<string, Text> = {
  redeemed: { de: 'Dieser Code wurde schon eingelöst.', en: 'This code has already been redeemed.' },
  revoked: { de: 'Dieser Code wurde zurückgezogen.', en: 'This code was revoked.' },
  expired: {
    de: 'Dieser Code ist abgelaufen; die Credits sind zurück beim Schenkenden.',
    en: 'This code has expired; the credits went back to the giver.',
  },
};

const apiText: Record<string, Text> = {
  [CreditsErrCode.GiftCodeMalformed]: {
    de: 'Das ist kein Geschenk-Code. So sieht einer aus: MANA-XXXX-XXXX-XXXX-XXXX-XXXX',
    en: 'That is not a gift code. One looks like this: MANA-XXXX-XXXX-XXXX-XXXX-XXXX',
  },
  [CreditsErrCode.GiftNotFound]: {
    de: 'Diesen Geschenk-Code gibt es nicht (Tippfehler?).',
    en: 'There is no such gift code (a typo?).',
  },
  [CreditsErrCode.GiftNotForYou]: {
    de: 'Dieses Geschenk ist für jemand anderen.',
    en: 'This gift is meant for someone else.',
  },
  [CreditsErrCode.GiftOwn]: {
    de: 'Das ist dein eigenes Geschenk; „zurückziehen CODE“ holt die Credits zurück.',
    en: 'That is your own gift; “revoke CODE” takes the credits back.',
  },
  [CreditsErrCode.GiftToSelf]: {
    de: 'Ein Geschenk an dich selbst bewegt nichts.',
    en: 'A gift to yourself moves nothing.',
  },
  [CreditsErrCode.RecipientUnknown]: {
    de: '{to} hat kein Mana-Konto; schenk ohne „an …“ und gib den Code weiter, sobald es eins gibt.',
    en: '{to} has no Mana account; gift without “to …” and pass the code on once they have one.',
  },
  M_LIMIT_EXCEEDED: {
    de: 'Zu viele Einlöse-Versuche; versuch es in einer Minute noch einmal.',
    en: 'Too many redeem attempts; try again in a minute.',
  },
};

/** The API's refusal as a reply (a `CommandError`); anything else is rethrown unchanged. */
function refusal(err: unknown, ctx: CommandContext, params: Record<string, string> = {}): never {
  if (err instanceof CreditsApiError) {
    if (err.errcode === CreditsErrCode.GiftSettled) {
      const status = (err.body as { status?: unknown } | undefined)?.status;
      const text = typeof status === 'string' ? settledText[status] : undefined;
      if (text) throw new CommandError(err.message, ctx.t(text), { cause: err });
    }
    const text = apiText[err.errcode];
    if (text) throw new CommandError(err.message, ctx.t(text, params), { cause: err });
  }
  throw err;
}

/** `@bob:server` as typed, `@bob` on the bot's own server; undefined when it is no user id. */
function recipientOf(text: string, ctx: CommandContext): string | undefined {
  const m = /^@([a-z0-9._=\-/+]+)(?::([a-z0-9.-]+(?::\d+)?))?$/i.exec(text.trim());
  if (!m) return undefined;
  const server = m[2] ?? ctx.bot.userId.split(':').slice(1).join(':');
  return `@${m[1]?.toLowerCase()}:${server}`;
}

function codeArg(ctx: CommandContext, command: BotCommand, raw: string): string {
  if (normalizeGiftCode(raw) === undefined)
    throw new CommandError(
      'malformed gift code',
      `${ctx.t(apiText[CreditsErrCode.GiftCodeMalformed] ?? '')}\n${usageLine(command, ctx.lang)}`,
    );
  return raw;
}

const gift: BotCommand = {
  name: 'gift',
  aliases: { de: ['geschenk', 'schenken'], en: ['gift'] },
  args: [
    { name: 'amount', kind: 'word', label: { de: 'Credits', en: 'credits' } },
    { name: 'to', kind: 'text', optional: true, label: { de: 'an @nutzer', en: 'to @user' } },
  ],
  help: {
    de: 'Macht aus Credits deines Guthabens einen Geschenk-Code (z. B. „geschenk 2,5“ oder „geschenk 5 an @bob“).',
    en: 'Turns credits of your balance into a gift code (e.g. “gift 2.5” or “gift 5 to @bob”).',
  },
  async run(ctx, args) {
    // The code is the gift: whoever reads it can redeem it, so it is only ever shown in a DM.
    if (!ctx.isDirect)
      throw new CommandError(
        'gift outside a DM',
        ctx.t({
          de: 'Geschenk-Codes gibt es nur in der Direktnachricht mit mir, damit niemand mitliest.',
          en: 'Gift codes only in a direct message with me, so nobody else reads them.',
        }),
      );
    const amount = parseCredits(args.str('amount'));
    const usage = usageLine(gift, ctx.lang);
    if (amount === undefined || amount < 1)
      throw new CommandError(
        'bad gift amount',
        `${ctx.t({
          de: 'Der Betrag ist eine positive Zahl Credits mit höchstens drei Nachkommastellen (z. B. 2,5).',
          en: 'The amount is a positive number of credits with at most three decimals (e.g. 2.5).',
        })}\n${usage}`,
      );
    const toText = args.optionalStr('to')?.replace(/^(an|to|für|for)\s+/iu, '');
    let to: string | undefined;
    if (toText !== undefined) {
      to = recipientOf(toText, ctx);
      if (!to) throw new CommandError('bad gift recipient', usage);
      if (to === ctx.sender) refusal(new CreditsApiError(400, CreditsErrCode.GiftToSelf, 'self', {}), ctx);
    }
    const g = await ctx.credits
      .gift(amount, to === undefined ? {} : { to })
      .catch((err: unknown) => refusal(err, ctx, { to: to ?? '' }));
    const l = ctx.lang;
    if (g.code === null)
      return ctx.t(
        {
          de: 'Dieses Geschenk (…-{hint}, {amount} Credits) ist schon angelegt; den Code zeige ich nicht noch einmal. Mit „geschenke“ siehst du es.',
          en: 'This gift (…-{hint}, {amount} credits) was made already; I do not show its code again. “my-gifts” lists it.',
        },
        { hint: g.hint, amount: credits(g.amount, l) },
      );
    return html`<p>🎁 ${ctx.t(
      { de: 'Geschenk über {amount} Credits:', en: 'A gift of {amount} credits:' },
      { amount: credits(g.amount, l) },
    )}</p><p><code>${g.code}</code></p><p>${ctx.t(
      to === undefined
        ? {
            de: 'Wer den Code hat, kann ihn einlösen: „einlösen CODE“ bei @mana oder auf {web}/credits. Gültig bis {until}.',
            en: 'Whoever has the code can redeem it: “redeem CODE” with @mana or at {web}/credits. Valid until {until}.',
          }
        : {
            de: 'Nur {to} kann ihn einlösen: „einlösen CODE“ bei @mana oder auf {web}/credits. Gültig bis {until}.',
            en: 'Only {to} can redeem it: “redeem CODE” with @mana or at {web}/credits. Valid until {until}.',
          },
      { to: to ?? '', web: ctx.webUrl, until: ctx.formatDate(new Date(g.expiresAt), 'date') },
    )}</p><p>${ctx.t(
      { de: 'Dein Guthaben: {available} verfügbar.', en: 'Your balance: {available} available.' },
      { available: credits(g.available, l) },
    )}</p>`;
  },
};

const redeem: BotCommand = {
  name: 'redeem',
  aliases: { de: ['einlösen', 'einloesen'], en: ['redeem'] },
  args: [{ name: 'code', kind: 'text', label: { de: 'CODE', en: 'CODE' } }],
  help: {
    de: 'Löst einen Geschenk-Code ein: die Credits kommen auf dein Konto.',
    en: 'Redeems a gift code: its credits go to your account.',
  },
  async run(ctx, args) {
    const code = codeArg(ctx, redeem, args.str('code'));
    const r = await ctx.credits.redeem(code).catch((err: unknown) => refusal(err, ctx));
    return ctx.t(
      {
        de: '🎉 {amount} Credits eingelöst. Dein Guthaben: {available} verfügbar.',
        en: '🎉 Redeemed {amount} credits. Your balance: {available} available.',
      },
      { amount: credits(r.amount, ctx.lang), available: credits(r.available, ctx.lang) },
    );
  },
};

const revoke: BotCommand = {
  name: 'revoke',
  aliases: { de: ['zurückziehen', 'zurueckziehen'], en: ['revoke'] },
  args: [{ name: 'code', kind: 'text', label: { de: 'CODE', en: 'CODE' } }],
  help: {
    de: 'Zieht ein noch nicht eingelöstes Geschenk zurück; die Credits kommen zu dir zurück.',
    en: 'Revokes a gift nobody redeemed yet; its credits come back to you.',
  },
  async run(ctx, args) {
    const code = codeArg(ctx, revoke, args.str('code'));
    const r = await ctx.credits.revoke(code).catch((err: unknown) => refusal(err, ctx));
    return ctx.t(
      {
        de: '↩️ Zurückgezogen: {amount} Credits sind wieder bei dir. Dein Guthaben: {available} verfügbar.',
        en: '↩️ Revoked: {amount} credits are back with you. Your balance: {available} available.',
      },
      { amount: credits(r.gift.amount, ctx.lang), available: credits(r.available, ctx.lang) },
    );
  },
};

function giftLine(g: Gift, ctx: CommandContext): string {
  const state: Record<Gift['status'], Text> = {
    open: { de: 'offen bis {until}', en: 'open until {until}' },
    redeemed: { de: 'eingelöst am {at}', en: 'redeemed on {at}' },
    revoked: { de: 'zurückgezogen', en: 'revoked' },
    expired: { de: 'abgelaufen, zurück bei dir', en: 'expired, back with you' },
  };
  const date = (iso: string | null) => (iso ? ctx.formatDate(new Date(iso), 'date') : '');
  return `MANA-…-${g.hint} · ${credits(g.amount, ctx.lang)} · ${ctx.t(state[g.status], {
    until: date(g.expiresAt),
    at: date(g.settledAt),
  })}`;
}

const myGifts: BotCommand = {
  name: 'my-gifts',
  aliases: { de: ['geschenke'], en: ['my-gifts', 'gifts'] },
  help: { de: 'Deine Geschenk-Codes und ihr Stand.', en: 'The gift codes you made and their state.' },
  async run(ctx) {
    const gifts = await ctx.credits.gifts();
    if (gifts.length === 0)
      return ctx.t({
        de: 'Du hast noch keine Geschenke gemacht. „geschenk 2“ macht eins.',
        en: 'You have not made any gifts yet. “gift 2” makes one.',
      });
    return html`<p><b>${ctx.t({ de: 'Deine Geschenke', en: 'Your gifts' })}</b></p><ul>${gifts
      .slice(0, 20)
      .map((g) => html`<li>${giftLine(g, ctx)}</li>`)}</ul>`;
  },
};

const packages: BotCommand = {
  name: 'packages',
  aliases: { de: ['pakete'], en: ['packages'] },
  help: {
    de: 'Die Credit-Pakete und wie du heute an Credits kommst.',
    en: 'The credit packages and how to get credits today.',
  },
  run(ctx) {
    const l = ctx.lang;
    return html`<p><b>${ctx.t({ de: 'Credit-Pakete', en: 'Credit packages' })}</b></p><ul>${CREDIT_PACKAGES.map(
      (p) => html`<li>${p.name[l]}: ${credits(p.credits, l)} Credits — ${formatPrice(p, l)}</li>`,
    )}</ul><p>${HOW_TO_GET_CREDITS[l]}</p><p>${ctx.webUrl}/credits</p>`;
  },
};

export const giftCommands: BotCommand[] = [gift, redeem, myGifts, revoke, packages];
