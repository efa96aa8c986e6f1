/**
 * Delegated auth (issue 17), against a real Synapse in each mode:
 *
 *   - introspection requests/s: `POST /oauth2/introspect` exactly as Synapse sends it (form
 *     `token` + `token_type_hint=access_token`, `Authorization: Bearer <shared secret>`), next to
 *     oidc-provider's own lookup of the same token (`AccessToken.find`, in process) — the floor of
 *     what an introspection can cost; alternating rounds, medians;
 *   - Matrix request latency: `GET /_matrix/client/v3/account/whoami` through Synapse in delegated
 *     mode (Synapse introspects at auth, caching answers up to 2 minutes) next to sso mode
 *     (Synapse's own access tokens); samples interleaved so machine noise hits both.
 *
 *   npm exec -- node bench/src/auth-introspect.ts [--seconds 3] [--rounds 3] [--concurrency 16] [--samples 200]
 *
 * Needs Postgres, Redis and the Synapse venv (the test harness' defaults). Load goes to 127.0.0.1 only.
 */
import { parseArgs } from 'node:util';
import { loadAuthConfig } from '@mana/auth';
import { ssoLogin, startTestAuth } from '@mana/auth/testing';
import { discover, ELEMENT_X, loginLikeElementX, startDelegatedStack } from '@mana/e2e/support';
import { freePort, startSynapse } from '@mana/testing';
import { throughput } from './auth-token.ts';
import type { Benchmark, BenchResult } from './benchmark.ts';
import { formatRatio, formatTable, summarize } from './stats.ts';

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0;

export interface IntrospectBenchResult {
  rounds: number;
  seconds: number;
  concurrency: number;
  /** Requests/s: our endpoint over HTTP vs oidc-provider's AccessToken.find in process. */
  introspect: { ours: number; base: number };
  /** whoami latency samples (ms) through Synapse. */
  whoami: { delegated: number[]; sso: number[] };
}

export async function benchAuthIntrospect({
  seconds = 3,
  concurrency = 16,
  rounds = 3,
  samples = 200,
}: {
  seconds?: number;
  concurrency?: number;
  rounds?: number;
  samples?: number;
} = {}): Promise<IntrospectBenchResult> {
  const delegated = await startDelegatedStack({ AUTH_REGISTER_PER_IP_PER_HOUR: '1000' });
  const ssoPort = await freePort();
  const ssoSynapse = await startSynapse({
    oidcProvider: {
      issuer: `http://127.0.0.1:${ssoPort}`,
      clientSecret: loadAuthConfig({}).synapseClientSecret,
    },
  });
  const ssoAuth = await startTestAuth({
    port: ssoPort,
    label: 'bench_sso',
    env: { AUTH_SYNAPSE_BASE_URL: ssoSynapse.baseUrl, AUTH_MATRIX_SERVER_NAME: ssoSynapse.serverName },
  });
  try {
    const metadata = await discover(delegated.synapse.baseUrl);
    // Element X's registration (RFC 7591), as matrix-js-sdk's OAuth2.registerClient sends it.
    const reg = await fetch(metadata.registration_endpoint ?? '', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ELEMENT_X),
    });
    const clientId = ((await reg.json()) as { client_id: string }).client_id;
    const user = await delegated.auth.createUser({ username: 'benchx' });
    const login = await loginLikeElementX({ metadata, clientId, user });
    const ssoUser = await ssoAuth.createUser({ username: 'benchs' });
    const sso = await ssoLogin({ synapseBaseUrl: ssoSynapse.baseUrl, user: ssoUser });

    // 1. Introspection as Synapse sends it, vs the provider's own lookup of the same token.
    const body = new URLSearchParams({
      token: login.accessToken,
      token_type_hint: 'access_token',
    }).toString();
    const introspectOnce = async () => {
      const res = await fetch(`${delegated.auth.baseUrl}/oauth2/introspect`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
          authorization: `Bearer ${delegated.secret}`,
        },
        body,
      });
      const answer = (await res.json()) as { active?: boolean };
      if (!answer.active) throw new Error(`introspection answered ${res.status} ${JSON.stringify(answer)}`);
    };
    const provider = delegated.auth.service.provider();
    const findOnce = async () => {
      if (!(await provider.AccessToken.find(login.accessToken))) throw new Error('token not found');
    };
    await throughput(introspectOnce, 1, concurrency);
    await throughput(findOnce, 1, concurrency);
    const ours: number[] = [];
    const base: number[] = [];
    for (let i = 0; i < rounds; i++) {
      base.push(await throughput(findOnce, seconds, concurrency));
      ours.push(await throughput(introspectOnce, seconds, concurrency));
    }

    // 2. whoami through Synapse, delegated vs sso, interleaved.
    const whoami = async (baseUrl: string, token: string): Promise<number> => {
      const started = performance.now();
      const res = await fetch(`${baseUrl}/_matrix/client/v3/account/whoami`, {
        headers: { authorization: `Bearer ${token}` },
      });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`whoami answered ${res.status}`);
      return performance.now() - started;
    };
    const out = { delegated: [] as number[], sso: [] as number[] };
    for (let i = 0; i < samples + 10; i++) {
      const d = await whoami(delegated.synapse.baseUrl, login.accessToken);
      const s = await whoami(ssoSynapse.baseUrl, sso.accessToken);
      if (i < 10) continue; // warm-up
      out.delegated.push(d);
      out.sso.push(s);
    }
    return {
      rounds,
      seconds,
      concurrency,
      introspect: { ours: median(ours), base: median(base) },
      whoami: out,
    };
  } finally {
    await ssoAuth.close();
    await ssoSynapse.stop();
    await delegated.close();
  }
}

export function formatIntrospectBench(r: IntrospectBenchResult): string {
  const d = { name: 'whoami-delegated', stats: summarize(r.whoami.delegated) };
  const s = { name: 'whoami-sso', stats: summarize(r.whoami.sso) };
  return [
    `auth-introspect: median of ${r.rounds} alternating ${r.seconds}s rounds, ${r.concurrency} concurrent clients`,
    `POST /oauth2/introspect (Synapse's request)   ${r.introspect.ours.toFixed(0).padStart(8)} /s   oidc-provider AccessToken.find ${r.introspect.base.toFixed(0).padStart(8)} /s   ratio ${(r.introspect.ours / r.introspect.base).toFixed(2)}`,
    formatTable([d, s]),
    formatRatio(d, s, 'p50'),
    formatRatio(d, s, 'p95'),
  ].join('\n');
}

/** For the runner: whoami in delegated mode as samples; the introspection rates on stderr. */
export const authIntrospect: Benchmark = {
  name: 'auth-introspect',
  description:
    "delegated auth: introspection req/s (Synapse's request) vs oidc-provider's token lookup; whoami via Synapse delegated vs sso",
  async run({ samples }): Promise<BenchResult> {
    const r = await benchAuthIntrospect({ samples });
    console.error(formatIntrospectBench(r));
    return { name: 'auth-introspect', samples: r.whoami.delegated, stats: summarize(r.whoami.delegated) };
  },
};

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '3' },
      concurrency: { type: 'string', default: '16' },
      rounds: { type: 'string', default: '3' },
      samples: { type: 'string', default: '200' },
    },
  });
  benchAuthIntrospect({
    seconds: Number(values.seconds),
    concurrency: Number(values.concurrency),
    rounds: Number(values.rounds),
    samples: Number(values.samples),
  })
    .then((r) => console.log(formatIntrospectBench(r)))
    .catch((err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    });
}
