/**
 * Auth throughput, each number next to node-oidc-provider's own baseline measured in the same run:
 *
 *   - token endpoint requests/s (client_credentials, JWT access token for urn:mana:sync): our server
 *     (Postgres adapter, Redis rate limits, Hono in front) vs. a bare oidc-provider with the same
 *     configuration on its in-memory adapter;
 *   - access-token verifications/s: @mana/auth-client (what sync and credits run) on our tokens vs.
 *     plain `jose.jwtVerify` with a local key set on the baseline's tokens.
 *
 *   npm exec -- node bench/src/auth-token.ts [--seconds 3] [--rounds 3] [--concurrency 16]
 *
 * Needs Postgres and Redis (the test harness' defaults). Load goes to 127.0.0.1 only, bounded in time.
 */
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { createCachedVerifier, createTokenVerifier, SYNC_AUDIENCE } from '@mana/auth-client';
import { createLogger } from '@mana/logging';
import { createMetrics } from '@mana/metrics';
import { createTestDatabase, createTestRedis } from '@mana/testing';
import { clientsFrom, loadAuthConfig, loadKeys, providerConfiguration, startAuthServer } from '@mana/auth';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import Provider from 'oidc-provider';
import { freePort } from '@mana/testing';
import type { Benchmark, BenchResult } from './benchmark.ts';
import { summarize } from './stats.ts';

/** Alternates ours and the baseline `rounds` times (machine noise hits both); medians of each. */
async function paired(
  rounds: number,
  ours: () => Promise<number>,
  base: () => Promise<number>,
): Promise<{ ours: number; base: number }> {
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < rounds; i++) {
    b.push(await base());
    a.push(await ours());
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0;
  return { ours: median(a), base: median(b) };
}

/** Runs `op` from `concurrency` loops for `seconds`; returns operations per second. */
export async function throughput(op: () => Promise<void>, secs: number, loops: number): Promise<number> {
  const until = performance.now() + secs * 1000;
  let done = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: loops }, async () => {
      while (performance.now() < until) {
        await op();
        done += 1;
      }
    }),
  );
  return done / ((performance.now() - started) / 1000);
}

async function tokenOp(tokenEndpoint: string, secret: string): Promise<string> {
  const res = await fetch(tokenEndpoint, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`bots:${secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials&scope=sync',
  });
  const body = (await res.json()) as { access_token?: string };
  if (res.status !== 200 || !body.access_token) throw new Error(`token request failed: ${res.status}`);
  return body.access_token;
}

export interface AuthBenchResult {
  rounds: number;
  seconds: number;
  concurrency: number;
  /** Token endpoint requests/s: ours vs bare oidc-provider. */
  tokenEndpoint: { ours: number; base: number };
  /** Verifications/s: @mana/auth-client vs plain jose. */
  verify: { ours: number; base: number };
  /** Verifications/s of one repeated token: through the token cache (ours) vs without (base). */
  cachedVerify: { ours: number; base: number };
  /** RSS of this process (auth server, baseline provider and clients) once started / peak under load. */
  idleRssMiB: number;
  loadRssMiB: number;
}

export async function benchAuthToken({
  seconds = 3,
  concurrency = 16,
  rounds = 3,
}: { seconds?: number; concurrency?: number; rounds?: number } = {}): Promise<AuthBenchResult> {
  const tdb = await createTestDatabase('bench_auth');
  const redis = await createTestRedis('bench-auth');
  const port = await freePort();
  const config = loadAuthConfig({
    AUTH_NODE_ENV: 'test',
    AUTH_PORT: String(port),
    AUTH_BASE_URL: `http://127.0.0.1:${port}`,
    AUTH_DATABASE_URL: tdb.url,
    AUTH_REDIS_URL: redis.url,
    AUTH_REDIS_PREFIX: redis.prefix,
    AUTH_TOKEN_PER_IP_PER_MINUTE: '100000000',
    AUTH_TOKEN_PER_CLIENT_PER_MINUTE: '100000000',
  });
  const { service, server } = await startAuthServer({
    config,
    logger: createLogger({ service: 'auth', level: 'silent' }),
    metrics: createMetrics({ service: 'auth', defaults: false }),
  });

  // The baseline: the same provider configuration, in-memory adapter, bare Node HTTP server.
  const basePort = await freePort();
  const baseIssuer = `http://127.0.0.1:${basePort}`;
  const keys = (await loadKeys(service.db.db)).map((k) => k.privateJwk);
  // Token exchange is ours (registered on our provider only), so the baseline's bots client lacks it.
  const clients = clientsFrom(config).map((c) =>
    c.client_id === 'bots' ? { ...c, grant_types: ['client_credentials'] } : c,
  );
  const baseline = new Provider(
    baseIssuer,
    providerConfiguration({ config, keys, accounts: service.accounts, clients }),
  );
  const baseCallback = baseline.callback();
  const baseServer = createServer((req, res) => void baseCallback(req, res));
  await new Promise<void>((r) => baseServer.listen(basePort, '127.0.0.1', r));

  const idleRssMiB = process.memoryUsage.rss() / 1024 / 1024;
  let loadRss = process.memoryUsage.rss();
  const probe = setInterval(() => (loadRss = Math.max(loadRss, process.memoryUsage.rss())), 50);
  try {
    const secret = config.botsClientSecret;
    // Warm-up both.
    await throughput(() => tokenOp(`${server.url}/token`, secret).then(() => undefined), 1, concurrency);
    await throughput(() => tokenOp(`${baseIssuer}/token`, secret).then(() => undefined), 1, concurrency);
    const tps = await paired(
      rounds,
      () =>
        throughput(() => tokenOp(`${server.url}/token`, secret).then(() => undefined), seconds, concurrency),
      () =>
        throughput(() => tokenOp(`${baseIssuer}/token`, secret).then(() => undefined), seconds, concurrency),
    );

    const ourToken = await tokenOp(`${server.url}/token`, secret);
    const baseToken = await tokenOp(`${baseIssuer}/token`, secret);
    const jwks = (await (await fetch(`${server.url}/jwks`)).json()) as JSONWebKeySet;
    const verifier = createTokenVerifier({
      issuer: config.baseUrl,
      audience: SYNC_AUDIENCE,
      jwksUri: `${server.url}/jwks`,
    });
    await verifier.verify(ourToken); // loads the JWKS once
    const local = createLocalJWKSet(jwks);
    const vps = await paired(
      rounds,
      () =>
        throughput(
          async () => {
            await verifier.verify(ourToken);
          },
          seconds,
          1,
        ),
      () =>
        throughput(
          async () => {
            await jwtVerify(baseToken, local, {
              issuer: baseIssuer,
              audience: SYNC_AUDIENCE,
              algorithms: ['EdDSA'],
            });
          },
          seconds,
          1,
        ),
    );

    // What sync and credits run: the same verifier behind the token cache, one client's token repeated.
    const cached = createCachedVerifier(verifier);
    const cps = await paired(
      rounds,
      () =>
        throughput(
          async () => {
            await cached.verify(ourToken);
          },
          seconds,
          1,
        ),
      () =>
        throughput(
          async () => {
            await verifier.verify(ourToken);
          },
          seconds,
          1,
        ),
    );
    return {
      rounds,
      seconds,
      concurrency,
      tokenEndpoint: tps,
      verify: vps,
      cachedVerify: cps,
      idleRssMiB,
      loadRssMiB: loadRss / 1024 / 1024,
    };
  } finally {
    clearInterval(probe);
    await new Promise<void>((r) => baseServer.close(() => r()));
    await server.close();
    await service.close();
    await redis.cleanup();
    await tdb.drop();
  }
}

export function formatAuthBench(r: AuthBenchResult): string {
  const row = (name: string, x: { ours: number; base: number }, base = 'baseline') =>
    `${name.padEnd(46)} ${x.ours.toFixed(0).padStart(9)} /s   ${base} ${x.base.toFixed(0).padStart(9)} /s   ratio ${(x.ours / x.base).toFixed(2)}`;
  return [
    `auth bench: median of ${r.rounds} alternating ${r.seconds}s rounds, ${r.concurrency} concurrent token clients`,
    row('token endpoint, client_credentials (JWT)', r.tokenEndpoint),
    row('access-token verifications (EdDSA)', r.verify),
    row('repeated token through the cache', r.cachedVerify, 'uncached'),
    `RSS (auth server + baseline provider + clients, one process): idle ${r.idleRssMiB.toFixed(0)} MiB, under load up to ${r.loadRssMiB.toFixed(0)} MiB`,
  ].join('\n');
}

/** For the runner: the verification rounds as samples are not latencies, so it reports the ratios on stderr. */
export const authToken: Benchmark = {
  name: 'auth-token',
  description: 'auth: token endpoint req/s vs bare oidc-provider; verifications/s vs jose; the token cache',
  async run(): Promise<BenchResult> {
    const r = await benchAuthToken();
    console.error(formatAuthBench(r));
    const samples = [1000 / r.tokenEndpoint.ours];
    return { name: 'auth-token', samples, stats: summarize(samples) };
  },
};

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '3' },
      concurrency: { type: 'string', default: '16' },
      rounds: { type: 'string', default: '3' },
    },
  });
  benchAuthToken({
    seconds: Number(values.seconds),
    concurrency: Number(values.concurrency),
    rounds: Number(values.rounds),
  })
    .then((r) => console.log(formatAuthBench(r)))
    .catch((err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    });
}
