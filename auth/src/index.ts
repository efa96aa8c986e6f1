/**
 * Mana auth: the OpenID Provider (EdDSA), accounts, and the credits API. Run with `src/main.ts`;
 * this entry is for tests, the bench and the e2e suite.
 */
export { authConfigSpec, loadAuthConfig, type AuthConfig } from './config.ts';
export { createAuthService, startAuthServer, type AuthService, type AuthServiceOptions } from './server.ts';
export { clientsFrom, CLIENT_IDS, providerConfiguration, synapseUrls } from './oidc/provider.ts';
export { rotateKeys, pruneKeys, loadKeys, SIGNING_ALG } from './oidc/keys.ts';
export { readOutbox } from './mail.ts';
export * from './oidc/resources.ts';
export { createLedger, type Ledger } from './credits/ledger.ts';
