/**
 * A person on the local stack, over plain HTTP as a browser and a Matrix client would do it:
 * sign up on auth's page, confirm the email from the local outbox folder, sign in to Synapse
 * through SSO, open a DM with a bot and talk to it.
 */
import { CookieClient, ssoLogin } from '@mana/auth/testing';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

export interface Person {
  userId: string;
  accessToken: string;
  email: string;
  password: string;
}

export interface TimelineEvent {
  event_id: string;
  type: string;
  sender: string;
  content: Record<string, unknown>;
}

export async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(
    `timed out waiting for ${what}${last ? ` (last error: ${last instanceof Error ? last.message : JSON.stringify(last)})` : ''}`,
  );
}

/** Registers on auth's sign-up page, follows the link from the outbox folder, signs in via Synapse SSO. */
export async function signUp(o: {
  authUrl: string;
  synapseUrl: string;
  outboxDir: string;
  username: string;
}): Promise<Person> {
  const email = `${o.username}@example.test`;
  const password = `correct horse ${o.username} battery`;
  const browser = new CookieClient();
  const page = await browser.get(`${o.authUrl}/register`);
  const res = await browser.submit(page, 'form[action="/register"]', {
    email,
    username: o.username,
    password,
  });
  if (res.status !== 201) throw new Error(`sign-up failed: ${res.status} ${res.text.slice(0, 300)}`);
  const link = await until('the confirmation mail in the outbox folder', async () => {
    if (!existsSync(o.outboxDir)) return undefined;
    for (const f of readdirSync(o.outboxDir).filter((n) => n.includes(email))) {
      const found = /https?:\/\/\S+verify-email\S*/.exec(readFileSync(join(o.outboxDir, f), 'utf8'))?.[0];
      if (found) return found;
    }
    return undefined;
  });
  const confirmed = await browser.get(link);
  if (confirmed.status !== 200) throw new Error(`confirming the email failed: ${confirmed.status}`);
  const sso = await ssoLogin({ synapseBaseUrl: o.synapseUrl, user: { email, password } });
  return { userId: sso.userId, accessToken: sso.accessToken, email, password };
}

export class Dm {
  readonly synapseUrl: string;
  readonly person: Person;
  readonly bot: string;
  readonly roomId: string;

  constructor(o: { synapseUrl: string; person: Person; bot: string; roomId: string }) {
    this.synapseUrl = o.synapseUrl;
    this.person = o.person;
    this.bot = o.bot;
    this.roomId = o.roomId;
  }

  static async open(synapseUrl: string, person: Person, bot: string, joinMs = 60_000): Promise<Dm> {
    const created = await matrix<{ room_id: string }>(synapseUrl, person, 'POST', '/createRoom', {
      preset: 'trusted_private_chat',
      is_direct: true,
      invite: [bot],
    });
    const dm = new Dm({ synapseUrl, person, bot, roomId: created.room_id });
    await until(
      `${bot} to join the DM`,
      async () => ((await dm.members()).includes(bot) ? true : undefined),
      joinMs,
    );
    return dm;
  }

  async members(): Promise<string[]> {
    const r = await matrix<{ joined: Record<string, unknown> }>(
      this.synapseUrl,
      this.person,
      'GET',
      `/rooms/${encodeURIComponent(this.roomId)}/joined_members`,
    );
    return Object.keys(r.joined);
  }

  async send(body: string): Promise<string> {
    const r = await matrix<{ event_id: string }>(
      this.synapseUrl,
      this.person,
      'PUT',
      `/rooms/${encodeURIComponent(this.roomId)}/send/m.room.message/${randomBytes(8).toString('hex')}`,
      { msgtype: 'm.text', body },
    );
    return r.event_id;
  }

  async timeline(): Promise<TimelineEvent[]> {
    const r = await matrix<{ chunk: TimelineEvent[] }>(
      this.synapseUrl,
      this.person,
      'GET',
      `/rooms/${encodeURIComponent(this.roomId)}/messages?dir=b&limit=200`,
    );
    return r.chunk.reverse();
  }

  /** The bot's replies to one event (`m.in_reply_to`). */
  async repliesTo(eventId: string): Promise<TimelineEvent[]> {
    return (await this.timeline()).filter((e) => {
      const rel = e.content['m.relates_to'] as { 'm.in_reply_to'?: { event_id?: string } } | undefined;
      return e.sender === this.bot && rel?.['m.in_reply_to']?.event_id === eventId;
    });
  }

  /** Sends `body` and waits for the bot's first reply to it. */
  async ask(body: string, ms = 30_000): Promise<TimelineEvent> {
    const id = await this.send(body);
    return this.reply(id, ms);
  }

  async reply(eventId: string, ms = 30_000): Promise<TimelineEvent> {
    return until(`${this.bot}'s reply to ${eventId}`, async () => (await this.repliesTo(eventId))[0], ms);
  }
}

async function matrix<T>(
  base: string,
  who: Person,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${base}/_matrix/client/v3${path}`, {
    method,
    headers: { authorization: `Bearer ${who.accessToken}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await res.json()) as T;
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

export const bodyOf = (e: TimelineEvent): string =>
  typeof e.content.body === 'string' ? e.content.body : '';
