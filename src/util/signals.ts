/**
 * Signal numbers of `<signal.h>` with this platform's values, for `evsignal_new(base, SIGINT, ...)`.
 * A signal the platform lacks (SIGSTKFLT, SIGPOLL, SIGPWR off Linux) is `undefined`, as an
 * undefined macro would not compile in C.
 * @module
 */
import { constants as os } from "node:os";
import { native } from "../native/binding.js";

const s = os.signals as Record<string, number>;

/** Hangup of the controlling terminal. @category Signals */ export const SIGHUP = s.SIGHUP!;
/** Interrupt from the keyboard (Ctrl-C). @category Signals */ export const SIGINT = s.SIGINT!;
/** Quit from the keyboard (Ctrl-\\). @category Signals */ export const SIGQUIT = s.SIGQUIT!;
/** Illegal instruction. @category Signals */ export const SIGILL = s.SIGILL!;
/** Trace or breakpoint trap. @category Signals */ export const SIGTRAP = s.SIGTRAP!;
/** Abort signal from abort(3). @category Signals */ export const SIGABRT = s.SIGABRT!;
/** IOT trap (= SIGABRT). @category Signals */ export const SIGIOT = s.SIGIOT!;
/** Bus error (bad memory access). @category Signals */ export const SIGBUS = s.SIGBUS!;
/** Floating-point exception. @category Signals */ export const SIGFPE = s.SIGFPE!;
/** Kill (cannot be caught or ignored). @category Signals */ export const SIGKILL = s.SIGKILL!;
/** User-defined signal 1 (Node uses it for its inspector). @category Signals */ export const SIGUSR1 = s.SIGUSR1!;
/** Invalid memory reference. @category Signals */ export const SIGSEGV = s.SIGSEGV!;
/** User-defined signal 2. @category Signals */ export const SIGUSR2 = s.SIGUSR2!;
/** Write to a pipe with no readers. @category Signals */ export const SIGPIPE = s.SIGPIPE!;
/** Timer signal from alarm(2). @category Signals */ export const SIGALRM = s.SIGALRM!;
/** Termination request. @category Signals */ export const SIGTERM = s.SIGTERM!;
/** Stack fault on coprocessor (Linux only). @category Signals */ export const SIGSTKFLT = s.SIGSTKFLT!;
/** Child stopped or terminated. @category Signals */ export const SIGCHLD = s.SIGCHLD!;
/** Continue if stopped. @category Signals */ export const SIGCONT = s.SIGCONT!;
/** Stop process (cannot be caught or ignored). @category Signals */ export const SIGSTOP = s.SIGSTOP!;
/** Stop typed at the terminal (Ctrl-Z). @category Signals */ export const SIGTSTP = s.SIGTSTP!;
/** Terminal input for a background process. @category Signals */ export const SIGTTIN = s.SIGTTIN!;
/** Terminal output for a background process. @category Signals */ export const SIGTTOU = s.SIGTTOU!;
/** Urgent condition on a socket. @category Signals */ export const SIGURG = s.SIGURG!;
/** CPU time limit exceeded. @category Signals */ export const SIGXCPU = s.SIGXCPU!;
/** File size limit exceeded. @category Signals */ export const SIGXFSZ = s.SIGXFSZ!;
/** Virtual alarm clock. @category Signals */ export const SIGVTALRM = s.SIGVTALRM!;
/** Profiling timer expired. @category Signals */ export const SIGPROF = s.SIGPROF!;
/** Window resize. @category Signals */ export const SIGWINCH = s.SIGWINCH!;
/** I/O now possible. @category Signals */ export const SIGIO = s.SIGIO!;
/** Pollable event (= SIGIO on Linux). @category Signals */ export const SIGPOLL = s.SIGPOLL!;
/** Power failure (Linux). @category Signals */ export const SIGPWR = s.SIGPWR!;
/** Bad system call. @category Signals */ export const SIGSYS = s.SIGSYS!;

/** One more than the highest signal number (65 on Linux): `evsignal_new` refuses `sig >= NSIG`. @category Signals */
export const NSIG = native.constants.NSIG;
