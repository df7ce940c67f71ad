// A progress line with rate and ETA for the benchmark's long phases. On a terminal it redraws one
// line; in a log (CI, a pipe) it prints a line every few seconds, so the log stays readable.

export interface Progress {
  /** `done` so far, in the phase's unit; `note` is shown after the figures. */
  update(done: number, note?: string): void;
  /** Prints the final line and returns the phase's seconds. */
  finish(note?: string): number;
}

const TTY_MS = 500;
const LOG_MS = 5_000;

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '?';
  const m = Math.floor(s / 60);
  const r = Math.round(s % 60);
  return m > 0 ? `${m}m${String(r).padStart(2, '0')}s` : `${s.toFixed(s < 10 ? 1 : 0)}s`;
}

export function createProgress(label: string, total: number, unit: string): Progress {
  const tty = Boolean(process.stdout.isTTY);
  const started = performance.now();
  let lastPrint = 0;
  let done = 0;
  const line = (note?: string) => {
    const s = (performance.now() - started) / 1000;
    const rate = s > 0 ? done / s : 0;
    const pct = total > 0 ? Math.min(100, (100 * done) / total) : 0;
    const eta = rate > 0 && total > done ? formatSeconds((total - done) / rate) : '0s';
    return `${label}: ${Math.round(done).toLocaleString('en-US')}/${total.toLocaleString('en-US')} ${unit} (${pct.toFixed(1)}%), ${Math.round(rate).toLocaleString('en-US')} ${unit}/s, ${formatSeconds(s)} elapsed, ETA ${eta}${note ? `; ${note}` : ''}`;
  };
  return {
    update(d, note) {
      done = d;
      const now = performance.now();
      if (now - lastPrint < (tty ? TTY_MS : LOG_MS)) return;
      lastPrint = now;
      if (tty) process.stdout.write(`\r\x1b[2K${line(note)}`);
      else console.log(line(note));
    },
    finish(note) {
      const s = (performance.now() - started) / 1000;
      if (tty) process.stdout.write(`\r\x1b[2K${line(note)}\n`);
      else console.log(line(note));
      return s;
    },
  };
}
