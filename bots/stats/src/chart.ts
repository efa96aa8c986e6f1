/**
 * The report's chart: the period's requests and 5xx answers as an SVG line chart, rendered to PNG
 * by resvg (a native build shipped in a platform package, nothing downloaded at run time).
 */
import { Resvg } from '@resvg/resvg-js';
import type { TrafficSeries } from './report.ts';

export const CHART_WIDTH = 640;
export const CHART_HEIGHT = 240;
const PAD = { left: 48, right: 12, top: 28, bottom: 28 };

function esc(s: string): string {
  return s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function path(
  points: readonly { t: number; v: number }[],
  x: (t: number) => number,
  y: (v: number) => number,
) {
  return points
    .filter((p) => Number.isFinite(p.v))
    .map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`)
    .join(' ');
}

export function trafficSvg(
  data: TrafficSeries,
  labels: { title: string; requests: string; errors: string },
): string {
  const all = [...data.requests, ...data.errors].filter((p) => Number.isFinite(p.v));
  const t0 = Math.min(...all.map((p) => p.t), Date.now());
  const t1 = Math.max(...all.map((p) => p.t), t0 + 1);
  const vmax = Math.max(1, ...all.map((p) => p.v));
  const w = CHART_WIDTH - PAD.left - PAD.right;
  const h = CHART_HEIGHT - PAD.top - PAD.bottom;
  const x = (t: number) => PAD.left + ((t - t0) / (t1 - t0)) * w;
  const y = (v: number) => PAD.top + h - (v / vmax) * h;
  const grid = [0, 0.5, 1]
    .map((f) => {
      const gy = PAD.top + h - f * h;
      return `<line x1="${PAD.left}" y1="${gy}" x2="${PAD.left + w}" y2="${gy}" stroke="#ddd"/><text x="${PAD.left - 4}" y="${gy + 4}" text-anchor="end" font-size="10" fill="#555">${Math.round(f * vmax)}</text>`;
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${CHART_WIDTH}" height="${CHART_HEIGHT}" viewBox="0 0 ${CHART_WIDTH} ${CHART_HEIGHT}">
<rect width="100%" height="100%" fill="#fff"/>
<text x="${PAD.left}" y="18" font-size="13" font-family="sans-serif" fill="#222">${esc(labels.title)}</text>
<text x="${CHART_WIDTH - PAD.right}" y="18" font-size="11" text-anchor="end" font-family="sans-serif"><tspan fill="#2563eb">■ ${esc(labels.requests)}</tspan> <tspan fill="#dc2626">■ ${esc(labels.errors)}</tspan></text>
${grid}
<path d="${path(data.requests, x, y)}" fill="none" stroke="#2563eb" stroke-width="2"/>
<path d="${path(data.errors, x, y)}" fill="none" stroke="#dc2626" stroke-width="2"/>
</svg>`;
}

export function renderPng(svg: string): Uint8Array {
  return new Resvg(svg, { font: { loadSystemFonts: true } }).render().asPng();
}
