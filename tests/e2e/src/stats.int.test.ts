/**
 * The stats bot end to end: the real runner (two of them on one Redis) against a real Synapse, auth,
 * sync and Redis; a real Prometheus scrapes this test's services (auth, sync, the runner, a node
 * exporter, a probe we stop), evaluates a rule and sends to a real Alertmanager configured from
 * deploy/alertmanager/alertmanager.yml, which posts to the runner's /alertmanager.
 */
import { REPORT_KEY, SECTIONS, type Sample, type SectionId } from '@mana/bot-stats';
import { freePort, startAlertmanager, startNodeExporter, startPrometheus, type Daemon } from '@mana/testing';
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

let stack: BotsStack;
let olga: StackUser;
let bob: StackUser;
let ops: Chat;
let prom: Daemon;
let am: Daemon;
let nodeExporter: Daemon;
let second: RunnerProcess | undefined;
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

  // The runner again, now with the ops room and Prometheus; and a second one on the same Redis.
  const statsEnv = {
    STATS_OPS_ROOM: OPS_ALIAS,
    STATS_OPERATORS: olga.userId,
    STATS_PROMETHEUS_URL: prom.url,
    STATS_ALERTMANAGER_TOKEN: TOKEN,
    STATS_TIMEZONE: 'Europe/Berlin',
    // Every minute, so the test sees an occurrence (one report per day still: the day is claimed).
    STATS_DAILY_CRON: '0 * * * * *',
  };
  await stack.runner.stop();
  await stack.startRunner(statsEnv);
  const port = await freePort();
  second = await spawnRunner(
    { ...stack.runnerEnv, ...statsEnv, BOT_PORT: String(port) },
    `http://127.0.0.1:${port}`,
  );
  await ops.ask('!stats language en', 30_000);
}, 300_000);

afterAll(async () => {
  await second?.stop();
  await stack?.close();
  await Promise.all([prom?.stop(), am?.stop(), nodeExporter?.stop()]);
  probe?.server.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

afterEach((ctx) => {
  if (ctx.task.result?.state === 'fail' && stack)
    console.log(
      `--- runner log (last 60 lines) ---\n${stack.runner.logs().slice(-60).join('\n')}\n--- alertmanager ---\n${am?.output().slice(-2000)}`,
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

/** The lines a section shows for Prometheus' own answers at `at`. */
async function expectedLines(id: SectionId, at: Date): Promise<string[]> {
  const queries = Object.entries(SECTIONS[id].queries('1d'));
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

describe('stats bot with a real Prometheus and Alertmanager', () => {
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
    const report = await until(
      'the daily report',
      async () => (await statsEvents()).find((e) => REPORT_KEY in e.content),
      150_000,
      1000,
    );
    const period = report.content[REPORT_KEY] as { kind: string; end: string };
    expect(period.kind).toBe('daily');
    const at = new Date(period.end);
    const body = bodyOf(report);
    for (const id of ['services', 'bots'] as const)
      for (const line of await expectedLines(id, at)) expect(body).toContain(line);
    expect(body).toContain('auth: 1/1 up');

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

    // The next occurrences (every minute) on either runner post no second report today.
    await new Promise((r) => setTimeout(r, 65_000));
    expect((await statsEvents()).filter((e) => REPORT_KEY in e.content)).toHaveLength(1);
  }, 300_000);

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
    expect(String(firing.content.formatted_body)).toContain('href="deploy/README.md#manaservicedown"');
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
