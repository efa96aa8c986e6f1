/**
 * A small typed client of Prometheus' HTTP API (`/api/v1/query`, `/api/v1/query_range`): every
 * answer is checked with zod, and every failure (down, slow, a bad query) is a `PrometheusError`
 * with a reason short enough to show in a report.
 */
import { z } from 'zod';

const sampleValue = z.tuple([z.number(), z.string()]);
const metric = z.record(z.string(), z.string());
const vectorData = z.object({
  resultType: z.literal('vector'),
  result: z.array(z.object({ metric, value: sampleValue })),
});
const matrixData = z.object({
  resultType: z.literal('matrix'),
  result: z.array(z.object({ metric, values: z.array(sampleValue) })),
});
const scalarData = z.object({ resultType: z.literal('scalar'), result: sampleValue });
const answer = <T extends z.ZodType>(data: T) =>
  z.discriminatedUnion('status', [
    z.object({ status: z.literal('success'), data }),
    z.object({ status: z.literal('error'), errorType: z.string(), error: z.string() }),
  ]);
const instantAnswer = answer(z.union([vectorData, scalarData]));
const rangeAnswer = answer(matrixData);

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

export interface Series {
  labels: Record<string, string>;
  points: { t: number; v: number }[];
}

export class PrometheusError extends Error {
  /** Shown in the report: why a section is missing. */
  readonly reason: string;
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`prometheus: ${reason}`, options);
    this.reason = reason;
    this.name = 'PrometheusError';
  }
}

export interface Prometheus {
  /** An instant query; a scalar answer is one sample without labels. */
  query(promql: string, options?: { at?: Date }): Promise<Sample[]>;
  queryRange(promql: string, range: { start: Date; end: Date; stepSeconds: number }): Promise<Series[]>;
}

/** Prometheus sends NaN and ±Inf as strings. */
function num(s: string): number {
  return Number(s);
}

export function prometheusClient(options: {
  baseUrl: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}): Prometheus {
  const base = options.baseUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  /** POSTs the form (long PromQL does not fit a URL) and returns the JSON body. */
  async function post(
    path: string,
    params: Record<string, string>,
  ): Promise<{ status: number; body: unknown }> {
    let res: Response;
    try {
      res = await doFetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(params),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      throw new PrometheusError(timedOut ? `no answer within ${options.timeoutMs} ms` : 'unreachable', {
        cause: err,
      });
    }
    try {
      return { status: res.status, body: await res.json() };
    } catch (err) {
      throw new PrometheusError(`HTTP ${res.status}, not JSON`, { cause: err });
    }
  }
  function unwrap<D>(
    status: number,
    parsed: z.ZodSafeParseResult<
      { status: 'success'; data: D } | { status: 'error'; errorType: string; error: string }
    >,
  ): D {
    if (!parsed.success) throw new PrometheusError(`HTTP ${status}, unexpected answer`);
    if (parsed.data.status === 'error')
      throw new PrometheusError(`${parsed.data.errorType}: ${parsed.data.error}`);
    return parsed.data.data;
  }
  return {
    async query(promql, o = {}) {
      const r = await post('/api/v1/query', {
        query: promql,
        ...(o.at ? { time: String(o.at.getTime() / 1000) } : {}),
      });
      const data = unwrap(r.status, instantAnswer.safeParse(r.body));
      if (data.resultType === 'scalar') return [{ labels: {}, value: num(data.result[1]) }];
      return data.result.map((r) => ({ labels: r.metric, value: num(r.value[1]) }));
    },
    async queryRange(promql, range) {
      const r = await post('/api/v1/query_range', {
        query: promql,
        start: String(range.start.getTime() / 1000),
        end: String(range.end.getTime() / 1000),
        step: String(range.stepSeconds),
      });
      const data = unwrap(r.status, rangeAnswer.safeParse(r.body));
      return data.result.map((r) => ({
        labels: r.metric,
        points: r.values.map(([t, v]) => ({ t: t * 1000, v: num(v) })),
      }));
    },
  };
}
