/*
 * A single-threaded epoll load generator for the server benchmarks. The target is always
 * 127.0.0.1; every loop is bounded by a count and by MAX_SECONDS.
 *
 *   loadgen conn PORT TOTAL CONCURRENCY MAX_SECONDS
 *     TOTAL connections, at most CONCURRENCY open at once; each reads until the server closes.
 *   loadgen echo PORT CONNS ROUNDTRIPS MAX_SECONDS MSGSIZE
 *     CONNS connections (TCP_NODELAY); each sends MSGSIZE bytes and waits for all of them to come
 *     back before sending again, until ROUNDTRIPS round trips are done in total. The clock starts
 *     once every connection is established.
 *
 * Prints one line of key=value pairs; exits 0 when every connection and round trip succeeded
 * within the time limit, 1 otherwise (the line is printed either way), 2 on bad arguments.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_EVENTS 256
#define WAIT_MS 100
#define READS_PER_WAKEUP 64

struct conn {
	int fd;
	int connected;
	size_t sent;
	size_t received;
};

static int epfd;
static struct sockaddr_in target;
static struct conn *conns;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long
parse_arg(const char *s, const char *name, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *s == '\0' || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "loadgen: %s must be an integer in [%ld, %ld], not \"%s\"\n", name, min, max, s);
		exit(2);
	}
	return v;
}

/* Opens a non-blocking connection to the target for slot i, watched for `events`. -1 on failure. */
static int
open_conn(int i, uint32_t events, int nodelay)
{
	struct epoll_event ev;
	int fd, one = 1;

	conns[i].fd = -1;
	conns[i].connected = 0;
	conns[i].sent = conns[i].received = 0;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (nodelay)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&target, sizeof(target)) < 0 && errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.u32 = (uint32_t)i;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		close(fd);
		return -1;
	}
	conns[i].fd = fd;
	return 0;
}

static void
close_conn(int i)
{
	if (conns[i].fd >= 0) {
		close(conns[i].fd); /* also leaves the epoll set */
		conns[i].fd = -1;
	}
}

static int
run_conn(int port, long total, long concurrency, double max_seconds)
{
	struct epoll_event evs[MAX_EVENTS];
	char buf[4096];
	long started = 0, finished = 0, ok = 0, errors = 0;
	unsigned long long bytes = 0;
	double t0, t1, deadline;
	int i, n, k, timed_out = 0;

	t0 = now();
	deadline = t0 + max_seconds;
	for (i = 0; i < concurrency && started < total; i++, started++) {
		if (open_conn(i, EPOLLIN, 0) < 0) {
			errors++;
			finished++;
		}
	}
	while (finished < total) {
		if (now() > deadline) {
			timed_out = 1;
			break;
		}
		n = epoll_wait(epfd, evs, MAX_EVENTS, WAIT_MS);
		if (n < 0 && errno != EINTR) {
			perror("epoll_wait");
			break;
		}
		for (k = 0; k < n; k++) {
			int slot = (int)evs[k].data.u32, done = 0, failed = 0;
			ssize_t r;

			/* Read until EOF, an error, or nothing more for now (at most READS_PER_WAKEUP reads). */
			for (int step = 0; step < READS_PER_WAKEUP; step++) {
				r = read(conns[slot].fd, buf, sizeof(buf));
				if (r > 0) {
					bytes += (unsigned long long)r;
					continue;
				}
				if (r == 0)
					done = 1;
				else if (errno != EAGAIN && errno != EINTR)
					done = failed = 1;
				break;
			}
			if (!done)
				continue;
			close_conn(slot);
			finished++;
			if (failed)
				errors++;
			else
				ok++;
			while (started < total) {
				started++;
				if (open_conn(slot, EPOLLIN, 0) == 0)
					break;
				errors++;
				finished++;
			}
		}
	}
	t1 = now();
	for (i = 0; i < concurrency; i++)
		close_conn(i);
	printf("mode=conn port=%d total=%ld ok=%ld errors=%ld secs=%.4f conns_per_s=%.0f bytes_per_conn=%.2f timed_out=%d\n",
	    port, total, ok, errors, t1 - t0, ok / (t1 - t0), ok ? (double)bytes / ok : 0.0, timed_out);
	return errors == 0 && !timed_out && ok == total ? 0 : 1;
}

/* Sends what is left of conn i's message; 0, or -1 on a failed write. */
static int
send_rest(int i, const unsigned char *msg, size_t msgsize)
{
	while (conns[i].sent < msgsize) {
		ssize_t w = write(conns[i].fd, msg + conns[i].sent, msgsize - conns[i].sent);
		if (w < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		conns[i].sent += (size_t)w;
	}
	return 0;
}

static int
watch(int i, uint32_t events)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.u32 = (uint32_t)i;
	return epoll_ctl(epfd, EPOLL_CTL_MOD, conns[i].fd, &ev);
}

static int
run_echo(int port, long nconns, long roundtrips, double max_seconds, long msgsize)
{
	struct epoll_event evs[MAX_EVENTS];
	unsigned char *msg, *buf;
	long issued = 0, inflight = 0, done = 0, errors = 0, open = 0, connected = 0;
	double t0 = 0, t1, deadline;
	int i, n, k, timed_out = 0;

	msg = malloc((size_t)msgsize);
	buf = malloc((size_t)msgsize);
	if (!msg || !buf) {
		perror("malloc");
		return 1;
	}
	for (i = 0; i < msgsize; i++)
		msg[i] = (unsigned char)('a' + i % 26);

	deadline = now() + max_seconds;
	for (i = 0; i < nconns; i++) {
		if (open_conn(i, EPOLLOUT, 1) < 0)
			errors++;
		else
			open++;
	}
	/* Establish every connection before the clock starts. */
	while (connected < open && !timed_out) {
		if (now() > deadline) {
			timed_out = 1;
			break;
		}
		n = epoll_wait(epfd, evs, MAX_EVENTS, WAIT_MS);
		for (k = 0; k < n; k++) {
			int slot = (int)evs[k].data.u32, err = 0;
			socklen_t len = sizeof(err);

			if (conns[slot].connected)
				continue;
			getsockopt(conns[slot].fd, SOL_SOCKET, SO_ERROR, &err, &len);
			if (err || watch(slot, EPOLLIN) < 0) {
				close_conn(slot);
				errors++;
				open--;
				continue;
			}
			conns[slot].connected = 1;
			connected++;
		}
	}

	/* Each open connection has one message in flight until `roundtrips` have been issued. */
	t0 = now();
	for (i = 0; i < nconns && !timed_out; i++) {
		if (conns[i].fd < 0)
			continue;
		if (issued >= roundtrips) {
			close_conn(i);
			continue;
		}
		if (send_rest(i, msg, (size_t)msgsize) < 0 ||
		    (conns[i].sent < (size_t)msgsize && watch(i, EPOLLIN | EPOLLOUT) < 0)) {
			close_conn(i);
			errors++;
			continue;
		}
		issued++;
		inflight++;
	}
	while (inflight > 0 && !timed_out) {
		if (now() > deadline) {
			timed_out = 1;
			break;
		}
		n = epoll_wait(epfd, evs, MAX_EVENTS, WAIT_MS);
		if (n < 0 && errno != EINTR) {
			perror("epoll_wait");
			break;
		}
		for (k = 0; k < n; k++) {
			int slot = (int)evs[k].data.u32, failed = 0;
			struct conn *c = &conns[slot];
			ssize_t r;

			if (c->fd < 0)
				continue;
			if (evs[k].events & EPOLLOUT) {
				if (send_rest(slot, msg, (size_t)msgsize) < 0)
					failed = 1;
				else if (c->sent == (size_t)msgsize && watch(slot, EPOLLIN) < 0)
					failed = 1;
			}
			if (!failed && (evs[k].events & (EPOLLIN | EPOLLERR | EPOLLHUP))) {
				r = read(c->fd, buf, (size_t)msgsize - c->received);
				if (r > 0 && memcmp(buf, msg + c->received, (size_t)r) == 0 && c->received + (size_t)r <= c->sent)
					c->received += (size_t)r;
				else if (r != -1 || (errno != EAGAIN && errno != EINTR))
					failed = 1; /* EOF, an error, or bytes that were not sent */
			}
			if (failed) {
				close_conn(slot);
				errors++;
				inflight--;
				continue;
			}
			if (c->received < (size_t)msgsize)
				continue;
			done++;
			inflight--;
			c->sent = c->received = 0;
			if (issued >= roundtrips) {
				close_conn(slot); /* its work is done; an idle connection must not report */
				continue;
			}
			if (send_rest(slot, msg, (size_t)msgsize) < 0 ||
			    (c->sent < (size_t)msgsize && watch(slot, EPOLLIN | EPOLLOUT) < 0)) {
				close_conn(slot);
				errors++;
				continue;
			}
			issued++;
			inflight++;
		}
	}
	t1 = now();
	for (i = 0; i < nconns; i++)
		close_conn(i);
	free(msg);
	free(buf);
	printf("mode=echo port=%d conns=%ld roundtrips=%ld done=%ld errors=%ld secs=%.4f rtt_per_s=%.0f msgsize=%ld timed_out=%d\n",
	    port, nconns, roundtrips, done, errors, t1 - t0, done / (t1 - t0), msgsize, timed_out);
	return errors == 0 && !timed_out && done == roundtrips ? 0 : 1;
}

int
main(int argc, char **argv)
{
	const char *usage =
	    "usage: loadgen conn PORT TOTAL CONCURRENCY MAX_SECONDS\n"
	    "       loadgen echo PORT CONNS ROUNDTRIPS MAX_SECONDS MSGSIZE\n";
	int port, conn_mode, nslots;
	long count, width, max_seconds;

	if (argc < 2 || (strcmp(argv[1], "conn") && strcmp(argv[1], "echo"))) {
		fputs(usage, stderr);
		return 2;
	}
	conn_mode = strcmp(argv[1], "conn") == 0;
	if (argc != (conn_mode ? 6 : 7)) {
		fputs(usage, stderr);
		return 2;
	}
	port = (int)parse_arg(argv[2], "PORT", 1, 65535);
	if (conn_mode) {
		count = parse_arg(argv[3], "TOTAL", 1, 10000000);
		width = parse_arg(argv[4], "CONCURRENCY", 1, 4096);
	} else {
		width = parse_arg(argv[3], "CONNS", 1, 4096);
		count = parse_arg(argv[4], "ROUNDTRIPS", 1, 100000000);
	}
	max_seconds = parse_arg(argv[5], "MAX_SECONDS", 1, 600);

	memset(&target, 0, sizeof(target));
	target.sin_family = AF_INET;
	target.sin_port = htons((uint16_t)port);
	target.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

	nslots = (int)width;
	conns = calloc((size_t)nslots, sizeof(*conns));
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (!conns || epfd < 0) {
		perror("loadgen setup");
		return 1;
	}
	for (int i = 0; i < nslots; i++)
		conns[i].fd = -1;

	if (conn_mode)
		return run_conn(port, count, width, (double)max_seconds);
	return run_echo(port, width, count, (double)max_seconds,
	    parse_arg(argv[6], "MSGSIZE", 1, 1 << 20));
}
