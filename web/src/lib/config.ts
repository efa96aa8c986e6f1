/**
 * Runtime configuration: production serves the static build plus a small `config.json` next to
 * `index.html`; dev and tests write the same file. Parsed once at start, failing with the key's name.
 */
import { z } from 'zod';

/** An absolute URL, or a path resolved against the page (`"/"`: the same origin serves it). */
const urlLike = z.string().min(1);

export const appConfigSchema = z.strictObject({
  /** The auth server's issuer (`AUTH_BASE_URL`), exactly as its discovery document states it. */
  authIssuer: z.url(),
  /** Sync server base URL (`/sync/:appId`, `/ws` below it). */
  syncUrl: urlLike,
  /** OAuth client id of the web app (a public client using PKCE). */
  clientId: z.string().min(1).default('web'),
  /** Where auth sends the browser back; default `<origin>/auth/callback`. */
  redirectUri: z.url().optional(),
  /** Where auth sends the browser after sign-out; default `<origin>/`. */
  postLogoutRedirectUri: z.url().optional(),
  /** Credits API; default `<authIssuer>/api/v1/credits`. */
  creditsUrl: urlLike.optional(),
});

export interface AppConfig {
  authIssuer: string;
  syncUrl: string;
  clientId: string;
  redirectUri: string;
  postLogoutRedirectUri: string;
  creditsUrl: string;
}

export class ConfigError extends Error {
  readonly code = 'ERR_CONFIG';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConfigError';
  }
}

/** Parses `config.json`'s content; `origin` resolves relative URLs and the defaults. */
export function parseConfig(raw: unknown, origin: string): AppConfig {
  const parsed = appConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(
      `config.json: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}`,
    );
  }
  const c = parsed.data;
  const abs = (u: string) => new URL(u, origin).href.replace(/\/$/, '');
  const issuer = c.authIssuer.replace(/\/$/, '');
  return {
    authIssuer: c.authIssuer,
    syncUrl: abs(c.syncUrl),
    clientId: c.clientId,
    redirectUri: c.redirectUri ?? `${origin}/auth/callback`,
    postLogoutRedirectUri: c.postLogoutRedirectUri ?? `${origin}/`,
    creditsUrl: c.creditsUrl ? abs(c.creditsUrl) : `${issuer}/api/v1/credits`,
  };
}

export async function loadConfig(url = '/config.json'): Promise<AppConfig> {
  let raw: unknown;
  try {
    const res = await fetch(url, { cache: 'no-cache' });
    if (!res.ok) throw new ConfigError(`config.json: HTTP ${res.status}`);
    raw = await res.json();
  } catch (cause) {
    if (cause instanceof ConfigError) throw cause;
    throw new ConfigError('config.json could not be loaded', { cause });
  }
  return parseConfig(raw, location.origin);
}
