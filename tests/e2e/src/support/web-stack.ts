/**
 * The bots stack (support/bots-stack.ts) with the production build of the web app served on the
 * origin auth registers for it, in headless Chromium (support/web-app.ts): what every Matrix-and-web
 * test starts. The build runs while the stack starts; `close` stops both and removes the build.
 */
import { freePort } from '@mana/testing';
import { rmSync } from 'node:fs';
import { startBotsStack, type BotsStack, type BotsStackOptions } from './bots-stack.ts';
import { buildWebApp, startWebApp, type WebApp } from './web-app.ts';

export interface WebStack {
  stack: BotsStack;
  web: WebApp;
  close(): Promise<void>;
}

export async function startWebStack(options: Omit<BotsStackOptions, 'webOrigin'>): Promise<WebStack> {
  const webPort = await freePort();
  const built = buildWebApp();
  built.catch(() => undefined);
  let stack: BotsStack | undefined;
  let web: WebApp | undefined;
  const close = async () => {
    await web?.close();
    await stack?.close();
    const dist = await built.catch(() => undefined);
    if (dist) rmSync(dist, { recursive: true, force: true });
  };
  try {
    stack = await startBotsStack({ ...options, webOrigin: `http://127.0.0.1:${webPort}` });
    web = await startWebApp({
      dist: await built,
      port: webPort,
      authIssuer: stack.auth.baseUrl,
      syncTarget: stack.sync.url,
    });
    return { stack, web, close };
  } catch (err) {
    await close();
    throw err;
  }
}
