/**
 * The stats bot's daily report against a Prometheus holding 30 days of data for 20 services (issue
 * 15): the time to build it through the bot's own client (`buildReport`: every section's instant
 * queries and the chart's range queries at once, zod-checked, formatted), next to the same PromQL
 * sent raw (fetch + JSON.parse, no checks, no formatting) in the same run, alternated. Goal ≤ 1.5×.
 *
 * The data is backfilled, not scraped: an OpenMetrics file (a 5-minute step; `http_requests_total`
 * by status, the latency histogram, `up`, `bot_commands_total`) turned into TSDB blocks with
 * `promtool tsdb create-blocks-from openmetrics`, then a real Prometheus opened on them.
 *
 *   npm exec -- node bench/src/stats-report.ts [--samples 30] [--services 20] [--days 30] [--rounds 1]
 */
import {
  buildReport,
  periodOf,
  prometheusClient,
  rangeOf,
  REPORT_SECTIONS,
  SECTIONS,
  trafficQueries,
} from '@mana/bot-stats';
import { MissingToolError, startPrometheus } from '@mana/testing';
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { summarize } from './stats.ts';

const { values } = parseArgs({
  options: {
    samples: { type: 'string', default: '30' },
    services: { type: 'string', default: '20' },
    days: { type: 'string', default: '30' },
    // Rounds of SAMPLES alternations on the same backfilled data (the backfill takes minutes).
    rounds: { type: 'string', default: '1' },
  },
});
const SAMPLES = Number(values.samples);
const SERVICES = Number(values.services);
const DAYS = Number(values.days);
const ROUNDS = Number(values.rounds);
const STEP_S = 300;
const BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const BOTS = ['todo', 'mana', 'calendar', 'clock', 'zitare', 'ollama', 'tts', 'stats'];

/** Writes the OpenMetrics file: counters grow by a daily-shaped rate, a few 5xx, one bot flaky. */
async function writeOpenMetrics(file: string, end: number): Promise<number> {
  const out = createWriteStream(file);
  const write = (s: string) =>
    out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r()));
  const start = end - DAYS * 86_400;
  const steps = Math.floor((end - start) / STEP_S);
  const services = Array.from({ length: SERVICES }, (_, i) => `svc${String(i).padStart(2, '0')}`);
  let lines = 0;
  const series = async (
    name: string,
    labels: (i: number) => string[],
    value: (label: number, step: number) => number,
    count: number,
  ) => {
    for (let l = 0; l < count; l++) {
      let chunk = '';
      for (let s = 0; s <= steps; s++) {
        chunk += `${name}{${labels(l).join(',')}} ${value(l, s)} ${start + s * STEP_S}\n`;
        lines++;
        if (chunk.length > 1 << 16) {
          await write(chunk);
          chunk = '';
        }
      }
      await write(chunk);
    }
  };
  // Requests per step: a daily wave; cumulative, as counters are.
  const perStep = (svc: number, s: number) =>
    Math.round(50 + 10 * svc + 40 * Math.sin((s * STEP_S * 2 * Math.PI) / 86_400));
  // Cumulative per service, precomputed once.
  const cum = services.map((_, svc) => {
    const a = new Float64Array(steps + 1);
    let n = 0;
    for (let s = 0; s <= steps; s++) a[s] = n += perStep(svc, s);
    return a;
  });
  await write('# TYPE http_requests counter\n');
  await series(
    'http_requests_total',
    (l) => [`service="${services[l >> 1]}"`, `status="${l & 1 ? '500' : '200'}"`],
    (l, s) => ((l & 1 ? 0.01 : 0.99) * (cum[l >> 1]?.[s] ?? 0)) | 0,
    SERVICES * 2,
  );
  await write('# TYPE http_request_duration_seconds histogram\n');
  const les = [...BUCKETS.map(String), '+Inf'];
  await series(
    'http_request_duration_seconds_bucket',
    (l) => [`service="${services[Math.floor(l / les.length)]}"`, `le="${les[l % les.length]}"`],
    (l, s) => {
      const i = l % les.length;
      const share = i === les.length - 1 ? 1 : Math.min(1, (i + 1) / (les.length - 2));
      return Math.round(share * (cum[Math.floor(l / les.length)]?.[s] ?? 0));
    },
    SERVICES * les.length,
  );
  await write('# TYPE up gauge\n');
  await series(
    'up',
    (l) => [`job="${services[l]}"`, `instance="${services[l]}:80"`],
    () => 1,
    SERVICES,
  );
  await write('# TYPE bot_commands counter\n');
  await series(
    'bot_commands_total',
    (l) => [`bot="${BOTS[l >> 1]}"`, `outcome="${l & 1 ? 'error' : 'ok'}"`],
    (l, s) => (l & 1 ? Math.floor(s / 50) : s * 3),
    BOTS.length * 2,
  );
  await write('# EOF\n');
  await new Promise<void>((r) => out.end(r));
  return lines;
}

const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

const dir = mkdtempSync(join(tmpdir(), 'mana-bench-stats-'));
try {
  const end = Math.floor(Date.now() / 1000 / STEP_S) * STEP_S - STEP_S;
  const file = join(dir, 'data.om');
  let t = performance.now();
  const lines = await writeOpenMetrics(file, end);
  console.log(
    `wrote ${lines} samples (${SERVICES} services, ${DAYS} days, ${STEP_S} s step) in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );
  t = performance.now();
  const tsdb = join(dir, 'tsdb');
  const r = spawnSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', file, tsdb], {
    encoding: 'utf8',
  });
  if (r.error && 'code' in r.error && r.error.code === 'ENOENT') throw new MissingToolError('promtool');
  if (r.status !== 0) throw new Error(`promtool failed:\n${r.stdout}${r.stderr}`);
  rmSync(file);
  console.log(`backfilled TSDB blocks in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  const prom = await startPrometheus({
    config: { global: { scrape_interval: '1m' }, scrape_configs: [] },
    storageDir: tsdb,
    args: [`--storage.tsdb.retention.time=${DAYS + 30}d`, '--query.lookback-delta=10m'],
  });
  try {
    const client = prometheusClient({ baseUrl: prom.url, timeoutMs: 60_000 });
    const at = new Date(end * 1000);
    const period = periodOf('daily', at);
    // The same PromQL the report sends: each section's instant queries, the chart's two range queries.
    const instant = REPORT_SECTIONS.flatMap((id) =>
      Object.values(SECTIONS[id].queries(rangeOf(period.seconds))),
    );
    const step = 3600;
    const ranges = Object.values(trafficQueries(step));
    const raw = async () => {
      const post = (path: string, params: Record<string, string>) =>
        fetch(`${prom.url}${path}`, { method: 'POST', body: new URLSearchParams(params) }).then((x) =>
          x.json(),
        );
      await Promise.all([
        ...instant.map((query) => post('/api/v1/query', { query, time: String(end) })),
        ...ranges.map((query) =>
          post('/api/v1/query_range', {
            query,
            start: String(end - 86_400 + step),
            end: String(end),
            step: String(step),
          }),
        ),
      ]);
    };
    const report = () => buildReport(client, REPORT_SECTIONS, period, 'en', 'bench');
    const check = await report();
    const failed = check.sections.filter((s) => 'error' in s);
    if (failed.length > 0) throw new Error(`sections failed: ${JSON.stringify(failed)}`);
    const traffic = check.sections.find((s) => s.id === 'traffic');
    console.log(`traffic, first line: ${traffic && 'lines' in traffic ? traffic.lines[0] : '?'}`);
    for (let i = 0; i < 3; i++) {
      await raw();
      await report();
    }
    const ratios: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const rawMs: number[] = [];
      const reportMs: number[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        for (const [fn, into] of (i % 2
          ? [
              [raw, rawMs],
              [report, reportMs],
            ]
          : [
              [report, reportMs],
              [raw, rawMs],
            ]) as [() => Promise<unknown>, number[]][]) {
          const t0 = performance.now();
          await fn();
          into.push(performance.now() - t0);
        }
      }
      const a = summarize(reportMs);
      const b = summarize(rawMs);
      console.log(
        `round ${round}: queries per report: ${instant.length} instant + ${ranges.length} range; load average ${load()}`,
      );
      console.log(`raw queries   n=${b.n} p50 ${b.p50.toFixed(1)} ms p95 ${b.p95.toFixed(1)} ms`);
      console.log(`daily report  n=${a.n} p50 ${a.p50.toFixed(1)} ms p95 ${a.p95.toFixed(1)} ms`);
      console.log(`daily report p50 = ${(a.p50 / b.p50).toFixed(2)}× raw queries p50 (goal ≤ 1.5×)`);
      console.log(`daily report p95 = ${(a.p95 / b.p95).toFixed(2)}× raw queries p95`);
      ratios.push(a.p50 / b.p50);
    }
    if (ROUNDS > 1) {
      const sorted = [...ratios].sort((x, y) => x - y);
      console.log(
        `daily report p50 ÷ raw p50 per round: ${ratios.map((r) => r.toFixed(2)).join(', ')}; median ${sorted[Math.floor(sorted.length / 2)]?.toFixed(2)}×`,
      );
    }
  } finally {
    await prom.stop();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
