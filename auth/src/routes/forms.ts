/** Form handling shared by the pages: body parsing, CSRF, language, client IP, rate-limit answers. */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { HttpBindings } from '@hono/node-server';
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import { HttpError } from '@mana/http';
import type { Lang } from '@mana/i18n';
import { AuthErrCode } from '../errors.ts';
import { pickLang } from '../pages/i18n.ts';
import type { PageContext } from '../pages/html.ts';
import type { LimitResult } from '../rate-limit.ts';

export type AuthEnv = { Bindings: HttpBindings };
export type AuthContext = Context<AuthEnv>;

const CSRF_COOKIE = 'mana_csrf';

export interface FormOptions {
  secure: boolean;
  trustProxy: boolean;
}

export function clientIp(c: AuthContext, trustProxy: boolean): string {
  if (trustProxy) {
    const fwd = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (fwd) return fwd;
  }
  return c.env?.incoming?.socket?.remoteAddress ?? 'unknown';
}

export function langOf(c: AuthContext, secure: boolean): Lang {
  const query = c.req.query('lang');
  const lang = pickLang({
    query,
    cookie: getCookie(c, 'mana_lang'),
    acceptLanguage: c.req.header('accept-language'),
  });
  if (query === 'de' || query === 'en')
    setCookie(c, 'mana_lang', query, { path: '/', sameSite: 'Lax', secure, maxAge: 365 * 24 * 3600 });
  return lang;
}

/** The page context: language, current path and the CSRF token (set as cookie when missing). */
export function pageContext(c: AuthContext, opts: FormOptions): PageContext {
  let csrf = getCookie(c, CSRF_COOKIE);
  if (!csrf || !/^[A-Za-z0-9_-]{32,}$/.test(csrf)) {
    csrf = randomBytes(24).toString('base64url');
    setCookie(c, CSRF_COOKIE, csrf, { path: '/', httpOnly: true, sameSite: 'Lax', secure: opts.secure });
  }
  const url = new URL(c.req.url);
  return { lang: langOf(c, opts.secure), path: url.pathname + url.search, csrf };
}

/** Parses an urlencoded or multipart form with `schema` (plus the CSRF field) and checks CSRF. */
export async function formBody<S extends z.ZodObject>(c: AuthContext, schema: S): Promise<z.output<S>> {
  const type = c.req.header('content-type') ?? '';
  if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)\b/i.test(type))
    throw new HttpError(415, AuthErrCode.NotForm, 'Expected a form (application/x-www-form-urlencoded)');
  let raw: Record<string, unknown>;
  try {
    raw = await c.req.parseBody();
  } catch (cause) {
    throw new HttpError(400, AuthErrCode.NotForm, 'The form body could not be parsed', { cause });
  }
  const full = schema.extend({ csrf: z.string().min(1).max(200) });
  const parsed = full.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({
      path: i.path.map(String).join('.'),
      message: i.message,
    }));
    const first = issues[0];
    throw new HttpError(
      400,
      AuthErrCode.BadForm,
      `Invalid form: ${first ? `${first.path}: ${first.message}` : 'invalid'}`,
      {
        extra: { issues },
      },
    );
  }
  const cookie = getCookie(c, CSRF_COOKIE) ?? '';
  const sent = String(parsed.data.csrf);
  const a = Buffer.from(cookie);
  const b = Buffer.from(sent);
  if (a.length === 0 || a.length !== b.length || !timingSafeEqual(a, b))
    throw new HttpError(
      403,
      AuthErrCode.Csrf,
      'Missing or invalid CSRF token; reload the page and try again',
    );
  return parsed.data as z.output<S>;
}

export function tooMany(limit: LimitResult): HttpError {
  return new HttpError(429, AuthErrCode.LimitExceeded, 'Too many requests', {
    extra: { retry_after_ms: limit.retryAfter * 1000 },
    headers: { 'Retry-After': String(limit.retryAfter) },
  });
}

/** Adds Set-Cookie headers (from better-auth) to the response. */
export function forwardCookies(c: AuthContext, cookies: readonly string[]): void {
  for (const cookie of cookies) c.header('set-cookie', cookie, { append: true });
}

/** Short string fields with sane bounds. */
export const f = {
  email: z.string().trim().max(254),
  password: z.string().max(256),
  text: (max = 200) => z.string().max(max),
};
