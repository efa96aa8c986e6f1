/**
 * The Matrix side of the runtime on matrix-bot-sdk: one `Appservice` (its intents impersonate the
 * bot users with the as_token); every call goes through `withRetry`.
 */
import type { Logger } from '@mana/logging';
import {
  Appservice,
  LogLevel,
  LogService,
  MemoryStorageProvider,
  type IAppserviceRegistration,
  type MatrixClient,
} from 'matrix-bot-sdk';
import { createHash } from 'node:crypto';
import { withRetry } from './retry.ts';

export interface BotProfile {
  displayName: string;
  avatarUrl?: string;
}

/** What the runtime needs from Matrix, per bot user. */
export interface MatrixPort {
  /** Registers the bot user if needed and sets its profile. */
  ensureBotUser(userId: string, profile: BotProfile): Promise<void>;
  join(userId: string, roomId: string): Promise<void>;
  /** Sends an event; `txnKey` makes retries (and re-runs after a crash) idempotent at Synapse. */
  send(
    userId: string,
    roomId: string,
    type: string,
    content: Record<string, unknown>,
    txnKey?: string,
  ): Promise<string>;
  typing(userId: string, roomId: string, typing: boolean): Promise<void>;
  joinedMembers(userId: string, roomId: string): Promise<string[]>;
}

export interface AppserviceOptions {
  homeserverUrl: string;
  serverName: string;
  registration: {
    id: string;
    asToken: string;
    hsToken: string;
    senderLocalpart: string;
    userRegex: string;
  };
  logger: Logger;
  retryMaxMs: number;
}

/** matrix-bot-sdk logs through its own LogService; send it to pino, warnings and up only. */
function routeSdkLogs(logger: Logger): void {
  const log = logger.child({ component: 'matrix-bot-sdk' });
  const fmt = (module: string, args: unknown[]) => ({
    module,
    detail: args.map((a) => (a instanceof Error ? a.message : a)),
  });
  LogService.setLogger({
    trace: () => {},
    debug: () => {},
    info: () => {},
    warn: (module: string, ...args: unknown[]) => log.warn(fmt(module, args), 'sdk warning'),
    error: (module: string, ...args: unknown[]) => log.warn(fmt(module, args), 'sdk error'),
  });
  LogService.setLevel(LogLevel.WARN);
  LogService.muteModule('Metrics');
}

export function createAppservicePort(options: AppserviceOptions): {
  port: MatrixPort;
  appservice: Appservice;
} {
  routeSdkLogs(options.logger);
  const r = options.registration;
  const registration: IAppserviceRegistration = {
    id: r.id,
    as_token: r.asToken,
    hs_token: r.hsToken,
    sender_localpart: r.senderLocalpart,
    namespaces: { users: [{ exclusive: true, regex: r.userRegex }], rooms: [], aliases: [] },
  };
  // The runner serves the appservice HTTP API itself (Hono, see appservice-http.ts); this instance
  // is never `begin()`-ed and is used for its intents only.
  const appservice = new Appservice({
    homeserverName: options.serverName,
    homeserverUrl: options.homeserverUrl,
    port: 0,
    bindAddress: '127.0.0.1',
    registration,
    storage: new MemoryStorageProvider(),
  });
  const log = options.logger.child({ component: 'matrix' });
  const retry = <T>(what: string, fn: () => Promise<T>) =>
    withRetry(fn, {
      maxElapsedMs: options.retryMaxMs,
      onRetry: ({ attempt, delayMs, reason }) =>
        log.warn({ what, attempt, delayMs, reason }, 'matrix call failed, retrying'),
    });
  const client = (userId: string): MatrixClient => appservice.getIntentForUserId(userId).underlyingClient;
  const enc = encodeURIComponent;

  const port: MatrixPort = {
    async ensureBotUser(userId, profile) {
      const localpart = userId.slice(1).split(':')[0] ?? '';
      const c = client(userId);
      await retry('register', async () => {
        try {
          await c.doRequest('POST', '/_matrix/client/v3/register', null, {
            type: 'm.login.application_service',
            username: localpart,
            inhibit_login: true,
          });
        } catch (err) {
          const errcode =
            typeof err === 'object' && err !== null && 'errcode' in err ? err.errcode : undefined;
          // Already registered (or the appservice's own sender user, which always exists).
          if (errcode !== 'M_USER_IN_USE' && errcode !== 'M_EXCLUSIVE') throw err;
        }
      });
      const current: unknown = await retry('profile', () => c.getUserProfile(userId)).catch(() => ({}));
      const displayName =
        typeof current === 'object' && current !== null && 'displayname' in current
          ? current.displayname
          : undefined;
      if (displayName !== profile.displayName)
        await retry('displayname', () => c.setDisplayName(profile.displayName));
      const avatar =
        typeof current === 'object' && current !== null && 'avatar_url' in current
          ? current.avatar_url
          : undefined;
      if (profile.avatarUrl && avatar !== profile.avatarUrl) {
        const url = profile.avatarUrl;
        await retry('avatar', () => c.setAvatarUrl(url));
      }
    },
    async join(userId, roomId) {
      await retry('join', () => client(userId).joinRoom(roomId));
    },
    async send(userId, roomId, type, content, txnKey) {
      const txnId = txnKey
        ? `mana.${createHash('sha256').update(`${userId}|${txnKey}`).digest('base64url').slice(0, 32)}`
        : `mana.${Date.now()}.${Math.random().toString(36).slice(2)}`;
      const res: unknown = await retry('send', () =>
        client(userId).doRequest(
          'PUT',
          `/_matrix/client/v3/rooms/${enc(roomId)}/send/${enc(type)}/${enc(txnId)}`,
          null,
          content,
        ),
      );
      const eventId = typeof res === 'object' && res !== null && 'event_id' in res ? res.event_id : undefined;
      if (typeof eventId !== 'string') throw new Error('send: no event_id in response');
      return eventId;
    },
    async typing(userId, roomId, typing) {
      // Typing notices are best effort: never retried for long, never fatal.
      await client(userId)
        .setTyping(roomId, typing, 30_000)
        .catch((err: unknown) => log.debug({ err, roomId }, 'typing notice failed'));
    },
    async joinedMembers(userId, roomId) {
      return retry('members', () => client(userId).getJoinedRoomMembers(roomId));
    },
  };
  return { port, appservice };
}
