/**
 * Builds a report (or one command's section) from Prometheus: every section's queries at once, a
 * section whose queries fail is kept with the reason, so a report still posts when Prometheus is
 * down or slow and says what is missing and why.
 */
import { html, type Html } from '@mana/bot-runtime';
import { PrometheusError, type Prometheus, type Sample, type Series } from './prometheus.ts';
import { rangeOf, SECTIONS, type Lang, type SectionId } from './sections.ts';

export type SectionResult =
  { id: SectionId; title: string; lines: string[] } | { id: SectionId; title: string; error: string };

export interface Period {
  kind: 'daily' | 'weekly' | 'now';
  /** The instant the period ends (the report's time). */
  end: Date;
  seconds: number;
}

export const DAY = 86_400;

export function periodOf(kind: Period['kind'], end: Date): Period {
  return { kind, end, seconds: kind === 'weekly' ? 7 * DAY : DAY };
}

function reason(err: unknown): string {
  return err instanceof PrometheusError ? err.reason : err instanceof Error ? err.message : String(err);
}

export async function buildSection(
  prom: Prometheus,
  id: SectionId,
  period: Period,
  lang: Lang,
): Promise<SectionResult> {
  const spec = SECTIONS[id];
  const title = spec.title[lang];
  const queries = Object.entries(spec.queries(rangeOf(period.seconds)));
  try {
    const answers = await Promise.all(
      queries.map(async ([name, q]): Promise<[string, Sample[]]> => [
        name,
        await prom.query(q, { at: period.end }),
      ]),
    );
    return { id, title, lines: spec.lines(Object.fromEntries(answers), lang) };
  } catch (err) {
    return { id, title, error: reason(err) };
  }
}

/** Requests and 5xx answers per step over the period, summed over every service: the chart's data. */
export function trafficQueries(stepSeconds: number) {
  const r = rangeOf(stepSeconds);
  return {
    requests: `sum(increase(http_requests_total[${r}]))`,
    errors: `sum(increase(http_requests_total{status=~"5.."}[${r}])) or vector(0)`,
  };
}

/** One point per hour for a day, one per six hours for a week. */
export function chartStep(period: Period): number {
  return period.seconds > DAY ? 6 * 3600 : 3600;
}

export interface TrafficSeries {
  requests: Series['points'];
  errors: Series['points'];
}

export async function trafficSeries(prom: Prometheus, period: Period): Promise<TrafficSeries> {
  const step = chartStep(period);
  const q = trafficQueries(step);
  const range = {
    start: new Date(period.end.getTime() - period.seconds * 1000 + step * 1000),
    end: period.end,
    stepSeconds: step,
  };
  const [requests, errors] = await Promise.all([
    prom.queryRange(q.requests, range),
    prom.queryRange(q.errors, range),
  ]);
  return { requests: requests[0]?.points ?? [], errors: errors[0]?.points ?? [] };
}

export function sectionHtml(s: SectionResult, lang: Lang): Html {
  if ('error' in s) {
    const missing = lang === 'de' ? 'fehlt' : 'missing';
    return html`<p><b>${s.title}</b>: <i>${missing} (Prometheus: ${s.error})</i></p>`;
  }
  return html`<p><b>${s.title}</b></p><ul>${s.lines.map((l) => html`<li>${l}</li>`)}</ul>`;
}

export interface Report {
  heading: string;
  sections: SectionResult[];
  traffic: TrafficSeries | { error: string };
}

export async function buildReport(
  prom: Prometheus,
  sections: readonly SectionId[],
  period: Period,
  lang: Lang,
  heading: string,
): Promise<Report> {
  const [built, traffic] = await Promise.all([
    Promise.all(sections.map((id) => buildSection(prom, id, period, lang))),
    trafficSeries(prom, period).catch((err: unknown) => ({ error: reason(err) })),
  ]);
  return { heading, sections: built, traffic };
}

export function reportHtml(report: Report, lang: Lang): Html {
  const failed = report.sections.filter((s) => 'error' in s).length;
  const note =
    failed === 0
      ? ''
      : html`<p>⚠️ ${
          lang === 'de'
            ? `${failed} von ${report.sections.length} Abschnitten fehlen.`
            : `${failed} of ${report.sections.length} sections are missing.`
        }</p>`;
  return html`<p><b>${report.heading}</b></p>${note}${report.sections.map((s) => sectionHtml(s, lang))}`;
}
