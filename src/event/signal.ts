/**
 * Signals unified into the loop (libevent's signal.c, "evsig"). A sigaction handler in the addon
 * writes the signal number as one byte to a socket; the base's internal read event on the other
 * end counts the bytes per signal and activates the signal's events that many times. Only one base
 * receives signals at a time: the one that most recently added a signal event or entered its loop
 * with signals added.
 *
 * Ownership: a signal watched by a base must not also be watched with `process.on` (whichever
 * installs its handler last wins, and Node does not restore ours). The previous disposition is
 * restored when the last event for a signal goes.
 * @internal
 * @module
 */
import { native } from "../native/binding.js";
import { EAGAIN, EINTR, set_errno } from "../util/errno.js";
import { EV_PERSIST, EV_READ, EVLIST_INTERNAL } from "./constants.js";
import type { event_base } from "./event.js";
import { event, event_add_nolock_, event_assign, event_del, event_priority_set } from "./event.js";
import { evmap_signal_active_ } from "./evmap.js";
import { event_errx, event_warn, event_warnx } from "./log.js";

/** @internal A base's signal state (libevent's struct evsig_info). */
export class evsig_info {
  /** The internal persistent read event on ev_signal_pair[0]. */
  ev_signal = new event();
  /** [read end, write end] of the socket the handler writes to. */
  ev_signal_pair = [-1, -1];
  /** Is ev_signal added? */
  ev_signal_added = 0;
  /** How many signals this base watches. */
  ev_n_signals_added = 0;
  /** The signals whose handler this base installed. */
  installed = new Set<number>();
}

// The base of this thread currently receiving signals. The handler is process-wide: the addon
// counts the installs of every thread, installs it with the first and restores with the last.
let evsigBase: event_base | null = null;
let evsigBaseNSignalsAdded = 0;

const scratch = Buffer.alloc(1024);
const nsig = native.constants.NSIG;
/** evsig_cb's count per signal, all zero between calls. */
const ncaught = new Int32Array(nsig);

/** The internal read event's callback (libevent's evsig_cb). */
function evsig_cb(fd: number, _what: number, base: event_base): void {
  for (;;) {
    const n = native.read(fd, scratch, 0, scratch.length);
    if (n < 0) {
      if (-n !== EAGAIN && -n !== EINTR) {
        set_errno(-n);
        event_errx(1, `evsig_cb: recv: ${native.strerror(-n)}`);
      }
      break;
    }
    if (n === 0) break;
    for (let i = 0; i < n; ++i) {
      const sig = scratch[i]!;
      if (sig < nsig) ncaught[sig]!++;
    }
  }
  for (let i = 0; i < nsig; ++i) {
    const n = ncaught[i]!;
    if (n) {
      ncaught[i] = 0;
      evmap_signal_active_(base, i, n);
    }
  }
}

/** @internal Create the signal socket and its internal event (libevent's evsig_init_). */
export function evsig_init_(base: event_base): number {
  const sig = base.sig;
  const r = native.pipe2(sig.ev_signal_pair, native.constants.O_NONBLOCK | native.constants.O_CLOEXEC);
  if (r < 0) {
    set_errno(-r);
    event_warn("evsig_init_: pipe");
    return -1;
  }
  // Closed by the addon if this thread ends with the base still alive.
  native.fdOwn(sig.ev_signal_pair[0]!);
  native.fdOwn(sig.ev_signal_pair[1]!);
  event_assign(sig.ev_signal, base, sig.ev_signal_pair[0]!, EV_READ | EV_PERSIST, evsig_cb, base);
  sig.ev_signal.evcb_flags |= EVLIST_INTERNAL;
  event_priority_set(sig.ev_signal, 0);
  return 0;
}

/** @internal Make `base` the one that receives signals (libevent's evsig_set_base_). */
export function evsig_set_base_(base: event_base): void {
  evsigBase = base;
  evsigBaseNSignalsAdded = base.sig.ev_n_signals_added;
  native.sigSetWakeFd(base.sig.ev_signal_pair[1]!);
}

/** @internal The first event for `signum` in `base` was added (libevent's evsig_add). 0 or -1. */
export function evsig_add(base: event_base, signum: number): number {
  const sig = base.sig;
  if (evsigBase !== base && evsigBaseNSignalsAdded) {
    event_warnx(
      "Added a signal to event base with signals already added to another event base. " +
        `Only one can have signals at a time with the ${base.evsel.name} backend. The base with the most ` +
        "recently added signal or the most recent event_base_loop() call gets preference; do not rely " +
        "on this behavior in future Libevent versions.",
    );
  }
  evsigBase = base;
  evsigBaseNSignalsAdded = ++sig.ev_n_signals_added;
  native.sigSetWakeFd(sig.ev_signal_pair[1]!);

  if (!sig.installed.has(signum)) {
    const r = native.sigInstall(signum);
    if (r < 0) {
      set_errno(-r);
      event_warn("sigaction");
      --evsigBaseNSignalsAdded;
      --sig.ev_n_signals_added;
      return -1;
    }
    sig.installed.add(signum);
  }

  if (!sig.ev_signal_added) {
    if (event_add_nolock_(sig.ev_signal, false, 0, -1, false) !== 0) {
      --evsigBaseNSignalsAdded;
      --sig.ev_n_signals_added;
      return -1;
    }
    sig.ev_signal_added = 1;
  }
  return 0;
}

/** Undo what evsig_add installed for `signum` in `base` (libevent's evsig_restore_handler_). */
function evsig_restore_handler_(base: event_base, signum: number): number {
  if (!base.sig.installed.delete(signum)) return 0;
  const r = native.sigRestore(signum);
  if (r < 0) {
    set_errno(-r);
    event_warn("sigaction");
    return -1;
  }
  return 0;
}

/** @internal The last event for `signum` in `base` was deleted (libevent's evsig_del). 0 or -1. */
export function evsig_del(base: event_base, signum: number): number {
  --evsigBaseNSignalsAdded;
  --base.sig.ev_n_signals_added;
  return evsig_restore_handler_(base, signum);
}

/**
 * Delete the internal event and close the socket, the handler first pointed away from it if it
 * writes there (it may be another thread's base's now): a closed descriptor's number is soon
 * another file's.
 */
function evsig_close_(base: event_base): void {
  const sig = base.sig;
  if (sig.ev_signal_added) {
    event_del(sig.ev_signal);
    sig.ev_signal_added = 0;
  }
  if (sig.ev_signal_pair[1] !== -1) native.sigReleaseWakeFd(sig.ev_signal_pair[1]!);
  for (let i = 0; i < 2; i++) {
    if (sig.ev_signal_pair[i] !== -1) {
      native.fdDisown(sig.ev_signal_pair[i]!);
      native.close(sig.ev_signal_pair[i]!);
      sig.ev_signal_pair[i] = -1;
    }
  }
}

/** @internal Restore every handler of `base` and close its socket (libevent's evsig_dealloc_). */
export function evsig_dealloc_(base: event_base): void {
  evsig_close_(base);
  for (const signum of [...base.sig.installed]) evsig_restore_handler_(base, signum);
  if (base === evsigBase) {
    evsigBase = null;
    evsigBaseNSignalsAdded = 0;
  }
}

/**
 * @internal For event_reinit, while the base has a backend that is told nothing: a new socket,
 * and the internal event added again (to the fd map) if signals are watched; the new backend
 * learns of it with every other fd. The process-wide handlers stay as they are.
 */
export function evsig_reinit_(base: event_base): number {
  const sig = base.sig;
  const hadSignalAdded = sig.ev_signal_added;
  evsig_close_(base);
  if (evsig_init_(base) !== 0) return -1;
  if (evsigBase === base) native.sigSetWakeFd(sig.ev_signal_pair[1]!);
  if (hadSignalAdded) {
    if (event_add_nolock_(sig.ev_signal, false, 0, -1, false) !== 0) return -1;
    sig.ev_signal_added = 1;
  }
  return 0;
}
