/**
 * libevent's test/test-ratelim.c, statement by statement: pushes bytes through a number of
 * possibly rate-limited connections (clients that keep writing, an echo server that reads and
 * writes back through per-connection and/or group limits), then prints the throughput of each
 * connection, the total, the average and the standard deviation, and fails (exit status 1) when
 * they are further from the configured limits than the --check-* tolerances allow.
 *
 *     node --import tsx examples/test-ratelim.ts [-v] [-n INT] [-d INT] [-c INT] [-g INT] [-G INT]
 *         [-t INT] [--min-share INT] [--check-connlimit INT] [--check-grouplimit INT] [--check-stddev INT]
 *
 * examples/test-ratelim.sh runs the four configurations of libevent's test/test-ratelim.sh.
 * Left out, as this port has no threads: evthread_enable_lock_debugging (the C program's locks
 * are never contended here). SIGPIPE needs no signal(SIGPIPE, SIG_IGN): Node.js ignores it.
 */
import type { bufferevent } from "libevent-ts/event2/bufferevent";
import {
  BEV_EVENT_CONNECTED, BEV_EVENT_EOF, BEV_EVENT_ERROR, BEV_OPT_CLOSE_ON_FREE, BEV_OPT_THREADSAFE,
  bufferevent_add_to_rate_limit_group, bufferevent_disable, bufferevent_enable, bufferevent_free, bufferevent_get_base,
  bufferevent_get_input, bufferevent_get_max_to_read, bufferevent_get_max_to_write, bufferevent_get_output,
  bufferevent_get_read_limit, bufferevent_get_token_bucket_cfg, bufferevent_get_write_limit,
  bufferevent_rate_limit_group, bufferevent_rate_limit_group_decrement_read, bufferevent_rate_limit_group_decrement_write,
  bufferevent_rate_limit_group_free, bufferevent_rate_limit_group_get_read_limit,
  bufferevent_rate_limit_group_get_write_limit, bufferevent_rate_limit_group_new,
  bufferevent_rate_limit_group_set_min_share, bufferevent_set_rate_limit, bufferevent_setcb, bufferevent_socket_connect,
  bufferevent_socket_new, ev_token_bucket_cfg, ev_token_bucket_cfg_new,
} from "libevent-ts/event2/bufferevent";
import { evbuffer_add, evbuffer_add_buffer, evbuffer_drain, evbuffer_get_length } from "libevent-ts/event2/buffer";
import type { event, event_base } from "libevent-ts/event2/event";
import {
  EV_PERSIST, EV_READ, EV_WRITE, EVENT_BASE_FLAG_PRECISE_TIMER, event_add, event_base_dispatch, event_base_free,
  event_base_get_running_event, event_base_init_common_timeout, event_base_loopexit, event_base_new_with_config,
  event_config_free, event_config_new, event_config_set_flag, event_del, event_free, event_new, event_self_cbarg,
} from "libevent-ts/event2/event";
import type { evconnlistener } from "libevent-ts/event2/listener";
import {
  LEV_OPT_CLOSE_ON_FREE, LEV_OPT_REUSEABLE, evconnlistener_free, evconnlistener_get_fd, evconnlistener_new_bind,
} from "libevent-ts/event2/listener";
import type { evutil_socket_t, sockaddr } from "libevent-ts/event2/util";
import {
  AF_INET, EV_INT64_MAX, EV_INT64_MIN, evutil_gettimeofday, evutil_strtoll, evutil_timersub, getsockname, htonl,
  memset, sizeof, sockaddr_in, sockaddr_storage, timeval,
} from "libevent-ts/event2/util";

/**
 * libevent's internal evutil_weakrand_ (a 31-bit linear congruential generator), which the C
 * program uses to pick the byte each client writes.
 */
const weakrand_state = { seed: 0 };

function evutil_weakrand_seed_(state: { seed: number }, seed: number): number {
  if (seed === 0) {
    const tv = new timeval();
    evutil_gettimeofday(tv, null);
    seed = (tv.tv_sec + tv.tv_usec + process.pid) >>> 0;
  }
  state.seed = seed;
  return seed;
}

function evutil_weakrand_(state: { seed: number }): number {
  state.seed = (Math.imul(state.seed, 1103515245) + 12345) & 0x7fffffff;
  return state.seed;
}

function MIN(a: number, b: number): number {
  return a < b ? a : b;
}

/** printf's `%f`. */
function f(x: number): string {
  return x.toFixed(6);
}

const cfg_verbose = { value: 0 };
const cfg_help = { value: 0 };

const cfg_n_connections = { value: 30 };
const cfg_duration = { value: 5 };
const cfg_connlimit = { value: 0 };
const cfg_grouplimit = { value: 0 };
const cfg_tick_msec = { value: 1000 };
const cfg_min_share = { value: -1 };
const cfg_group_drain = { value: 0 };

const cfg_connlimit_tolerance = { value: -1 };
const cfg_grouplimit_tolerance = { value: -1 };
const cfg_stddev_tolerance = { value: -1 };

const cfg_tick = new timeval(0, 500 * 1000);

let conn_bucket_cfg: ev_token_bucket_cfg | null = null;
let group_bucket_cfg: ev_token_bucket_cfg | null = null;
let ratelim_group: bufferevent_rate_limit_group | null = null;
let seconds_per_tick = 0.0;

interface client_state {
  queued: number;
  received: number;
}
let ms100_common: timeval | null = null;

// How slow timer callbacks are on this machine; above 1 it widens the three --check-*
// tolerances in proportion (at most 5 times).
let timer_bias_events = 0;
let timer_bias_start = new timeval();
let timer_bias_spend = 0;
/** The timer callback cost (in microseconds) that counts as a bias of 1. */
const TIMER_MAX_COST_USEC = 10;

// Sums of what check_bucket_levels_cb saw
let total_n_bev_checks = 0;
let total_rbucket_level = 0;
let total_wbucket_level = 0;
let total_max_to_read = 0;
let total_max_to_write = 0;
let max_bucket_level = Number(EV_INT64_MIN);
let min_bucket_level = Number(EV_INT64_MAX);

// Sums of what check_group_bucket_levels_cb saw
let total_n_group_bev_checks = 0;
let total_group_rbucket_level = 0;
let total_group_wbucket_level = 0;

let n_echo_conns_open = 0;

// The client connections and what each received
let bevs: (bufferevent | null)[];
let states: client_state[];
let group: bufferevent_rate_limit_group | null = null;

/** The C program's stack buffer of loud_writecb, kept between calls. */
const loud_buf = new Uint8Array(1024);

function loud_writecb(bev: bufferevent, ctx: client_state): void {
  const cs = ctx;
  const output = bufferevent_get_output(bev);
  const buf = loud_buf;
  const r = evutil_weakrand_(weakrand_state);
  buf.fill(r & 0xff);
  while (evbuffer_get_length(output) < 8192) {
    evbuffer_add(output, buf, buf.length);
    cs.queued += buf.length;
  }
}

function discard_readcb(bev: bufferevent, ctx: client_state): void {
  const cs = ctx;
  const input = bufferevent_get_input(bev);
  const len = evbuffer_get_length(input);
  evbuffer_drain(input, len);
  cs.received += len;
}

function write_on_connectedcb(bev: bufferevent, what: number, ctx: client_state): void {
  if (what & BEV_EVENT_CONNECTED) {
    loud_writecb(bev, ctx);
    // Already enabled before connecting; libevent's program enables it again here.
    bufferevent_enable(bev, EV_READ | EV_WRITE);
  }
}

function echo_readcb(bev: bufferevent, ctx: null): void {
  const input = bufferevent_get_input(bev);
  const output = bufferevent_get_output(bev);

  evbuffer_add_buffer(output, input);
  if (evbuffer_get_length(output) > 1024000)
    bufferevent_disable(bev, EV_READ);
}

function echo_writecb(bev: bufferevent, ctx: null): void {
  const output = bufferevent_get_output(bev);
  if (evbuffer_get_length(output) < 512000)
    bufferevent_enable(bev, EV_READ);
}

function echo_eventcb(bev: bufferevent, what: number, ctx: null): void {
  if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
    --n_echo_conns_open;
    bufferevent_free(bev);
  }
}

function echo_listenercb(listener: evconnlistener, newsock: evutil_socket_t,
  sourceaddr: sockaddr, socklen: number, ctx: event_base): void {
  const base = ctx;
  const flags = BEV_OPT_CLOSE_ON_FREE | BEV_OPT_THREADSAFE;
  let bev: bufferevent;

  bev = bufferevent_socket_new(base, newsock, flags)!;
  bufferevent_setcb(bev, echo_readcb, echo_writecb, echo_eventcb, null);
  if (conn_bucket_cfg) {
    const check_event = event_new(base, -1, EV_PERSIST, check_bucket_levels_cb, bev);
    bufferevent_set_rate_limit(bev, conn_bucket_cfg);

    assert(bufferevent_get_token_bucket_cfg(bev) !== null);
    event_add(check_event!, ms100_common);
  }
  if (ratelim_group)
    bufferevent_add_to_rate_limit_group(bev, ratelim_group);
  ++n_echo_conns_open;
  bufferevent_enable(bev, EV_READ | EV_WRITE);
}

/** Every 100 ms, per server connection: sample its buckets (it stops itself after a while). */
function check_bucket_levels_cb(fd: evutil_socket_t, events: number, arg: bufferevent): void {
  const bev = arg;

  const r = bufferevent_get_read_limit(bev);
  const w = bufferevent_get_write_limit(bev);
  const rm = bufferevent_get_max_to_read(bev);
  const wm = bufferevent_get_max_to_write(bev);
  total_rbucket_level += r;
  total_wbucket_level += w;
  total_max_to_read += rm;
  total_max_to_write += wm;
  const B = (x: number): void => {
    if (x > max_bucket_level)
      max_bucket_level = x;
    if (x < min_bucket_level)
      min_bucket_level = x;
  };
  B(r);
  B(w);

  total_n_bev_checks++;
  if (total_n_bev_checks >= .8 * (cfg_duration.value / cfg_tick_msec.value) * cfg_n_connections.value) {
    event_free(event_base_get_running_event(bufferevent_get_base(bev))!);
  }
}

function check_group_bucket_levels_cb(fd: evutil_socket_t, events: number, arg: null): void {
  if (ratelim_group) {
    const r = bufferevent_rate_limit_group_get_read_limit(ratelim_group);
    const w = bufferevent_rate_limit_group_get_write_limit(ratelim_group);
    total_group_rbucket_level += r;
    total_group_wbucket_level += w;
  }
  ++total_n_group_bev_checks;
}

function group_drain_cb(fd: evutil_socket_t, events: number, arg: null): void {
  bufferevent_rate_limit_group_decrement_read(ratelim_group!, cfg_group_drain.value);
  bufferevent_rate_limit_group_decrement_write(ratelim_group!, cfg_group_drain.value);
}

function timer_bias_cb(fd: evutil_socket_t, events: number, arg: event): void {
  const event = arg;
  const end = new timeval();
  const diff = new timeval();

  evutil_gettimeofday(end, null);
  evutil_timersub(end, timer_bias_start, diff);
  // As libevent writes it (microseconds times 1e6): the bias is the mean cost of one timer
  // callback in microseconds, divided by TIMER_MAX_COST_USEC.
  timer_bias_spend += diff.tv_sec + diff.tv_usec * 1e6;
  timer_bias_start = end;

  if (++timer_bias_events === 100)
    event_del(event);
}

function timer_bias_calculate(): number {
  let cfg = null;
  let base = null;
  let timer = null;
  const tv = new timeval(0, 1);
  let done = 0;

  err: {
    cfg = event_config_new();
    if (!cfg)
      break err;
    if (event_config_set_flag(cfg, EVENT_BASE_FLAG_PRECISE_TIMER))
      break err;
    base = event_base_new_with_config(cfg);
    if (!base)
      break err;

    timer = event_new(base, -1, EV_PERSIST, timer_bias_cb, event_self_cbarg());
    if (!timer || event_add(timer, tv)) {
      break err;
    }

    evutil_gettimeofday(timer_bias_start, null);
    event_base_dispatch(base);
    done = 1;
  }

  if (cfg)
    event_config_free(cfg);
  if (timer)
    event_free(timer);
  if (base)
    event_base_free(base);

  if (done)
    return MIN(timer_bias_spend / 1e6 / timer_bias_events / TIMER_MAX_COST_USEC, 5);

  console.error("Couldn't create event for CPU cycle counter bias");
  return -1;
}

function assert(cond: boolean): void {
  if (!cond) throw new Error("assertion failed");
}

function test_ratelimiting(): number {
  let base: event_base | null;
  const sin = new sockaddr_in();
  let listener: evconnlistener | null;

  const ss = new sockaddr_storage();
  const slen = { value: 0 };

  let i: number;

  const tv = new timeval();

  let total_received: number;
  let total_sq_persec: number, total_persec: number;
  let variance: number;
  let expected_total_persec = -1.0, expected_avg_persec = -1.0;
  let ok = 1;
  let base_cfg;
  let periodic_level_check: event | null;
  let group_drain_event: event | null = null;
  let timer_bias: number;

  memset(sin, 0, sizeof(sin));
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(0x7f000001); // 127.0.0.1
  sin.sin_port = 0; // any free port

  timer_bias = timer_bias_calculate();
  if (timer_bias > 1) {
    console.error(`CPU is slow, timers bias is ${f(timer_bias)}`);
    cfg_connlimit_tolerance.value = Math.trunc(cfg_connlimit_tolerance.value * timer_bias);
    cfg_grouplimit_tolerance.value = Math.trunc(cfg_grouplimit_tolerance.value * timer_bias);
    cfg_stddev_tolerance.value = Math.trunc(cfg_stddev_tolerance.value * timer_bias);
  } else {
    console.log(`CPU is fast enough, timers bias is ${f(timer_bias)}`);
  }

  base_cfg = event_config_new();

  base = event_base_new_with_config(base_cfg);
  event_config_free(base_cfg!);
  if (!base) {
    console.error("Couldn't create event_base");
    return 1;
  }

  listener = evconnlistener_new_bind(base, echo_listenercb, base,
    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, -1,
    sin, sizeof(sin));
  if (!listener) {
    console.error("Couldn't create listener");
    return 1;
  }

  slen.value = sizeof(ss);
  if (getsockname(evconnlistener_get_fd(listener), ss, slen) < 0) {
    console.error("getsockname failed");
    return 1;
  }

  if (cfg_connlimit.value > 0) {
    conn_bucket_cfg = ev_token_bucket_cfg_new(
      cfg_connlimit.value, cfg_connlimit.value * 4,
      cfg_connlimit.value, cfg_connlimit.value * 4,
      cfg_tick);
    assert(conn_bucket_cfg !== null);
  }

  if (cfg_grouplimit.value > 0) {
    group_bucket_cfg = ev_token_bucket_cfg_new(
      cfg_grouplimit.value, cfg_grouplimit.value * 4,
      cfg_grouplimit.value, cfg_grouplimit.value * 4,
      cfg_tick);
    group = ratelim_group = bufferevent_rate_limit_group_new(
      base, group_bucket_cfg!);
    expected_total_persec = cfg_grouplimit.value - (cfg_group_drain.value / seconds_per_tick);
    expected_avg_persec = Math.trunc(cfg_grouplimit.value / cfg_n_connections.value);
    if (cfg_connlimit.value > 0 && expected_avg_persec > cfg_connlimit.value)
      expected_avg_persec = cfg_connlimit.value;
    if (cfg_min_share.value >= 0)
      bufferevent_rate_limit_group_set_min_share(
        ratelim_group, cfg_min_share.value);
  }

  if (expected_avg_persec < 0 && cfg_connlimit.value > 0)
    expected_avg_persec = cfg_connlimit.value;

  if (expected_avg_persec > 0)
    expected_avg_persec /= seconds_per_tick;
  if (expected_total_persec > 0)
    expected_total_persec /= seconds_per_tick;

  bevs = new Array<bufferevent | null>(cfg_n_connections.value).fill(null);
  states = Array.from({ length: cfg_n_connections.value }, () => ({ queued: 0, received: 0 }));

  for (i = 0; i < cfg_n_connections.value; ++i) {
    bevs[i] = bufferevent_socket_new(base, -1,
      BEV_OPT_CLOSE_ON_FREE | BEV_OPT_THREADSAFE);
    assert(bevs[i] !== null);
    bufferevent_setcb(bevs[i]!, discard_readcb, loud_writecb,
      write_on_connectedcb, states[i]!);
    bufferevent_enable(bevs[i]!, EV_READ | EV_WRITE);
    bufferevent_socket_connect(bevs[i]!, ss, slen.value);
  }

  tv.tv_sec = cfg_duration.value - 1;
  tv.tv_usec = 995000;

  event_base_loopexit(base, tv);

  tv.tv_sec = 0;
  tv.tv_usec = 100 * 1000;
  ms100_common = event_base_init_common_timeout(base, tv);

  periodic_level_check = event_new(base, -1, EV_PERSIST, check_group_bucket_levels_cb, null);
  event_add(periodic_level_check!, ms100_common);

  if (cfg_group_drain.value && ratelim_group) {
    group_drain_event = event_new(base, -1, EV_PERSIST, group_drain_cb, null);
    event_add(group_drain_event!, cfg_tick);
  }

  event_base_dispatch(base);

  ratelim_group = null; // new server connections join no group from now on
  event_free(periodic_level_check!);
  if (group_drain_event)
    event_free(group_drain_event);

  for (i = 0; i < cfg_n_connections.value; ++i) {
    bufferevent_free(bevs[i]!);
  }
  evconnlistener_free(listener);

  ratelim_group = null;

  // Run until the server has seen every client close.
  while (n_echo_conns_open) {
    console.log(`waiting for ${n_echo_conns_open} conns`);
    tv.tv_sec = 0;
    tv.tv_usec = 300000;
    event_base_loopexit(base, tv);
    event_base_dispatch(base);
  }

  if (group)
    bufferevent_rate_limit_group_free(group);

  if (total_n_bev_checks) {
    console.log(`Average read bucket level: ${f(total_rbucket_level / total_n_bev_checks)}`);
    console.log(`Average write bucket level: ${f(total_wbucket_level / total_n_bev_checks)}`);
    console.log(`Highest read bucket level: ${f(max_bucket_level)}`);
    console.log(`Highest write bucket level: ${f(min_bucket_level)}`);
    console.log(`Average max-to-read: ${f(total_max_to_read / total_n_bev_checks)}`);
    console.log(`Average max-to-write: ${f(total_max_to_write / total_n_bev_checks)}`);
  }
  if (total_n_group_bev_checks) {
    console.log(`Average group read bucket level: ${f(total_group_rbucket_level / total_n_group_bev_checks)}`);
    console.log(`Average group write bucket level: ${f(total_group_wbucket_level / total_n_group_bev_checks)}`);
  }

  total_received = 0;
  total_persec = 0.0;
  total_sq_persec = 0.0;
  for (i = 0; i < cfg_n_connections.value; ++i) {
    let persec = states[i]!.received;
    persec /= cfg_duration.value;
    total_received += states[i]!.received;
    total_persec += persec;
    total_sq_persec += persec * persec;
    console.log(`${i + 1}: ${f(persec)} per second`);
  }
  console.log(`   total: ${f(total_received / cfg_duration.value)} per second`);
  if (expected_total_persec > 0) {
    const diff = expected_total_persec - (total_received / cfg_duration.value);
    console.log(`  [Off by ${f(diff)}]`);
    if (cfg_grouplimit_tolerance.value > 0 &&
      Math.abs(diff) > cfg_grouplimit_tolerance.value) {
      console.error("Group bandwidth out of bounds");
      ok = 0;
    }
  }

  console.log(` average: ${f((total_received / cfg_duration.value) / cfg_n_connections.value)} per second`);
  if (expected_avg_persec > 0) {
    const diff = expected_avg_persec - (total_received / cfg_duration.value) / cfg_n_connections.value;
    console.log(`  [Off by ${f(diff)}]`);
    if (cfg_connlimit_tolerance.value > 0 &&
      Math.abs(diff) > cfg_connlimit_tolerance.value) {
      console.error("Connection bandwidth out of bounds");
      ok = 0;
    }
  }

  variance = total_sq_persec / cfg_n_connections.value -
    total_persec * total_persec / (cfg_n_connections.value * cfg_n_connections.value);

  console.log(`  stddev: ${f(Math.sqrt(variance))} per second`);
  if (cfg_stddev_tolerance.value > 0 &&
    Math.sqrt(variance) > cfg_stddev_tolerance.value) {
    console.error("Connection variance out of bounds");
    ok = 0;
  }

  event_base_free(base);

  return ok ? 0 : 1;
}

interface option {
  name: string;
  ptr: { value: number };
  min: number;
  isbool: number;
}

const options: option[] = [
  { name: "-v", ptr: cfg_verbose, min: 0, isbool: 1 },
  { name: "-h", ptr: cfg_help, min: 0, isbool: 1 },
  { name: "-n", ptr: cfg_n_connections, min: 1, isbool: 0 },
  { name: "-d", ptr: cfg_duration, min: 1, isbool: 0 },
  { name: "-c", ptr: cfg_connlimit, min: 0, isbool: 0 },
  { name: "-g", ptr: cfg_grouplimit, min: 0, isbool: 0 },
  { name: "-G", ptr: cfg_group_drain, min: -100000, isbool: 0 },
  { name: "-t", ptr: cfg_tick_msec, min: 10, isbool: 0 },
  { name: "--min-share", ptr: cfg_min_share, min: 0, isbool: 0 },
  { name: "--check-connlimit", ptr: cfg_connlimit_tolerance, min: 0, isbool: 0 },
  { name: "--check-grouplimit", ptr: cfg_grouplimit_tolerance, min: 0, isbool: 0 },
  { name: "--check-stddev", ptr: cfg_stddev_tolerance, min: 0, isbool: 0 },
];

function handle_option(argc: number, argv: string[], i: { value: number }, opt: option): number {
  const endptr = { value: 0 };
  if (opt.isbool) {
    opt.ptr.value = 1;
    return 0;
  }
  if (i.value + 1 === argc) {
    console.error(`Too few arguments to '${argv[i.value]}'`);
    return -1;
  }
  const arg = argv[i.value + 1]!;
  const val = evutil_strtoll(arg, endptr, 10);
  if (arg === "" || endptr.value !== arg.length) {
    console.error(`Couldn't parse numeric value '${arg}'`);
    return -1;
  }
  if (val < BigInt(opt.min) || val > 0x7fffffffn) {
    console.error(`Value '${arg}' is out-of-range'`);
    return -1;
  }
  opt.ptr.value = Number(val);
  ++i.value;
  return 0;
}

function usage(): void {
  process.stderr.write(
    "test-ratelim [-v] [-n INT] [-d INT] [-c INT] [-g INT] [-t INT]\n\n" +
    "Pushes bytes through a number of possibly rate-limited connections, and\n" +
    "displays average throughput.\n\n" +
    "  -n INT: Number of connections to open (default: 30)\n" +
    "  -d INT: Duration of the test in seconds (default: 5 sec)\n");
  process.stderr.write(
    "  -c INT: Connection-rate limit applied to each connection in bytes per second\n" +
    "	   (default: None.)\n" +
    "  -g INT: Group-rate limit applied to sum of all usage in bytes per second\n" +
    "	   (default: None.)\n" +
    "  -G INT: drain INT bytes from the group limit every tick. (default: 0)\n" +
    "  -t INT: Granularity of timing, in milliseconds (default: 1000 msec)\n");
}

function main(argc: number, argv: string[]): number {
  const i = { value: 0 };
  let ratio: number;

  evutil_weakrand_seed_(weakrand_state, 0);

  for (i.value = 1; i.value < argc; ++i.value) {
    const opt = options.find((o) => o.name === argv[i.value]);
    if (opt === undefined) {
      console.error(`Unknown option '${argv[i.value]}'`);
      usage();
      return 1;
    }
    if (handle_option(argc, argv, i, opt) < 0)
      return 1;
  }
  if (cfg_help.value) {
    usage();
    return 0;
  }

  cfg_tick.tv_sec = Math.trunc(cfg_tick_msec.value / 1000);
  cfg_tick.tv_usec = (cfg_tick_msec.value % 1000) * 1000;

  seconds_per_tick = ratio = cfg_tick_msec.value / 1000.0;

  // C multiplies the ints by a double and truncates back into them.
  cfg_connlimit.value = Math.trunc(cfg_connlimit.value * ratio);
  cfg_grouplimit.value = Math.trunc(cfg_grouplimit.value * ratio);

  return test_ratelimiting();
}

const argv = process.argv.slice(1);
process.exitCode = main(argv.length, argv);
