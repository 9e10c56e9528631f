/**
 * Signal numbers of `<signal.h>` with this platform's values, for `evsignal_new(base, SIGINT, ...)`.
 * A signal the platform lacks (SIGSTKFLT, SIGPOLL, SIGPWR off Linux) is `undefined`, as an
 * undefined macro would not compile in C.
 * @module
 */
import { constants as os } from "node:os";
import { native } from "../native/binding.js";

const s = os.signals as Record<string, number>;

/** Hangup of the controlling terminal. */ export const SIGHUP = s.SIGHUP!;
/** Interrupt from the keyboard (Ctrl-C). */ export const SIGINT = s.SIGINT!;
/** Quit from the keyboard (Ctrl-\\). */ export const SIGQUIT = s.SIGQUIT!;
/** Illegal instruction. */ export const SIGILL = s.SIGILL!;
/** Trace or breakpoint trap. */ export const SIGTRAP = s.SIGTRAP!;
/** Abort signal from abort(3). */ export const SIGABRT = s.SIGABRT!;
/** IOT trap (= SIGABRT). */ export const SIGIOT = s.SIGIOT!;
/** Bus error (bad memory access). */ export const SIGBUS = s.SIGBUS!;
/** Floating-point exception. */ export const SIGFPE = s.SIGFPE!;
/** Kill (cannot be caught or ignored). */ export const SIGKILL = s.SIGKILL!;
/** User-defined signal 1 (Node uses it for its inspector). */ export const SIGUSR1 = s.SIGUSR1!;
/** Invalid memory reference. */ export const SIGSEGV = s.SIGSEGV!;
/** User-defined signal 2. */ export const SIGUSR2 = s.SIGUSR2!;
/** Write to a pipe with no readers. */ export const SIGPIPE = s.SIGPIPE!;
/** Timer signal from alarm(2). */ export const SIGALRM = s.SIGALRM!;
/** Termination request. */ export const SIGTERM = s.SIGTERM!;
/** Stack fault on coprocessor (Linux only). */ export const SIGSTKFLT = s.SIGSTKFLT!;
/** Child stopped or terminated. */ export const SIGCHLD = s.SIGCHLD!;
/** Continue if stopped. */ export const SIGCONT = s.SIGCONT!;
/** Stop process (cannot be caught or ignored). */ export const SIGSTOP = s.SIGSTOP!;
/** Stop typed at the terminal (Ctrl-Z). */ export const SIGTSTP = s.SIGTSTP!;
/** Terminal input for a background process. */ export const SIGTTIN = s.SIGTTIN!;
/** Terminal output for a background process. */ export const SIGTTOU = s.SIGTTOU!;
/** Urgent condition on a socket. */ export const SIGURG = s.SIGURG!;
/** CPU time limit exceeded. */ export const SIGXCPU = s.SIGXCPU!;
/** File size limit exceeded. */ export const SIGXFSZ = s.SIGXFSZ!;
/** Virtual alarm clock. */ export const SIGVTALRM = s.SIGVTALRM!;
/** Profiling timer expired. */ export const SIGPROF = s.SIGPROF!;
/** Window resize. */ export const SIGWINCH = s.SIGWINCH!;
/** I/O now possible. */ export const SIGIO = s.SIGIO!;
/** Pollable event (= SIGIO on Linux). */ export const SIGPOLL = s.SIGPOLL!;
/** Power failure (Linux). */ export const SIGPWR = s.SIGPWR!;
/** Bad system call. */ export const SIGSYS = s.SIGSYS!;

/** One more than the highest signal number (65 on Linux): `evsignal_new` refuses `sig >= NSIG`. */
export const NSIG = native.constants.NSIG;
