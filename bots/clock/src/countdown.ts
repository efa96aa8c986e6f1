/**
 * The live countdown line a timer message shows: time left, a text progress bar, the share done.
 *
 * @example
 * renderCountdown({ remainingMs: 600_000, totalMs: 1_500_000, lang: 'de', label: 'Pizza' })
 * // '⏳ Pizza — 10:00 ▓▓▓▓▓▓▓▓▓▓▓▓░░░░░░░░ 60 %'
 */
export type CountdownState = 'running' | 'paused' | 'done';

/** `H:MM:SS` from an hour on, else `MM:SS`; rounded up, so it shows 0:00 only when it is over. */
export function formatRemaining(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mmss = `${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
  return h > 0 ? `${h}:${mmss}` : mmss;
}

/** `width` cells, the elapsed share filled (▓) and the rest empty (░). */
export function progressBar(fraction: number, width = 20): string {
  const f = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
  const filled = Math.floor(f * width);
  return '▓'.repeat(filled) + '░'.repeat(width - filled);
}

export function renderCountdown(options: {
  remainingMs: number;
  totalMs: number;
  lang: 'de' | 'en';
  label?: string;
  state?: CountdownState;
  width?: number;
}): string {
  const state = options.state ?? (options.remainingMs <= 0 ? 'done' : 'running');
  const total = Math.max(1, options.totalMs);
  const remaining = state === 'done' ? 0 : Math.min(total, Math.max(0, options.remainingMs));
  const done = (total - remaining) / total;
  const icon = { running: '⏳', paused: '⏸', done: '✅' }[state];
  const word =
    state === 'paused'
      ? options.lang === 'de'
        ? ' (pausiert)'
        : ' (paused)'
      : state === 'done'
        ? options.lang === 'de'
          ? ' — fertig'
          : ' — done'
        : '';
  const label = options.label ? `${options.label} — ` : '';
  const percent = options.lang === 'de' ? `${Math.floor(done * 100)} %` : `${Math.floor(done * 100)}%`;
  return `${icon} ${label}${formatRemaining(remaining)} ${progressBar(done, options.width)} ${percent}${word}`;
}
