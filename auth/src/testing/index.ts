/**
 * auth's test helpers for other packages' tests (`@mana/auth/testing`): a cookie-keeping browser
 * stand-in, the authorization-code and Synapse SSO flows, a real auth server on a free port, and the
 * credits API alone on its own database (`startCreditsFixture`).
 */
export { CookieClient, findForm, type Page } from './cookie-client.ts';
export { authorizeUrl, pkcePair, signInThroughProvider, type AuthorizeOptions } from './oidc-flow.ts';
export { CLIENT_REDIRECT, ssoLogin, whoami, type SsoResult } from './synapse-sso.ts';
export { startTestAuth, type TestAuth } from './fixture.ts';
export { CREDITS_BASE, startCreditsFixture, type CreditsFixture } from '../credits/fixture.ts';
export { checkLedger } from '../credits/check.ts';
export { runCli } from '../cli.ts';
