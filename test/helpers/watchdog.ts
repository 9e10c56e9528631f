/**
 * A watchdog for each test file (a vitest setup file). event_base_dispatch blocks the JavaScript
 * thread, so vitest's own timeouts cannot end a test whose loop never returns; this process, in a
 * group of its own, kills the test file's process after a limit instead, and vitest reports the
 * file as failed rather than the run hanging forever. TEST_FILE_LIMIT_SECONDS overrides the
 * limit (300 s).
 */
import { spawn } from "node:child_process";
import { afterAll } from "vitest";

const LIMIT_SECONDS = Number(process.env.TEST_FILE_LIMIT_SECONDS ?? 300);

const dog = spawn(
  "sh",
  ["-c", `sleep ${LIMIT_SECONDS}; echo "watchdog: test file still running after ${LIMIT_SECONDS} s; killing it" >&2; kill -KILL ${process.pid}`],
  { stdio: ["ignore", "ignore", "inherit"], detached: true },
);
dog.unref();

afterAll(() => {
  try {
    process.kill(-dog.pid!, "SIGKILL");
  } catch {
    /* already gone */
  }
});
