/**
 * The service worker: keeps the app shell (index.html, the hashed assets) in Cache Storage so the
 * app starts offline. Navigations are network-first (a new deploy shows up at once) with the cached
 * shell as the fallback; hashed assets are cache-first; config.json is network-first with a cached
 * copy. Everything else (sync, auth) is left alone. The build replaces `__MANA_SHELL__` with the list
 * of files it emitted, so the cache name changes with every deploy.
 */
interface ExtendableEventLike extends Event {
  waitUntil(p: Promise<unknown>): void;
}
interface FetchEventLike extends ExtendableEventLike {
  readonly request: Request;
  respondWith(r: Response | Promise<Response>): void;
}
interface SwScope {
  location: Location;
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
  addEventListener(type: 'install' | 'activate', fn: (e: ExtendableEventLike) => void): void;
  addEventListener(type: 'fetch', fn: (e: FetchEventLike) => void): void;
}

declare const __MANA_SHELL__: string[];

const sw = globalThis as unknown as SwScope;
const SHELL: string[] = __MANA_SHELL__;
const VERSION = SHELL.join('|')
  .split('')
  .reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) | 0, 7)
  .toString(36);
const CACHE = `mana-shell-${VERSION}`;

sw.addEventListener('install', (e) => {
  e.waitUntil(
    caches
      .open(CACHE)
      // config.json too, so an offline start has it (the page's first fetch of it ran before us).
      .then((c) => c.addAll(SHELL).then(() => c.add('/config.json').catch(() => undefined)))
      .then(() => sw.skipWaiting()),
  );
});

sw.addEventListener('activate', (e) => {
  e.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys.filter((k) => k.startsWith('mana-shell-') && k !== CACHE).map((k) => caches.delete(k)),
        ),
      )
      .then(() => sw.clients.claim()),
  );
});

async function networkFirst(request: Request, fallback: string): Promise<Response> {
  const cache = await caches.open(CACHE);
  try {
    const res = await fetch(request);
    if (res.ok && fallback === '/config.json') await cache.put(fallback, res.clone());
    return res;
  } catch (err) {
    const cached = await cache.match(fallback);
    if (cached) return cached;
    throw err;
  }
}

async function cacheFirst(request: Request): Promise<Response> {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const res = await fetch(request);
  if (res.ok) await cache.put(request, res.clone());
  return res;
}

sw.addEventListener('fetch', (e) => {
  const { request } = e;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== sw.location.origin) return;
  if (request.mode === 'navigate') e.respondWith(networkFirst(request, '/index.html'));
  else if (url.pathname === '/config.json') e.respondWith(networkFirst(request, '/config.json'));
  else if (url.pathname.startsWith('/assets/') || SHELL.includes(url.pathname))
    e.respondWith(cacheFirst(request));
});
