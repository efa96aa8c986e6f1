/**
 * Contract between @mana/synapse-config (what Synapse loads) and the bot runner (what it serves):
 * the default registration's user namespace is exactly the runner's default namespace, and the
 * runner's config accepts the tokens the registration carries.
 */
import { botConfigSpec, loadBotConfig, userIdRegexFor } from '@mana/bot-runtime';
import { renderAppserviceRegistration, userIdRegex } from '@mana/synapse-config';
import { describe, expect, it } from 'vitest';

describe('bots appservice registration ↔ runner', () => {
  it('both sides derive the same namespace regex', () => {
    const localparts = (botConfigSpec.vars.namespace.default ?? '').split(',');
    expect(userIdRegexFor(localparts, 'example.org')).toBe(userIdRegex(localparts, 'example.org'));
  });
  it('a registration rendered for the runner matches its config', () => {
    const config = loadBotConfig({ BOT_AS_TOKEN: 'as', BOT_HS_TOKEN: 'hs', BOT_SERVER_NAME: 'example.org' });
    const reg = renderAppserviceRegistration({
      id: config.appserviceId,
      url: `http://bots:${config.port}`,
      asToken: config.asToken,
      hsToken: config.hsToken,
      senderLocalpart: config.senderLocalpart,
      users: [{ regex: userIdRegexFor(config.namespace, config.serverName) }],
    });
    expect(reg).toMatchObject({ id: 'mana-bots', sender_localpart: 'mana', rate_limited: false });
    const re = new RegExp(reg.namespaces.users[0]?.regex ?? '$^');
    expect(re.test('@todo:example.org')).toBe(true);
    expect(re.test('@mana:example.org')).toBe(true);
    expect(re.test('@alice:example.org')).toBe(false);
    expect(re.test('@todo:example.org.evil')).toBe(false);
  });
});
