import { createTestHarness } from '@mana/bot-runtime/testing';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createStatsBot, DAILY_KEY, WEEKLY_KEY } from './bot.ts';
import { loadStatsConfig } from './config.ts';
import { notification, tablePrometheus } from './fixtures.ts';
import type { Prometheus } from './prometheus.ts';
import { SECTIONS } from './sections.ts';

const op = '@olga:mana.test';
const bob = '@bob:mana.test';
const ops = '!ops:mana.test';
const dm = '!dm:mana.test';
const STATS = '@stats:mana.test';
const TOKEN = 'x'.repeat(40);
const now = new Date('2026-12-02T08:00:30Z');

const system = SECTIONS.system.queries('24h');
const services = SECTIONS.services.queries('24h');

/** The bot as configured for these tests: Olga operates, the token is TOKEN, the reports at 09:00. */
function statsBotWith(over: { opsRoom: string; prometheus: Prometheus }) {
  return createStatsBot({
    ...loadStatsConfig({ STATS_OPERATORS: op, STATS_ALERTMANAGER_TOKEN: TOKEN }),
    ...over,
  });
}

async function setup(options: { opsRoom?: string } = {}) {
  const prom = tablePrometheus(
    {
      [system.cpu!]: [{ labels: {}, value: 0.25 }],
      [system.memory!]: [{ labels: {}, value: 0.5 }],
      [system.disk!]: [{ labels: {}, value: 0.125 }],
      [system.load!]: [{ labels: {}, value: 1.5 }],
      [services.up!]: [
        { labels: { job: 'auth' }, value: 1 },
        { labels: { job: 'sync' }, value: 0 },
      ],
    },
    [
      {
        labels: {},
        points: [
          { t: now.getTime() - 3600_000, v: 120 },
          { t: now.getTime(), v: 80 },
        ],
      },
    ],
  );
  const bot = statsBotWith({ opsRoom: options.opsRoom ?? '#ops:mana.test', prometheus: prom });
  const h = createTestHarness({ bots: [bot], linked: [op, bob], now: () => now });
  h.matrix.aliases.set('#ops:mana.test', ops);
  h.members.set(ops, [op, bob, '@carl:mana.test', STATS]);
  h.members.set(dm, [bob, STATS]);
  const app = new Hono();
  await h.dispatcher.start({ http: app });
  await h.ask(op, ops, '!stats language en');
  await h.ask(bob, ops, '!stats language en');
  return { h, prom, app };
}

const post = (app: Hono, body: unknown, token = TOKEN) =>
  app.request('/alertmanager', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('stats bot: commands', () => {
  it('an operator in the ops room gets numbers; anyone else, or elsewhere, the refusal', async () => {
    const { h } = await setup();
    const [sys] = await h.ask(op, ops, '!stats system');
    expect(sys).toContain('CPU: 25 %');
    expect(sys).toContain('Memory: 50 %');
    expect(sys).toContain('Disk (fullest): 12.5 %');
    expect(sys).toContain('Load: 1.5');
    expect(await h.ask(bob, ops, '!stats system')).toEqual(['Only operators may ask this, in the ops room.']);
    expect(await h.ask(op, '!elsewhere:mana.test', '!stats system')).toEqual([]);
    h.members.set('!opdm:mana.test', [op, STATS]);
    expect(await h.ask(op, '!opdm:mana.test', 'system')).toEqual([
      'Only operators may ask this, in the ops room.',
    ]);
    const [svc] = await h.ask(op, ops, '!stats dienste');
    expect(svc).toContain('auth: 1/1 up');
    expect(svc).toContain('sync: 0/1 up');
  });

  it('Prometheus down: the command says which section is missing and why', async () => {
    const { h, prom } = await setup();
    prom.down = 'unreachable';
    expect(await h.ask(op, ops, '!stats db')).toEqual(['Database: missing (Prometheus: unreachable)']);
  });

  it('stats: anyone’s own tasks, events and credits used, from their own streams', async () => {
    const { h } = await setup();
    const todo = await h.stores.forUser(bob, 'todo');
    await todo.upsert('tasks', 't1', { title: 'a', priority: 2, completed: false });
    await todo.upsert('tasks', 't2', { title: 'b', priority: 2, completed: true });
    await todo.flush();
    h.credits.grant(bob, 1000);
    const [mine] = await h.ask(bob, dm, 'stats');
    expect(mine).toContain('Tasks: 2 (1 open)');
    expect(mine).toContain('Events: 0');
    expect(mine).toContain('Credits used: 0');
  });
});

describe('stats bot: start', () => {
  it('an ops room alias nobody knows stops the start (bad configuration), naming the alias', async () => {
    const bot = statsBotWith({ opsRoom: '#nowhere:mana.test', prometheus: tablePrometheus() });
    const h = createTestHarness({ bots: [bot] });
    await expect(h.dispatcher.start()).rejects.toThrow('the room alias #nowhere:mana.test is unknown');
  });
});

describe('stats bot: reports', () => {
  it('declares the daily and the weekly series at start, at 09:00 in its zone', async () => {
    const { h } = await setup();
    expect(h.scheduler.repeatables.get(DAILY_KEY)?.repeat).toEqual({
      pattern: '0 9 * * *',
      tz: 'Europe/Berlin',
    });
    expect(h.scheduler.repeatables.get(WEEKLY_KEY)?.repeat).toEqual({
      pattern: '0 9 * * 1',
      tz: 'Europe/Berlin',
    });
  });

  it('an occurrence posts the report and a PNG chart into the ops room, once', async () => {
    const { h } = await setup();
    const at = new Date('2026-12-02T08:00:00Z');
    const job = {
      botId: 'stats',
      name: 'report',
      jobId: `${DAILY_KEY}@${at.toISOString()}`,
      data: { kind: 'daily' },
      repeat: { key: DAILY_KEY, at: at.toISOString() },
    };
    const before = h.matrix.sent.length;
    await h.dispatcher.runJob(job);
    await h.dispatcher.runJob(job);
    const posts = h.matrix.sent.slice(before);
    expect(posts.map((p) => p.roomId)).toEqual([ops, ops]);
    expect(String(posts[0]?.content.body)).toContain('Daily report · 2026-12-02 09:00');
    expect(posts[0]?.content['org.mana.stats.report']).toEqual({ kind: 'daily', end: at.toISOString() });
    expect(String(posts[0]?.content.body)).toContain('sync: 0/1 up');
    expect(posts[1]?.content.msgtype).toBe('m.image');
    const png = h.matrix.media.get(String(posts[1]?.content.url));
    expect(png?.contentType).toBe('image/png');
    expect([...(png?.bytes.subarray(0, 8) ?? [])]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  });

  it('Prometheus down: the report still posts, every section marked missing with the reason, no chart', async () => {
    const { h, prom } = await setup();
    prom.down = 'no answer within 5000 ms';
    const at = new Date('2026-11-30T08:00:00Z');
    const before = h.matrix.sent.length;
    await h.dispatcher.runJob({
      botId: 'stats',
      name: 'report',
      jobId: `${WEEKLY_KEY}@${at.toISOString()}`,
      data: { kind: 'weekly' },
      repeat: { key: WEEKLY_KEY, at: at.toISOString() },
    });
    const posts = h.matrix.sent.slice(before);
    expect(posts).toHaveLength(1);
    const body = String(posts[0]?.content.body);
    expect(body).toContain('Weekly report · 2026-11-30');
    expect(body).toContain('7 of 7 sections are missing.');
    expect(body).toContain('Traffic: missing (Prometheus: no answer within 5000 ms)');
  });
});

describe('stats bot: Alertmanager webhook', () => {
  it('a wrong token or a malformed payload is a 4xx with an errcode, and nothing is posted', async () => {
    const { h, app } = await setup();
    const before = h.matrix.sent.length;
    const wrong = await post(app, notification(), 'y'.repeat(40));
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ errcode: 'M_UNKNOWN_TOKEN' });
    expect((await post(app, '{not json')).status).toBe(400);
    const bad = await post(app, { ...notification(), alerts: 'many' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ errcode: 'M_BAD_JSON' });
    expect(h.matrix.sent.length).toBe(before);
  });

  it('firing opens a thread per group, a retry posts nothing new, the resolve follows in the thread', async () => {
    const { h, app } = await setup();
    const before = h.matrix.sent.length;
    const firing = notification({}, 500);
    const r = await post(app, firing);
    expect(r.status).toBe(200);
    expect((await post(app, firing)).status).toBe(200);
    const resolved = notification({
      status: 'resolved',
      alerts: firing.alerts.map((a) => ({
        ...a,
        status: 'resolved' as const,
        endsAt: '2026-12-02T08:10:00Z',
      })),
    });
    expect((await post(app, resolved)).status).toBe(200);
    const posts = h.matrix.sent.slice(before);
    expect(posts).toHaveLength(2);
    expect(posts[0]?.roomId).toBe(ops);
    expect(String(posts[0]?.content.body)).toContain('FIRING · critical · ManaServiceDown (500)');
    expect(String(posts[0]?.content.body)).toContain('… and 490 more');
    expect(String(posts[1]?.content.body)).toContain('RESOLVED · ManaServiceDown');
    expect(posts[1]?.content['m.relates_to']).toMatchObject({
      rel_type: 'm.thread',
      event_id: posts[0]?.eventId,
    });
  });

  it('without an ops room the receiver answers 503 and posts nothing', async () => {
    const { h, app } = await setup({ opsRoom: '' });
    const before = h.matrix.sent.length;
    const r = await post(app, notification());
    expect(r.status).toBe(503);
    expect(h.matrix.sent.length).toBe(before);
  });
});
