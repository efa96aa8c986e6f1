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
import { createTokenVerifier } from '@mana/auth-client';
import { createLogger } from '@mana/logging';
import { createMetrics } from '@mana/metrics';
import { createTestDatabase, createTestRedis } from '@mana/testing';
import {
  clientsFrom,
  loadAuthConfig,
  loadKeys,
  providerConfiguration,
  startAuthServer,
  SYNC_AUDIENCE,
} from '@mana/auth';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import Provider from 'oidc-provider';
import { freePort } from '@mana/testing';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '3' },
  },
});
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);

/** Alternates ours and the baseline `rounds` times (machine noise hits both); medians of each. */
async function paired(
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
async function throughput(op: () => Promise<void>, secs: number, loops: number): Promise<number> {
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

try {
  const secret = config.botsClientSecret;
  // Warm-up both.
  await throughput(() => tokenOp(`${server.url}/token`, secret).then(() => undefined), 1, concurrency);
  await throughput(() => tokenOp(`${baseIssuer}/token`, secret).then(() => undefined), 1, concurrency);
  const tps = await paired(
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

  const row = (name: string, ours: number, base: number) =>
    `${name.padEnd(42)} ${ours.toFixed(0).padStart(9)} /s   baseline ${base.toFixed(0).padStart(9)} /s   ratio ${(ours / base).toFixed(2)}`;
  console.log(
    `auth bench: median of ${rounds} alternating ${seconds}s rounds, ${concurrency} concurrent token clients`,
  );
  console.log(row('token endpoint, client_credentials (JWT)', tps.ours, tps.base));
  console.log(row('access-token verifications (EdDSA)', vps.ours, vps.base));
} finally {
  await new Promise<void>((r) => baseServer.close(() => r()));
  await server.close();
  await service.close();
  await redis.cleanup();
  await tdb.drop();
}
