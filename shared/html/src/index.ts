/**
 * The `html` tagged template, for auth's pages and the bots' replies alike: interpolated values are
 * escaped, nested `html` (or `raw`) stays as it is. Synchronous and dependency-free, so it runs in
 * the browser, in Node and inside a Matrix reply builder.
 */

/** A piece of trusted HTML (built with `html` or `raw`), so nesting does not escape it twice. */
export class Html {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString(): string {
    return this.value;
  }
}

/** What may be interpolated: text and numbers are escaped, `false`/`null`/`undefined` vanish. */
export type HtmlValue = string | number | Html | readonly HtmlValue[] | null | undefined | false;

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for element content and quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

export function isHtml(v: unknown): v is Html {
  return v instanceof Html;
}

/** Markup that is already safe (a library's form, a constant stylesheet): no escaping. */
export function raw(markup: string): Html {
  return new Html(markup);
}

function render(v: HtmlValue): string {
  if (v === null || v === undefined || v === false) return '';
  if (Array.isArray(v)) return (v as readonly HtmlValue[]).map(render).join('');
  if (v instanceof Html) return v.value;
  return escapeHtml(String(v));
}

/**
 * Tagged template for HTML: every interpolated value is escaped unless it is itself `Html`.
 *
 * @example
 * html`<b>${task.title}</b> ${items.map((i) => html`<li>${i}</li>`)}`
 */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}
