/**
 * Accounts: better-auth (email + password, verification, reset, change) on the same Postgres through
 * its drizzle adapter. Every page and the provider go through this module, never through better-auth
 * directly, so the rules (username = Matrix localpart, generic answers) live in one place.
 */
import { betterAuth } from 'better-auth';
import { drizzleAdapter } from 'better-auth/adapters/drizzle';
import { APIError } from 'better-auth/api';
import { eq } from 'drizzle-orm';
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import type { Logger } from '@mana/logging';
import type { Mailer } from '../mail.ts';
import { accounts, sessions, users, verifications } from '../schema.ts';
import type { Lang } from '@mana/i18n';
import { mailText } from '../pages/i18n.ts';

/** A Matrix localpart we hand out as username: lowercase, starts with a letter or digit. */
export const USERNAME_RE = /^[a-z0-9][a-z0-9._=-]{1,31}$/;
/** Localparts of the bots and the platform itself; nobody may register them. */
export const RESERVED_USERNAMES = new Set([
  'admin',
  'administrator',
  'root',
  'mana',
  'todo',
  'calendar',
  'clock',
  'ollama',
  'tts',
  'zitare',
  'stats',
  'bot',
  'bots',
  'synapse',
  'support',
  'postmaster',
]);

export interface Account {
  id: string;
  email: string;
  emailVerified: boolean;
  username: string;
  name: string;
  /** Set while the account is deactivated (by an operator, or for good when deleted). */
  deactivatedAt: Date | null;
  deletedAt: Date | null;
}

export type SignInResult =
  { ok: true; account: Account; setCookies: string[] } | { ok: false; reason: 'invalid' | 'unverified' };

export type RegisterResult = { ok: true } | { ok: false; reason: 'username_taken' | 'weak_password' };

export interface AccountsOptions {
  db: PostgresJsDatabase;
  baseUrl: string;
  secret: string;
  mailer: Mailer;
  logger: Logger;
  trustedOrigins: string[];
  cookieDomain: string;
  /** Called once for every new account (the credits module grants the starting balance here). */
  onAccountCreated?: (account: Account) => Promise<void>;
}

function toAccount(u: typeof users.$inferSelect): Account {
  return {
    id: u.id,
    email: u.email,
    emailVerified: u.emailVerified,
    username: u.username,
    name: u.name,
    deactivatedAt: u.deactivatedAt,
    deletedAt: u.deletedAt,
  };
}

function langOf(request: Request | undefined): Lang {
  const cookie = request?.headers.get('cookie') ?? '';
  const m = /(?:^|;\s*)mana_lang=(de|en)/.exec(cookie);
  if (m?.[1] === 'de' || m?.[1] === 'en') return m[1];
  return /^\s*de/i.test(request?.headers.get('accept-language') ?? '') ? 'de' : 'en';
}

export function createAccounts(options: AccountsOptions) {
  const { db, mailer, baseUrl } = options;
  const secure = baseUrl.startsWith('https://');
  const auth = betterAuth({
    appName: 'Mana',
    baseURL: baseUrl,
    basePath: '/api/auth',
    secret: options.secret,
    trustedOrigins: options.trustedOrigins,
    telemetry: { enabled: false },
    // better-auth's own messages ("User not found" on every wrong email…) go to our logger, quietly.
    logger: { log: (level, message) => options.logger.debug({ betterAuth: level }, message) },
    // Mana's own Redis rate limits guard every page; better-auth's in-memory one would not be shared.
    rateLimit: { enabled: false },
    database: drizzleAdapter(db, {
      provider: 'pg',
      schema: { user: users, session: sessions, account: accounts, verification: verifications },
    }),
    user: {
      additionalFields: {
        username: { type: 'string', required: true, input: true, unique: true },
      },
    },
    emailAndPassword: {
      enabled: true,
      requireEmailVerification: true,
      minPasswordLength: 10,
      maxPasswordLength: 256,
      autoSignIn: false,
      revokeSessionsOnPasswordReset: true,
      resetPasswordTokenExpiresIn: 3600,
      sendResetPassword: async ({ user, token }, request) => {
        const url = `${baseUrl}/reset-password?token=${encodeURIComponent(token)}`;
        await mailer.send({ to: user.email, ...mailText(langOf(request), 'reset', url) });
      },
      onExistingUserSignUp: async ({ user }, request) => {
        // Registration answers the same whether or not the email exists; the owner learns of it here.
        await mailer.send({ to: user.email, ...mailText(langOf(request), 'exists', `${baseUrl}/reset`) });
      },
    },
    emailVerification: {
      sendOnSignUp: true,
      sendOnSignIn: false,
      autoSignInAfterVerification: false,
      expiresIn: 24 * 3600,
      sendVerificationEmail: async ({ user, token }, request) => {
        const url = `${baseUrl}/verify-email?token=${encodeURIComponent(token)}`;
        await mailer.send({ to: user.email, ...mailText(langOf(request), 'verify', url) });
      },
    },
    databaseHooks: {
      user: {
        create: {
          after: async (user) => {
            const [row] = await db.select().from(users).where(eq(users.id, user.id));
            if (row && options.onAccountCreated) await options.onAccountCreated(toAccount(row));
          },
        },
      },
    },
    advanced: {
      cookiePrefix: 'mana',
      useSecureCookies: secure,
      ...(options.cookieDomain
        ? { crossSubDomainCookies: { enabled: true, domain: options.cookieDomain } }
        : {}),
    },
  });

  /** Any account, deactivated ones included (usernames stay taken; the life cycle needs them). */
  async function findAny(where: ReturnType<typeof eq>): Promise<Account | undefined> {
    const [row] = await db.select().from(users).where(where).limit(1);
    return row ? toAccount(row) : undefined;
  }
  /** An active account: everything that signs in, issues or checks tokens goes through this. */
  async function findBy(where: ReturnType<typeof eq>): Promise<Account | undefined> {
    const account = await findAny(where);
    return account && !account.deactivatedAt ? account : undefined;
  }

  return {
    /** better-auth itself, for the few calls that need it (tests, the web client's API later). */
    auth,
    findById: (id: string) => findBy(eq(users.id, id)),
    findByUsername: (username: string) => findBy(eq(users.username, username.toLowerCase())),
    findByEmail: (email: string) => findBy(eq(users.email, email.toLowerCase())),
    /** By id or email, deactivated accounts included (operator commands). */
    findAnyByIdOrEmail: (idOrEmail: string) =>
      findAny(idOrEmail.includes('@') ? eq(users.email, idOrEmail.toLowerCase()) : eq(users.id, idOrEmail)),

    async register(input: {
      email: string;
      password: string;
      username: string;
      name?: string;
      headers: Headers;
    }): Promise<RegisterResult> {
      const username = input.username.toLowerCase();
      if (await findAny(eq(users.username, username))) return { ok: false, reason: 'username_taken' };
      try {
        await auth.api.signUpEmail({
          body: {
            email: input.email.toLowerCase(),
            password: input.password,
            name: input.name || username,
            username,
          },
          headers: input.headers,
        });
        return { ok: true };
      } catch (err) {
        if (err instanceof APIError) {
          const code = typeof err.body?.code === 'string' ? err.body.code : '';
          if (/PASSWORD/.test(code)) return { ok: false, reason: 'weak_password' };
          if (/USERNAME|UNIQUE|DUPLICATE/.test(code)) return { ok: false, reason: 'username_taken' };
        }
        // A concurrent registration of the same username loses on the unique index.
        if (
          err instanceof Error &&
          /users_username_key|duplicate key/.test(
            `${err.message} ${err.cause instanceof Error ? err.cause.message : ''}`,
          )
        )
          return { ok: false, reason: 'username_taken' };
        throw err;
      }
    },

    /** Checks the password. Unknown email and wrong password give the same answer. */
    async signIn(input: { email: string; password: string; headers: Headers }): Promise<SignInResult> {
      // A deactivated account answers like a wrong password, before better-auth makes a session.
      const known = await findAny(eq(users.email, input.email.toLowerCase()));
      if (known?.deactivatedAt) return { ok: false, reason: 'invalid' };
      try {
        const { headers } = await auth.api.signInEmail({
          body: { email: input.email.toLowerCase(), password: input.password, rememberMe: true },
          headers: input.headers,
          returnHeaders: true,
        });
        const account = await findBy(eq(users.email, input.email.toLowerCase()));
        if (!account) return { ok: false, reason: 'invalid' };
        return { ok: true, account, setCookies: headers.getSetCookie() };
      } catch (err) {
        if (err instanceof APIError) {
          if (err.statusCode === 403) return { ok: false, reason: 'unverified' };
          if (err.statusCode === 401 || err.statusCode === 400) return { ok: false, reason: 'invalid' };
        }
        throw err;
      }
    },

    /** Sends the verification email again (silently does nothing for unknown or verified emails). */
    async resendVerification(email: string, headers: Headers): Promise<void> {
      const account = await findBy(eq(users.email, email.toLowerCase()));
      if (!account || account.emailVerified) return;
      await auth.api.sendVerificationEmail({ body: { email: account.email }, headers });
    },

    async verifyEmail(token: string): Promise<boolean> {
      try {
        await auth.api.verifyEmail({ query: { token } });
        return true;
      } catch (err) {
        if (err instanceof APIError) return false;
        throw err;
      }
    },

    /** Always "ok": whether the email exists is never revealed. */
    async requestReset(email: string, headers: Headers): Promise<void> {
      await auth.api.requestPasswordReset({ body: { email: email.toLowerCase() }, headers });
    },

    async resetPassword(
      token: string,
      newPassword: string,
    ): Promise<'ok' | 'invalid_token' | 'weak_password'> {
      try {
        await auth.api.resetPassword({ body: { token, newPassword } });
        return 'ok';
      } catch (err) {
        if (err instanceof APIError) {
          const code = typeof err.body?.code === 'string' ? err.body.code : '';
          return /PASSWORD_TOO/.test(code) ? 'weak_password' : 'invalid_token';
        }
        throw err;
      }
    },

    /** The account of a better-auth session cookie, if any. */
    async sessionAccount(headers: Headers): Promise<Account | undefined> {
      const s = await auth.api.getSession({ headers });
      return s ? findBy(eq(users.id, s.user.id)) : undefined;
    },

    async changePassword(input: {
      headers: Headers;
      currentPassword: string;
      newPassword: string;
    }): Promise<{ result: 'ok' | 'wrong_password' | 'weak_password' | 'no_session'; setCookies: string[] }> {
      try {
        const { headers } = await auth.api.changePassword({
          body: {
            currentPassword: input.currentPassword,
            newPassword: input.newPassword,
            revokeOtherSessions: true,
          },
          headers: input.headers,
          returnHeaders: true,
        });
        return { result: 'ok', setCookies: headers.getSetCookie() };
      } catch (err) {
        if (err instanceof APIError) {
          const code = typeof err.body?.code === 'string' ? err.body.code : '';
          if (err.statusCode === 401 && !/PASSWORD/.test(code))
            return { result: 'no_session', setCookies: [] };
          if (/PASSWORD_TOO/.test(code)) return { result: 'weak_password', setCookies: [] };
          return { result: 'wrong_password', setCookies: [] };
        }
        throw err;
      }
    },

    async signOut(headers: Headers): Promise<string[]> {
      try {
        const r = await auth.api.signOut({ headers, returnHeaders: true });
        return r.headers.getSetCookie();
      } catch {
        return [];
      }
    },
  };
}

export type Accounts = ReturnType<typeof createAccounts>;
