/**
 * WebSocket `/ws` (all apps the token may use) and `/ws/:appId` (one app): the first message must be
 * `{ type: "auth", token }`; afterwards the server sends `{ type: "poke", appId, cursor }` whenever a
 * stream the connection may see advances, so the client pulls at once — or, for a small push, with
 * `from` and the rows themselves (`changes`), so a client at `from` needs no pull. Close codes: WsCloseCode.
 */
import type { TokenVerifier } from '@mana/auth-client';
import type { Logger } from '@mana/logging';
import { WsCloseCode, isAppId, wsClientMessageSchema } from '@mana/sync-protocol';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { mayUse, mayUseAny, principalOf, type Principal } from './auth.ts';
import type { Poke } from './fanout.ts';

export interface WsHubOptions {
  verifier: TokenVerifier;
  logger: Logger;
  authTimeoutMs: number;
  heartbeatMs: number;
  onCount?: (open: number) => void;
}

interface Conn {
  ws: WebSocket;
  app: string | undefined;
  principal: Principal | undefined;
  alive: boolean;
  timer: NodeJS.Timeout | undefined;
}

export interface WsHub {
  /** Handles an HTTP upgrade; returns false when the path is not ours. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  poke(poke: Poke): void;
  readonly size: number;
  /** Closes every socket with 1001 (going away); calling it again returns the same promise. */
  close(): Promise<void>;
}

const MAX_TIMEOUT = 2 ** 31 - 1;

const text = (data: RawData): string =>
  (Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)).toString(
    'utf8',
  );

export function createWsHub({ verifier, logger, authTimeoutMs, heartbeatMs, onCount }: WsHubOptions): WsHub {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 32 * 1024, perMessageDeflate: false });
  const all = new Set<Conn>();
  const byUser = new Map<string, Set<Conn>>();
  const count = () => onCount?.(all.size);
  let closing: Promise<void> | undefined;

  /** `msg` as an object, or already encoded (a poke is encoded once for all of a user's sockets). */
  const send = (c: Conn, msg: object | string) => {
    if (c.ws.readyState === c.ws.OPEN) c.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  };
  const close = (c: Conn, code: number, reason: string) => {
    if (c.ws.readyState === c.ws.OPEN || c.ws.readyState === c.ws.CONNECTING) c.ws.close(code, reason);
  };
  const forget = (c: Conn) => {
    clearTimeout(c.timer);
    all.delete(c);
    if (c.principal) {
      const set = byUser.get(c.principal.userId);
      set?.delete(c);
      if (set?.size === 0) byUser.delete(c.principal.userId);
    }
    count();
  };

  async function onAuth(c: Conn, token: string) {
    let p: Principal;
    try {
      p = principalOf(await verifier.verify(token));
    } catch {
      close(c, WsCloseCode.Unauthenticated, 'invalid token');
      return;
    }
    if (c.ws.readyState !== c.ws.OPEN) return;
    if (c.principal && c.principal.userId !== p.userId) {
      close(c, WsCloseCode.ProtocolError, 'a connection speaks for one user');
      return;
    }
    if (!mayUseAny(p) || (c.app !== undefined && !mayUse(p, c.app))) {
      close(c, WsCloseCode.Forbidden, 'token may not use sync here');
      return;
    }
    clearTimeout(c.timer);
    // Re-sending auth with a fresh token extends the connection past the old token's expiry.
    c.timer = setTimeout(
      () => close(c, WsCloseCode.Unauthenticated, 'token expired'),
      Math.min(MAX_TIMEOUT, Math.max(0, p.expiresAt * 1000 - Date.now())),
    );
    if (!c.principal) {
      let set = byUser.get(p.userId);
      if (!set) byUser.set(p.userId, (set = new Set()));
      set.add(c);
    }
    c.principal = p;
    send(c, { type: 'ready' });
  }

  function onMessage(c: Conn, data: RawData) {
    let msg;
    try {
      msg = wsClientMessageSchema.safeParse(JSON.parse(text(data)));
    } catch {
      msg = undefined;
    }
    if (!msg?.success) {
      close(c, WsCloseCode.ProtocolError, 'malformed message');
      return;
    }
    if (msg.data.type === 'ping') send(c, { type: 'pong' });
    else onAuth(c, msg.data.token).catch((err: unknown) => logger.error({ err }, 'ws auth failed'));
  }

  const heartbeat = setInterval(() => {
    for (const c of all) {
      if (!c.alive) {
        c.ws.terminate();
        continue;
      }
      c.alive = false;
      c.ws.ping();
    }
  }, heartbeatMs);
  heartbeat.unref();

  return {
    handleUpgrade(req, socket, head) {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const m = /^\/ws(?:\/([^/]+))?\/?$/.exec(path);
      if (!m) return false;
      const app = m[1];
      wss.handleUpgrade(req, socket, head, (ws) => {
        const c: Conn = { ws, app, principal: undefined, alive: true, timer: undefined };
        all.add(c);
        count();
        ws.on('message', (data) => onMessage(c, data));
        ws.on('pong', () => (c.alive = true));
        ws.on('close', () => forget(c));
        ws.on('error', () => ws.terminate());
        if (app !== undefined && !isAppId(app)) close(c, WsCloseCode.Forbidden, 'unknown app');
        else c.timer = setTimeout(() => close(c, WsCloseCode.Unauthenticated, 'auth timeout'), authTimeoutMs);
      });
      return true;
    },
    poke({ userId, appId, version, rows }) {
      const set = byUser.get(userId);
      if (!set) return;
      let msg: string | undefined;
      for (const c of set)
        if (c.principal && mayUse(c.principal, appId) && (c.app === undefined || c.app === appId)) {
          // Built once for all of the user's sockets; `rows.json` is already a JSON array.
          msg ??= rows
            ? `{"type":"poke","appId":${JSON.stringify(appId)},"cursor":${version},"from":${rows.from},"changes":${rows.json}}`
            : JSON.stringify({ type: 'poke', appId, cursor: version });
          send(c, msg);
        }
    },
    get size() {
      return all.size;
    },
    close: () =>
      (closing ??= (async () => {
        clearInterval(heartbeat);
        for (const c of all) close(c, WsCloseCode.GoingAway, 'server shutting down');
        const deadline = Date.now() + 2000;
        while (all.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        for (const c of all) c.ws.terminate();
        await new Promise<void>((r) => wss.close(() => r()));
      })()),
  };
}
