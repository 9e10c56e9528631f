/*
 * Dispatch benchmark: the method of libevent's test/bench.c.
 *
 * num_pipes AF_UNIX socketpairs, one persistent EV_READ event on each. A run writes one byte into
 * num_active pairs spread evenly over all of them; every read callback reads its byte and, while
 * writes remain, writes one byte into the next pair, so num_writes bytes travel the ring. The time
 * of the loop `event_base_loop(EVLOOP_ONCE | EVLOOP_NONBLOCK)` until every byte written has been
 * read is the cost of activating a few events among many idle ones. 25 runs, one line of
 * microseconds each.
 *
 * bench [-n num_pipes] [-a num_active] [-w num_writes] [-m method] [-l]
 *
 * bench.ts is this program ported statement by statement to libevent-ts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <event2/event.h>
#include <event2/event_struct.h>
#include <event2/util.h>

/* A run that has not seen all its bytes after this long is broken: stop instead of spinning. */
#define RUN_LIMIT_SEC 30

static long count, fired;
static int writes, failures;
static evutil_socket_t *pipes;
static int num_pipes, num_active, num_writes;
static struct event *events;
static struct event_base *base;

static void
read_cb(evutil_socket_t fd, short which, void *arg)
{
	long idx = (long)arg, widx = idx + 1;
	unsigned char ch;
	long n;

	n = read(fd, &ch, sizeof(ch));
	if (n >= 0)
		count += n;
	else
		failures++;
	if (writes) {
		if (widx >= num_pipes)
			widx -= num_pipes;
		n = write(pipes[2 * widx + 1], "e", 1);
		if (n != 1)
			failures++;
		writes--;
		fired++;
	}
}

static struct timeval *
run_once(void)
{
	static struct timeval ts, te;
	evutil_socket_t *cp;
	int space;
	long i;
	long xcount = 0;

	for (cp = pipes, i = 0; i < num_pipes; i++, cp += 2) {
		if (event_initialized(&events[i]))
			event_del(&events[i]);
		event_assign(&events[i], base, cp[0], EV_READ | EV_PERSIST, read_cb, (void *)i);
		event_add(&events[i], NULL);
	}

	event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);

	fired = 0;
	space = num_pipes / num_active;
	space = space * 2;
	for (i = 0; i < num_active; i++, fired++)
		(void)write(pipes[i * space + 1], "e", 1);

	count = 0;
	writes = num_writes;
	evutil_gettimeofday(&ts, NULL);
	do {
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		xcount++;
		if ((xcount & 1023) == 0) {
			evutil_gettimeofday(&te, NULL);
			if (te.tv_sec - ts.tv_sec > RUN_LIMIT_SEC) {
				fprintf(stderr, "run did not finish in %d s: count %ld, fired %ld\n",
				    RUN_LIMIT_SEC, count, fired);
				return NULL;
			}
		}
	} while (count != fired);
	evutil_gettimeofday(&te, NULL);

	if (xcount != count)
		fprintf(stderr, "Xcount: %ld, Rcount: %ld\n", xcount, count);

	evutil_timersub(&te, &ts, &te);
	return &te;
}

int
main(int argc, char **argv)
{
	struct rlimit rl;
	struct event_config *cfg;
	const char **methods;
	const char *method = NULL;
	struct timeval *tv;
	evutil_socket_t *cp;
	int i, c;

	num_pipes = 100;
	num_active = 1;
	num_writes = num_pipes;
	while ((c = getopt(argc, argv, "n:a:w:m:l")) != -1) {
		switch (c) {
		case 'n':
			num_pipes = atoi(optarg);
			break;
		case 'a':
			num_active = atoi(optarg);
			break;
		case 'w':
			num_writes = atoi(optarg);
			break;
		case 'm':
			method = optarg;
			break;
		case 'l':
			methods = event_get_supported_methods();
			printf("Using Libevent %s. Available methods are:\n", event_get_version());
			for (i = 0; methods[i] != NULL; i++)
				printf("    %s\n", methods[i]);
			return 0;
		default:
			fprintf(stderr, "Illegal argument \"%c\"\n", c);
			return 1;
		}
	}
	if (num_pipes < 1 || num_active < 1 || num_active > num_pipes || num_writes < 0) {
		fprintf(stderr, "need 1 <= num_active <= num_pipes and num_writes >= 0\n");
		return 1;
	}

	rl.rlim_cur = rl.rlim_max = num_pipes * 2 + 50;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1) {
		perror("setrlimit");
		return 1;
	}

	events = calloc(num_pipes, sizeof(struct event));
	pipes = calloc(num_pipes * 2, sizeof(evutil_socket_t));
	if (events == NULL || pipes == NULL) {
		perror("malloc");
		return 1;
	}

	if (method != NULL) {
		cfg = event_config_new();
		methods = event_get_supported_methods();
		for (i = 0; methods[i] != NULL; i++)
			if (strcmp(methods[i], method))
				event_config_avoid_method(cfg, methods[i]);
		base = event_base_new_with_config(cfg);
		event_config_free(cfg);
	} else {
		base = event_base_new();
	}
	if (base == NULL) {
		fprintf(stderr, "no event base for method %s\n", method ? method : "(default)");
		return 1;
	}

	for (cp = pipes, i = 0; i < num_pipes; i++, cp += 2) {
		if (evutil_socketpair(AF_UNIX, SOCK_STREAM, 0, cp) == -1) {
			perror("socketpair");
			return 1;
		}
	}

	for (i = 0; i < 25; i++) {
		tv = run_once();
		if (tv == NULL)
			return 1;
		printf("%ld\n", tv->tv_sec * 1000000L + tv->tv_usec);
	}
	if (failures)
		fprintf(stderr, "%d failed reads or writes\n", failures);

	return failures ? 1 : 0;
}
