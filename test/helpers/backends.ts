/**
 * Run a group of tests once per compiled-in backend, the way libevent's test/test.sh runs its
 * regression binary: for each method of event_get_supported_methods(), the EVENT_NO<OTHER>
 * variables of the other methods are set while that describe block runs (and restored after),
 * so that event_base_new() picks the intended one. epoll also runs a second time with
 * EVENT_PRECISE_TIMER set (test.sh's "epoll (timerfd)" pass), and a third with
 * EVENT_EPOLL_USE_CHANGELIST set (test.sh's "epoll (changelist)" pass), where the base reports
 * "epoll (with changelist)".
 */
import { afterAll, beforeAll, describe, expect } from "vitest";
import { event_base, event_base_get_method, event_base_new, event_get_supported_methods } from "libevent-ts/event2/event";
import { EVENT_BASE_FLAG_PRECISE_TIMER } from "../../src/event/constants.js";
import { native } from "../../src/native/binding.js";
import { internals } from "./internal.js";

/** One pass of the tests. */
export interface backend {
  /** The method event_base_new() must choose. */
  method: string;
  /** EVENT_PRECISE_TIMER set for this pass. */
  precise: boolean;
  /** EVENT_EPOLL_USE_CHANGELIST set for this pass. */
  changelist: boolean;
  /** What event_base_get_method() must report: the method, or "epoll (with changelist)". */
  name: string;
  /** How the pass is named in test titles. */
  label: string;
}

/**
 * Whether a base can be made on `method` here: io_uring is compiled in on Linux but may be refused
 * at run time (an old kernel, or io_uring_setup blocked by seccomp); its passes are then skipped.
 */
function usable(method: string): boolean {
  const h = native.backendNew(method, 0);
  if (h < 0) return false;
  native.backendFree(h);
  return true;
}

export const methods: string[] = event_get_supported_methods();

export const backends: backend[] = methods
  .filter((m) => m !== "io_uring" || usable(m))
  .map((m) => ({ method: m, precise: false, changelist: false, name: m, label: m }));
if (methods.includes("epoll")) {
  const i = backends.findIndex((b) => b.method === "epoll");
  backends.splice(i + 1, 0,
    { method: "epoll", precise: true, changelist: false, name: "epoll", label: "epoll (timerfd)" },
    { method: "epoll", precise: false, changelist: true, name: "epoll (with changelist)", label: "epoll (with changelist)" });
}

/** The variables that make a base pick `b`, for the environment of a child process or a pass. */
export function backendEnv(b: backend): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const m of methods) env[methodname_to_envvar(m)] = m === b.method ? undefined : "yes";
  env.EVENT_PRECISE_TIMER = b.precise ? "1" : undefined;
  env.EVENT_EPOLL_USE_CHANGELIST = b.changelist ? "1" : undefined;
  return env;
}

/** `EVENT_NO` + the method name upper-cased (libevent's methodname_to_envvar). */
export function methodname_to_envvar(name: string): string {
  return `EVENT_NO${name.toUpperCase()}`;
}

let current: backend | null = null;

/** The backend of the describe block running now. */
function currentBackend(): backend {
  if (current === null) throw new Error("not inside eachBackend()");
  return current;
}

/** Define `body`'s tests once per backend, inside `describe("[<label>]")`. */
export function eachBackend(body: (b: backend) => void): void {
  for (const b of backends) {
    describe(`[${b.label}]`, () => {
      const saved = new Map<string, string | undefined>();
      beforeAll(() => {
        current = b;
        for (const [k, v] of Object.entries(backendEnv(b))) {
          saved.set(k, process.env[k]);
          if (v === undefined) delete process.env[k];
          else process.env[k] = v;
        }
      });
      afterAll(() => {
        for (const [k, v] of saved) {
          if (v === undefined) delete process.env[k];
          else process.env[k] = v;
        }
        current = null;
      });
      body(b);
    });
  }
}

/** Check that `base` uses the backend of the running pass. */
export function expectIntendedBackend(base: event_base): void {
  const b = currentBackend();
  expect(event_base_get_method(base)).toBe(b.name);
  expect((internals(base).flags & EVENT_BASE_FLAG_PRECISE_TIMER) !== 0).toBe(b.precise);
}

/** event_base_new(), checked to have chosen the backend of the running pass. */
export function newBase(): event_base {
  const base = event_base_new();
  expect(base).not.toBeNull();
  expectIntendedBackend(base!);
  return base!;
}
