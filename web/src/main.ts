/**
 * Start-up: read config.json, finish a sign-in round trip if this is `/auth/callback`, open the local
 * replica (guest or account), render, and register the service worker that keeps the shell offline.
 */
import { mount } from 'svelte';
import App from './App.svelte';
import { AppState, LANG_KEY, routeOfPath } from './lib/app.svelte.ts';
import { loadConfig } from './lib/config.ts';
import { pickLang, translate } from './lib/i18n.ts';
import { createSession } from './lib/session.ts';
import './styles.css';

async function start() {
  const target = document.getElementById('app');
  if (!target) throw new Error('#app missing');
  const lang = pickLang(localStorage.getItem(LANG_KEY), navigator.languages);
  document.documentElement.lang = lang;
  let config;
  try {
    config = await loadConfig();
  } catch (err) {
    target.textContent = translate(lang, 'configError', {
      error: err instanceof Error ? err.message : String(err),
    });
    return;
  }
  const session = createSession(config);
  let notice: string | null = null;
  const named = routeOfPath(location.pathname);
  if (named)
    history.replaceState(null, '', `/${location.hash.startsWith('#/') ? location.hash : `#/${named}`}`);
  else if (location.pathname === new URL(config.redirectUri).pathname) {
    try {
      const returnTo = await session.completeSignIn(new URL(location.href));
      history.replaceState(null, '', `/${returnTo.startsWith('#') ? returnTo : '#/todo'}`);
    } catch (err) {
      notice = translate(lang, 'signInFailed', { error: err instanceof Error ? err.message : String(err) });
      history.replaceState(null, '', '/#/account');
    }
  }
  const app = new AppState({ config, session, lang, notice });
  app.start();
  target.textContent = '';
  mount(App, { target, props: { app } });
  if (import.meta.env.PROD && 'serviceWorker' in navigator) {
    navigator.serviceWorker.register('/sw.js', { type: 'module', scope: '/' }).catch(() => {});
  }
}

void start();
