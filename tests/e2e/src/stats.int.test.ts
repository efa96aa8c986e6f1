/**
 * The stats bot end to end: the real runner (two of them on one Redis) against a real Synapse, auth,
 * sync and Redis; a real Prometheus scrapes this test's services (auth, sync, the runner, a node
 * exporter, a probe we stop), evaluates a rule and sends to a real Alertmanager configured from
 * deploy/alertmanager/alertmanager.yml, which posts to the runner's /alertmanager. Each runner reads
 * Prometheus through its own forwarding proxy, which can hold one query: that is how the test knows
 * which runner is inside the weekly report (claimed, not posted) when it kills it.
 */
import { REPORT_KEY, SECTIONS, type Sample, type SectionId } from '@mana/bot-stats';
import {
  freePort,
  startAlertmanager,
  startNodeExporter,
  startPrometheus,
  untilTargetsUp,
  type Daemon,
} from '@mana/testing';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateSync } from 'node:zlib';
import { parse, stringify } from 'yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bodyOf, openChat, type Chat, type RawEvent } from './support/bots-chat.ts';
import { startHoldingProxy, type HoldingProxy } from './support/holding-proxy.ts';
import {
  SERVER_NAME,
  spawnRunner,
  startBotsStack,
  until,
  type BotsStack,
  type RunnerProcess,
  type StackUser,
} from './support/index.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const STATS = `@stats:${SERVER_NAME}`;
const OPS_ALIAS = `#ops:${SERVER_NAME}`;
const TOKEN = randomBytes(24).toString('hex');
const RUNBOOKS = 'https://git.example.org/mana/blob/main/';
const JOBS = ['auth', 'sync', 'bots', 'node', 'probe'];

let stack: BotsStack;
let olga: StackUser;
let bob: StackUser;
let ops: Chat;
let prom: Daemon;
let am: Daemon;
let nodeExporter: Daemon;
let second: RunnerProcess | undefined;
let firstEnv: Record<string, string>;
let secondEnv: Record<string, string>;
/** The proxies in front of Prometheus: [0] for the stack's runner, [1] for the second one. */
let proxies: HoldingProxy[] = [];
let probe: { server: Server; port: number };
let dir: string;

/** A service with a /metrics page: the one we stop to fire an alert. */
async function startProbe(port = 0): Promise<{ server: Server; port: number }> {
  const server = createServer((_req, res) => res.end('probe_ok 1\n'));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address();
  return { server, port: typeof address === 'object' && address ? address.port : port };
}

const hostOf = (url: string) => new URL(url).host;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mana-e2e-stats-'));
  stack = await startBotsStack({
    label: 'e2e_stats',
    runnerEnv: { BOT_BOTS: 'mana,todo,stats', BOT_PROGRESS_AFTER_MS: '15000' },
  });
  [olga, bob] = await Promise.all([stack.ssoUser('olga'), stack.ssoUser('bob')]);
  ops = await openChat(stack, olga, STATS, { alias: 'ops', invite: [bob.userId] });
  await fetch(`${stack.synapse.baseUrl}/_matrix/client/v3/rooms/${encodeURIComponent(ops.roomId)}/join`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bob.accessToken}`, 'content-type': 'application/json' },
    body: '{}',
  });

  // Alertmanager exactly as deployed, but posting to this runner with this token and without the waits.
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, TOKEN);
  const amConfig = parse(readFileSync(join(ROOT, 'deploy/alertmanager/alertmanager.yml'), 'utf8')) as {
    route: { group_wait: string; group_interval: string; routes?: { group_wait?: string }[] };
    receivers: {
      webhook_configs: { url: string; http_config: { authorization: { credentials_file: string } } }[];
    }[];
  };
  amConfig.route.group_wait = '1s';
  amConfig.route.group_interval = '2s';
  for (const r of amConfig.route.routes ?? []) r.group_wait = '1s';
  for (const receiver of amConfig.receivers)
    for (const w of receiver.webhook_configs) {
      w.url = `${stack.runner.url}/alertmanager`;
      w.http_config.authorization.credentials_file = tokenFile;
    }
  am = await startAlertmanager({ config: amConfig });

  probe = await startProbe();
  nodeExporter = await startNodeExporter();
  const rules = join(dir, 'rules.yml');
  writeFileSync(
    rules,
    stringify({
      groups: [
        {
          name: 'e2e',
          rules: [
            {
              alert: 'ProbeDown',
              expr: 'up{job="probe"} == 0',
              for: '1s',
              labels: { severity: 'critical', service: 'probe' },
              annotations: {
                summary: '{{ $labels.job }} is down',
                runbook: 'deploy/README.md#manaservicedown',
              },
            },
          ],
        },
      ],
    }),
  );
  const job = (name: string, url: string) => ({
    job_name: name,
    static_configs: [{ targets: [hostOf(url)] }],
  });
  prom = await startPrometheus({
    config: {
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: [rules],
      alerting: { alertmanagers: [{ static_configs: [{ targets: [hostOf(am.url)] }] }] },
      scrape_configs: [
        job('auth', stack.auth.baseUrl),
        job('sync', stack.sync.url),
        job('bots', stack.runner.url),
        job('node', nodeExporter.url),
        job('probe', `http://127.0.0.1:${probe.port}`),
      ],
    },
    args: ['--rules.alert.resend-delay=1s'],
  });

  // Every job scraped and up before the runners that report start: a report never sees an empty
  // Prometheus. The reports are in the first operator's language: set before any can fire.
  await untilTargetsUp(prom.url, JOBS);
  await ops.ask('!stats language en', 30_000);

  // The runner again, now with the ops room and Prometheus; and a second one on the same Redis.
  proxies = await Promise.all([startHoldingProxy(prom.url), startHoldingProxy(prom.url)]);
  // The first weekly report's runner is held inside it (a query of the week), for the kill -9 test.
  for (const p of proxies) p.holdNext(weeklyQuery);
  const statsEnv = {
    STATS_OPS_ROOM: OPS_ALIAS,
    STATS_OPERATORS: olga.userId,
    STATS_ALERTMANAGER_TOKEN: TOKEN,
    STATS_TIMEZONE: 'Europe/Berlin',
    STATS_RUNBOOK_BASE_URL: RUNBOOKS,
    // Longer than the test needs to kill the runner whose query is held.
    STATS_PROMETHEUS_TIMEOUT_MS: '30000',
    // Every 10 s, so the test sees occurrences soon (one report per day still: the day is claimed).
    STATS_DAILY_CRON: '*/10 * * * * *',
    STATS_WEEKLY_CRON: '*/10 * * * * *',
  };
  await stack.runner.stop();
  firstEnv = { ...statsEnv, STATS_PROMETHEUS_URL: proxies[0]!.url };
  await stack.startRunner(firstEnv);
  const port = await freePort();
  secondEnv = {
    ...stack.runnerEnv,
    ...statsEnv,
    STATS_PROMETHEUS_URL: proxies[1]!.url,
    BOT_PORT: String(port),
  };
  second = await spawnRunner(secondEnv, `http://127.0.0.1:${port}`);
}, 300_000);

afterAll(async () => {
  await second?.stop();
  await stack?.close();
  await Promise.all([prom?.stop(), am?.stop(), nodeExporter?.stop(), ...proxies.map((p) => p.close())]);
  probe?.server.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

afterEach((ctx) => {
  if (ctx.task.result?.state === 'fail' && stack)
    console.log(
      `--- runner log (last 60 lines) ---\n${stack.runner.logs().slice(-60).join('\n')}\n--- second runner ---\n${second?.logs().slice(-40).join('\n')}\n--- alertmanager ---\n${am?.output().slice(-2000)}`,
    );
});

/** Prometheus' own answer to `query` at `at`, as the bot's client would get it. */
async function promQuery(query: string, at: Date) {
  const res = await fetch(`${prom.url}/api/v1/query`, {
    method: 'POST',
    body: new URLSearchParams({ query, time: String(at.getTime() / 1000) }),
  });
  const body = (await res.json()) as {
    data: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  return body.data.result.map((r) => ({ labels: r.metric, value: Number(r.value[1]) }));
}

/** A query of the weekly report (its ranges are a week), not of the daily one. */
function weeklyQuery(r: { params: URLSearchParams }): boolean {
  return r.params.get('query')?.includes('[7d]') === true;
}

/** The lines a section shows for Prometheus' own answers at `at`, over `range`. */
async function expectedLines(id: SectionId, at: Date, range = '1d'): Promise<string[]> {
  const queries = Object.entries(SECTIONS[id].queries(range));
  const answers = Object.fromEntries(
    await Promise.all(
      queries.map(async ([k, q]): Promise<[string, Sample[]]> => [k, await promQuery(q, at)]),
    ),
  );
  return SECTIONS[id].lines(answers, 'en');
}

/** Decodes a PNG far enough to prove it is one: chunks, IHDR, and the IDAT stream inflating to the image size. */
function decodePng(bytes: Uint8Array): { width: number; height: number } {
  const buf = Buffer.from(bytes);
  expect([...buf.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  let off = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (off < buf.length) {
    const len = buf.readUInt32BE(off);
    const type = buf.toString('latin1', off + 4, off + 8);
    const data = buf.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect(data[8]).toBe(8);
      channels = ({ 0: 1, 2: 3, 4: 2, 6: 4 } as Record<number, number>)[data[9] ?? -1] ?? 0;
    }
    if (type === 'IDAT') idat.push(data);
    off += 12 + len;
  }
  expect(inflateSync(Buffer.concat(idat)).length).toBe(height * (1 + width * channels));
  return { width, height };
}

async function statsEvents(): Promise<RawEvent[]> {
  return (await ops.timeline()).filter((e) => e.sender === STATS && e.type === 'm.room.message');
}

async function reports(kind: 'daily' | 'weekly'): Promise<RawEvent[]> {
  return (await statsEvents()).filter(
    (e) => (e.content[REPORT_KEY] as { kind?: string } | undefined)?.kind === kind,
  );
}

/**
 * How many occurrences of a report series after `after` the runners have finished (claimed in the
 * runtime's Postgres state, `bots.fired_jobs`): each of them ran and found the period's report done.
 */
async function doneOccurrences(kind: 'daily' | 'weekly', after: Date): Promise<number> {
  const prefix = `stats:report:${kind}@`;
  const [row] = await stack.auth.service.db.sql<{ n: number }[]>`
    select count(*)::int as n from bots.fired_jobs
     where job_id like ${`${prefix}%`} and job_id > ${prefix + after.toISOString()} and done_at is not null`;
  return row?.n ?? 0;
}

/** Whether the occurrence claimed as `jobId` has run to its end (its handler returned). */
async function occurrenceDone(jobId: string): Promise<boolean> {
  const [row] = await stack.auth.service.db.sql<{ done: boolean }[]>`
    select done_at is not null as done from bots.fired_jobs where job_id = ${jobId}`;
  return row?.done === true;
}

describe('stats bot with a real Prometheus and Alertmanager', () => {
  it('the weekly report: kill -9 of the runner inside it (claimed, not posted), a restart, and it posts once', async () => {
    const runners = [
      { proxy: proxies[0]!, kill: () => stack.runner.kill(), restart: () => stack.startRunner(firstEnv) },
      {
        proxy: proxies[1]!,
        kill: async () => second?.kill(),
        restart: async () =>
          (second = await spawnRunner(secondEnv, `http://127.0.0.1:${secondEnv.BOT_PORT}`)),
      },
    ];
    // The first weekly occurrence: one runner claimed it (and the week's day) and waits for a query.
    const holder = await until(
      'a runner inside the weekly report',
      () => runners.find((r) => r.proxy.held()),
      60_000,
      100,
    );
    const held = holder.proxy.held()!;
    const occurrence = `stats:report:weekly@${new Date(Number(held.params.get('time')) * 1000).toISOString()}`;
    expect(await reports('weekly')).toHaveLength(0);
    await holder.kill();
    for (const r of runners) r.proxy.release();
    expect(await occurrenceDone(occurrence)).toBe(false);
    await holder.restart();

    // Once the dead runner's lease runs out, a runner takes the week over and posts it.
    const weekly = await until('the weekly report', async () => (await reports('weekly'))[0], 60_000, 500);
    const period = weekly.content[REPORT_KEY] as { kind: string; end: string };
    expect(bodyOf(weekly)).toMatch(/^📊 Weekly report · \d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
    for (const line of await expectedLines('services', new Date(period.end), '7d'))
      expect(bodyOf(weekly)).toContain(line);
    // The killed occurrence itself (BullMQ hands it on when its lock runs out) and the later ones run
    // and find the week's report done: still one.
    await until(
      'the killed occurrence run again',
      async () => ((await occurrenceDone(occurrence)) ? true : undefined),
      90_000,
      500,
    );
    await until(
      'two later weekly occurrences',
      async () => ((await doneOccurrences('weekly', new Date(period.end))) >= 2 ? true : undefined),
      40_000,
      500,
    );
    expect(await reports('weekly')).toHaveLength(1);
  }, 180_000);

  it('system: an operator gets numbers from the node exporter, anyone else the refusal', async () => {
    // rate() needs two scrapes of the node exporter: ask once Prometheus can answer every query.
    const system = Object.values(SECTIONS.system.queries('1d'));
    await until(
      'node exporter data in Prometheus',
      async () =>
        (await Promise.all(system.map((q) => promQuery(q, new Date())))).every((r) => r.length)
          ? true
          : undefined,
      60_000,
      500,
    );
    const mine = bodyOf(await ops.ask('!stats system', 30_000));
    expect(mine).toMatch(/CPU: \d/);
    expect(mine).toMatch(/Memory: \d/);
    expect(mine).toMatch(/Load: \d/);
    const sent = await fetch(
      `${stack.synapse.baseUrl}/_matrix/client/v3/rooms/${encodeURIComponent(ops.roomId)}/send/m.room.message/${randomBytes(8).toString('hex')}`,
      {
        method: 'PUT',
        headers: { authorization: `Bearer ${bob.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ msgtype: 'm.text', body: '!stats system' }),
      },
    ).then((r) => r.json() as Promise<{ event_id: string }>);
    const refusal = await until('the refusal', async () => (await ops.repliesTo(sent.event_id))[0], 60_000);
    // Bob set no language: the runner's default, German.
    expect(bodyOf(refusal)).toBe('Das dürfen nur Operatoren im Ops-Raum.');
  }, 120_000);

  it('the daily report posts once (two runners) with Prometheus’ numbers and a PNG chart', async () => {
    const report = await until('the daily report', async () => (await reports('daily'))[0], 60_000, 500);
    const period = report.content[REPORT_KEY] as { kind: string; end: string };
    const at = new Date(period.end);
    const body = bodyOf(report);
    // The operator's language, set before the runners that report started.
    expect(body).toMatch(/^📊 Daily report · /);
    for (const id of ['services', 'bots', 'users', 'credits'] as const)
      for (const line of await expectedLines(id, at)) expect(body).toContain(line);
    expect(body).toContain('auth: 1/1 up');
    // Olga and Bob signed in through SSO (auth issued Synapse their tokens): active today.
    expect(Number(/Active users: (\d+)/.exec(body)?.[1])).toBeGreaterThanOrEqual(2);
    // Auth's periodic ledger check ran at its start, on real books.
    expect(body).toContain('Ledger check: ✅ consistent');

    const image = await until(
      'the chart',
      async () => (await statsEvents()).find((e) => e.content.msgtype === 'm.image'),
      60_000,
    );
    const mxc = new URL(String(image.content.url));
    const media = await fetch(
      `${stack.synapse.baseUrl}/_matrix/client/v1/media/download/${mxc.host}${mxc.pathname}`,
      { headers: { authorization: `Bearer ${olga.accessToken}` } },
    );
    expect(media.headers.get('content-type')).toBe('image/png');
    expect(decodePng(new Uint8Array(await media.arrayBuffer()))).toEqual({ width: 640, height: 240 });

    // The next occurrences (every 10 s) on either runner run and post no second report today.
    await until(
      'two later daily occurrences',
      async () => ((await doneOccurrences('daily', at)) >= 2 ? true : undefined),
      40_000,
      500,
    );
    expect(await reports('daily')).toHaveLength(1);
  }, 120_000);

  it('a stopped service fires the rule; the alert reaches the room through Alertmanager and resolves in its thread', async () => {
    const port = probe.port;
    await new Promise((r) => probe.server.close(r));
    const firing = await until(
      'the firing alert',
      async () => (await statsEvents()).find((e) => bodyOf(e).includes('FIRING · critical · ProbeDown')),
      120_000,
      1000,
    );
    expect(bodyOf(firing)).toContain('probe is down');
    // The rule's runbook path as a link under STATS_RUNBOOK_BASE_URL.
    expect(String(firing.content.formatted_body)).toContain(
      `href="${RUNBOOKS}deploy/README.md#manaservicedown"`,
    );
    probe = await startProbe(port);
    const resolved = await until(
      'the resolve',
      async () => (await statsEvents()).find((e) => bodyOf(e).includes('RESOLVED · ProbeDown')),
      120_000,
      1000,
    );
    expect(resolved.content['m.relates_to']).toMatchObject({
      rel_type: 'm.thread',
      event_id: firing.event_id,
    });
  }, 300_000);

  it('the receiver refuses a wrong token and a malformed payload (4xx), posting nothing', async () => {
    const before = (await statsEvents()).length;
    const wrong = await fetch(`${stack.runner.url}/alertmanager`, {
      method: 'POST',
      headers: { authorization: 'Bearer nope', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(wrong.status).toBe(401);
    const bad = await fetch(`${stack.runner.url}/alertmanager`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ version: '4', alerts: 'x' }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ errcode: 'M_BAD_JSON' });
    expect((await statsEvents()).length).toBe(before);
  });
});
