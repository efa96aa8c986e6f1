/**
 * Server-rendered pages: one layout, escaped interpolation, labelled fields, a language switcher,
 * and a CSRF field in every form.
 */
import { html, raw, type Html } from '@mana/html';
import { LANGUAGES, type Lang } from '@mana/i18n';
import { t, type TextKey } from './i18n.ts';

// The monorepo's one `html` tag; re-exported for the page modules.
export { html, Html, raw } from '@mana/html';

export interface PageContext {
  lang: Lang;
  /** Path and query of the current page (the language switcher links back to it). */
  path: string;
  csrf: string;
}

function langLink(path: string, lang: Lang): string {
  const u = new URL(path, 'http://x');
  u.searchParams.set('lang', lang);
  return u.pathname + u.search;
}

const STYLE = `body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#1b1b1f;line-height:1.5}
label{display:block;margin-top:1rem;font-weight:600}input{display:block;width:100%;padding:.5rem;margin-top:.25rem;font-size:1rem;box-sizing:border-box}
button{margin-top:1.25rem;padding:.6rem 1.2rem;font-size:1rem;cursor:pointer}.error{color:#a00;border-left:4px solid #a00;padding-left:.5rem}
.note{border-left:4px solid #06c;padding-left:.5rem}nav.lang{float:right}small{color:#555}:focus-visible{outline:3px solid #06c}`;

export function layout(ctx: PageContext, title: string, body: Html): string {
  const switcher = LANGUAGES.map((l) =>
    l === ctx.lang
      ? html`<strong aria-current="true">${l.toUpperCase()}</strong>`
      : html`<a href="${langLink(ctx.path, l)}" hreflang="${l}" lang="${l}">${l.toUpperCase()}</a>`,
  );
  return `<!doctype html>${html`<html lang="${ctx.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,"><title>${title} · Mana</title><style>${raw(STYLE)}</style></head><body><nav class="lang" aria-label="${t(ctx.lang, 'language')}">${switcher[0]} | ${switcher[1]}</nav><main><h1>${title}</h1>${body}</main></body></html>`.value}`;
}

export function csrfField(ctx: PageContext): Html {
  return html`<input type="hidden" name="csrf" value="${ctx.csrf}">`;
}

export function message(
  ctx: PageContext,
  key: TextKey | null,
  kind: 'error' | 'note' = 'error',
  vars: Record<string, string | number> = {},
): Html {
  if (!key) return html``;
  return html`<p class="${kind}" role="${kind === 'error' ? 'alert' : 'status'}">${t(ctx.lang, key, vars)}</p>`;
}

/** A page with a heading and one note under it (and a link back to sign-in unless `link` is false). */
export function notePage(
  ctx: PageContext,
  title: TextKey,
  note: TextKey,
  vars: Record<string, string> = {},
  link = true,
): string {
  return layout(
    ctx,
    t(ctx.lang, title),
    html`${message(ctx, note, 'note', vars)}${link ? html`<p><a href="/account">${t(ctx.lang, 'backToSignIn')}</a></p>` : ''}`,
  );
}

/** What `/verify-email` answers: a short heading, the sentence once, or why the link failed. */
export function verifyEmailPage(ctx: PageContext, ok: boolean): string {
  return ok ? notePage(ctx, 'verifiedTitle', 'verified') : notePage(ctx, 'errorTitle', 'verifyFailed');
}

export function field(
  ctx: PageContext,
  opts: {
    name: string;
    label: TextKey;
    type?: string;
    autocomplete?: string;
    value?: string;
    required?: boolean;
    hint?: TextKey;
    minlength?: number;
  },
): Html {
  const id = `f-${opts.name}`;
  const hintId = opts.hint ? `${id}-hint` : undefined;
  return html`<label for="${id}">${t(ctx.lang, opts.label)}</label><input id="${id}" name="${opts.name}" type="${opts.type ?? 'text'}"${opts.autocomplete ? html` autocomplete="${opts.autocomplete}"` : ''}${opts.value ? html` value="${opts.value}"` : ''}${opts.required === false ? '' : html` required`}${opts.minlength ? html` minlength="${opts.minlength}"` : ''}${hintId ? html` aria-describedby="${hintId}"` : ''}>${opts.hint ? html`<small id="${hintId}">${t(ctx.lang, opts.hint)}</small>` : ''}`;
}
