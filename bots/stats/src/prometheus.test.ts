import { describe, expect, it } from 'vitest';
import { prometheusClient, PrometheusError } from './prometheus.ts';

/** A fetch answering like Prometheus' HTTP API does (bodies as documented for /api/v1/query*). */
function answering(body: unknown, status = 200): { fetch: typeof fetch; requests: URLSearchParams[] } {
  const requests: URLSearchParams[] = [];
  return {
    requests,
    fetch: async (_url, init) => {
      if (init?.body instanceof URLSearchParams) requests.push(init.body);
      return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status });
    },
  };
}

const client = (f: typeof fetch, timeoutMs = 1000) =>
  prometheusClient({ baseUrl: 'http://prom.test/', timeoutMs, fetch: f });

describe('prometheus client', () => {
  it('reads a vector (NaN too) and sends the query and time as a form', async () => {
    const a = answering({
      status: 'success',
      data: {
        resultType: 'vector',
        result: [
          { metric: { job: 'auth' }, value: [1700000000, '1'] },
          { metric: { job: 'sync' }, value: [1700000000, 'NaN'] },
        ],
      },
    });
    const samples = await client(a.fetch).query('up', { at: new Date(1_700_000_000_000) });
    expect(samples[0]).toEqual({ labels: { job: 'auth' }, value: 1 });
    expect(Number.isNaN(samples[1]?.value)).toBe(true);
    expect(a.requests[0]?.get('query')).toBe('up');
    expect(a.requests[0]?.get('time')).toBe('1700000000');
  });

  it('reads a scalar as one sample without labels, and a matrix as series in ms', async () => {
    const s = await client(
      answering({ status: 'success', data: { resultType: 'scalar', result: [1, '42'] } }).fetch,
    ).query('42');
    expect(s).toEqual([{ labels: {}, value: 42 }]);
    const m = await client(
      answering({
        status: 'success',
        data: {
          resultType: 'matrix',
          result: [
            {
              metric: {},
              values: [
                [10, '1'],
                [20, '2.5'],
              ],
            },
          ],
        },
      }).fetch,
    ).queryRange('x', { start: new Date(10_000), end: new Date(20_000), stepSeconds: 10 });
    expect(m).toEqual([
      {
        labels: {},
        points: [
          { t: 10_000, v: 1 },
          { t: 20_000, v: 2.5 },
        ],
      },
    ]);
  });

  it('turns a query error, an odd answer, a non-JSON body, an unreachable and a slow server into PrometheusErrors', async () => {
    const reasons = async (f: typeof fetch, timeoutMs?: number) =>
      client(f, timeoutMs)
        .query('x')
        .then(
          () => 'no error',
          (err: unknown) => (err instanceof PrometheusError ? err.reason : `other: ${String(err)}`),
        );
    expect(
      await reasons(answering({ status: 'error', errorType: 'bad_data', error: 'parse error' }, 400).fetch),
    ).toBe('bad_data: parse error');
    expect(await reasons(answering({ status: 'success', data: { resultType: 'string' } }).fetch)).toBe(
      'HTTP 200, unexpected answer',
    );
    expect(await reasons(answering('<html>bad gateway</html>', 502).fetch)).toBe('HTTP 502, not JSON');
    expect(await reasons(async () => Promise.reject(new TypeError('fetch failed')))).toBe('unreachable');
    const never: typeof fetch = (_u, init) =>
      new Promise((_r, reject) =>
        init?.signal?.addEventListener('abort', () =>
          reject(new DOMException('The operation timed out.', 'TimeoutError')),
        ),
      );
    expect(await reasons(never, 50)).toBe('no answer within 50 ms');
  });
});
