/**
 * A small browser stand-in for tests: keeps cookies per host (with Path), follows redirects by
 * hand (so every hop is visible), and submits HTML forms it finds in pages.
 */
export interface Page {
  url: string;
  status: number;
  headers: Headers;
  text: string;
  /** Every URL visited to get here (redirects included). */
  hops: string[];
}

interface StoredCookie {
  name: string;
  value: string;
  path: string;
}

export class CookieClient {
  readonly jar = new Map<string, Map<string, StoredCookie>>();
  /** Stop following redirects when one goes to a URL matching this (e.g. a custom scheme). */
  stopAt: ((url: string) => boolean) | undefined;
  readonly headers: Record<string, string>;

  constructor(options: { headers?: Record<string, string> } = {}) {
    this.headers = options.headers ?? {};
  }

  private cookieHeader(url: URL): string {
    const host = this.jar.get(url.host);
    if (!host) return '';
    return [...host.values()]
      .filter((c) => url.pathname.startsWith(c.path))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  private store(url: URL, headers: Headers): void {
    for (const sc of headers.getSetCookie()) {
      const [pair = '', ...attrs] = sc.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      let path = '/';
      let expired = false;
      for (const a of attrs) {
        const [k = '', v = ''] = a.trim().split('=');
        if (k.toLowerCase() === 'path') path = v || '/';
        if (k.toLowerCase() === 'max-age' && Number(v) <= 0) expired = true;
        if (k.toLowerCase() === 'expires' && Date.parse(v) < Date.now()) expired = true;
      }
      let host = this.jar.get(url.host);
      if (!host) this.jar.set(url.host, (host = new Map<string, StoredCookie>()));
      if (expired || value === '') host.delete(`${name}|${path}`);
      else host.set(`${name}|${path}`, { name, value, path });
    }
  }

  cookie(host: string, name: string): string | undefined {
    for (const c of this.jar.get(host)?.values() ?? []) if (c.name === name) return c.value;
    return undefined;
  }

  async request(url: string, init: RequestInit = {}, follow = true): Promise<Page> {
    const hops: string[] = [];
    let current = new URL(url);
    let method = init.method ?? 'GET';
    let body = init.body;
    let extra = init.headers as Record<string, string> | undefined;
    for (let i = 0; i < 20; i++) {
      hops.push(current.toString());
      const headers: Record<string, string> = { ...this.headers, ...extra };
      const cookie = this.cookieHeader(current);
      if (cookie) headers.cookie = cookie;
      const res = await fetch(current, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
        redirect: 'manual',
      });
      this.store(current, res.headers);
      const location = res.headers.get('location');
      if (follow && location && res.status >= 300 && res.status < 400) {
        await res.arrayBuffer();
        const next = new URL(location, current);
        if (this.stopAt?.(next.toString())) {
          hops.push(next.toString());
          return { url: next.toString(), status: res.status, headers: res.headers, text: '', hops };
        }
        current = next;
        if (res.status !== 307 && res.status !== 308) {
          method = 'GET';
          body = undefined;
          extra = undefined;
        }
        continue;
      }
      return {
        url: current.toString(),
        status: res.status,
        headers: res.headers,
        text: await res.text(),
        hops,
      };
    }
    throw new Error(`too many redirects from ${url}`);
  }

  get(url: string): Promise<Page> {
    return this.request(url);
  }

  post(url: string, fields: Record<string, string>, follow = true): Promise<Page> {
    return this.request(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
      },
      follow,
    );
  }

  /**
   * Fills the first form matching `selector` (`form[action="…"]` or `form#id`) on `page` with its
   * hidden fields plus `fields`, and submits it.
   */
  async submit(page: Page, selector: string, fields: Record<string, string>, follow = true): Promise<Page> {
    const form = findForm(page.text, selector);
    if (!form) throw new Error(`no ${selector} on ${page.url}: ${page.text.slice(0, 300)}`);
    const action = new URL(form.action || page.url, page.url).toString();
    return this.post(action, { ...form.hidden, ...fields }, follow);
  }
}

function decode(s: string): string {
  return s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}=(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  const v = m?.[1] ?? m?.[2] ?? m?.[3];
  return v === undefined ? undefined : decode(v);
}

export function findForm(
  html: string,
  selector: string,
): { action: string; hidden: Record<string, string> } | undefined {
  const want = /^form\[action="([^"]+)"\]$/.exec(selector)?.[1];
  const wantId = /^form#(.+)$/.exec(selector)?.[1];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const tag = m[1] ?? '';
    const action = attr(tag, 'action') ?? '';
    if (want !== undefined && action !== want) continue;
    if (wantId !== undefined && attr(tag, 'id') !== wantId) continue;
    const hidden: Record<string, string> = {};
    for (const inp of (m[2] ?? '').matchAll(/<input\b[^>]*>/gi)) {
      const t = inp[0];
      if ((attr(t, 'type') ?? '').toLowerCase() !== 'hidden') continue;
      const name = attr(t, 'name');
      if (name) hidden[name] = attr(t, 'value') ?? '';
    }
    return { action, hidden };
  }
  return undefined;
}
