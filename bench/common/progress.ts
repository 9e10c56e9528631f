/**
 * What the reader sees while the benchmarks run. Finished cases are printed as plain lines as
 * they finish. On a terminal, a live line under them (an ora spinner) says what runs now and for
 * how long; when the output is not a terminal (a pipe, a file, CI) there is no live line and no
 * escape code, only the plain lines.
 *
 * ora was chosen because it is the well-kept spinner line of the Node ecosystem: it draws only
 * when its stream is an interactive terminal and not CI, redraws cleanly around lines printed
 * above it (clear, print, render), and gives the cursor back if the process exits mid-run.
 */
import ora, { type Ora } from "ora";

let spinner: Ora | null = null;
let what = "";
let since = 0;
let ticker: NodeJS.Timeout | null = null;

/** "12 s", "3 min 05 s" */
function elapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
}

function redraw(): void {
  if (spinner) spinner.text = `${what} · ${elapsed(Date.now() - since)}`;
}

let enabled: boolean | null = null;

/** Whether a live line is drawn (stdout is an interactive terminal and not CI): ora decides. */
function live(): boolean {
  enabled ??= ora({ stream: process.stdout, discardStdin: false }).isEnabled;
  return enabled;
}

/**
 * Says what runs now: on a terminal, the live line shows `text` and the time since this call;
 * elsewhere nothing is printed (the finished cases are the progress there).
 */
export function status(text: string): void {
  what = text;
  since = Date.now();
  if (!spinner) {
    if (!live()) return;
    spinner = ora({ stream: process.stdout, discardStdin: false, text }).start();
    ticker = setInterval(redraw, 1000);
    ticker.unref();
  }
  redraw();
}

/** Prints `line` for good (above the live line, which is redrawn under it). */
export function log(line = ""): void {
  if (spinner?.isSpinning) {
    spinner.clear();
    process.stdout.write(`${line}\n`);
    spinner.render();
  } else {
    process.stdout.write(`${line}\n`);
  }
}

/** Removes the live line (before a table, at the end, or when the runner stops). */
export function idle(): void {
  if (ticker) clearInterval(ticker);
  ticker = null;
  spinner?.stop();
  spinner = null;
}
