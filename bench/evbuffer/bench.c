/*
 * evbuffer benchmark, C side: the same cases, inputs and counts as bench.ts, against libevent.
 *
 *   bench [-q] [case ...]
 *
 * Cases: add_drain_64, add_drain_4k, add_drain_64k (evbuffer_add then evbuffer_drain of one piece),
 * readln_crlf (evbuffer_readln of 100-byte CRLF lines), search_1m (evbuffer_search for "\r\n\r\n"
 * at the end of 1 MiB of such lines), add_buffer_chains (evbuffer_add_buffer of a 64-chain buffer
 * back and forth), remove_64 (evbuffer_add of 64 bytes, then evbuffer_remove of them into the
 * caller's memory), readln_lf (evbuffer_readln of 40-byte LF lines), add_printf
 * (evbuffer_add_printf of "%d %s %x\r\n", the buffer drained every 1024 lines), readln_one (one
 * 40-byte LF line added, then read, each time). Each case prints
 * one line per round: "<case> <operations per second>".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <event2/buffer.h>

#define ROUNDS 5

static double now(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int quick;
static long scale(long n) { return quick ? n / 10 : n; }

/* The same pseudo-random bytes as bench.ts: an LCG over lowercase letters. */
static void fill_letters(unsigned char *p, size_t n, unsigned *seed) {
	size_t i;
	for (i = 0; i < n; i++) {
		*seed = *seed * 1103515245u + 12345u;
		p[i] = 'a' + (*seed >> 16) % 26;
	}
}

/* nlines lines of len bytes each: letters from `seed`, then the end of line `eol` (bench.ts
 * makes the same lines). */
static unsigned char *make_lines_of(size_t nlines, size_t len, const char *eol, unsigned seed) {
	size_t eollen = strlen(eol), i;
	unsigned char *p = malloc(nlines * len);
	for (i = 0; i < nlines; i++) {
		fill_letters(p + i * len, len - eollen, &seed);
		memcpy(p + i * len + len - eollen, eol, eollen);
	}
	return p;
}

/* 100-byte lines: 98 letters and CRLF. */
static unsigned char *make_lines(size_t nlines) {
	return make_lines_of(nlines, 100, "\r\n", 1);
}

static double add_drain(size_t piece, long n) {
	unsigned char *data = malloc(piece);
	unsigned seed = 7;
	struct evbuffer *buf = evbuffer_new();
	double t0;
	long i;
	fill_letters(data, piece, &seed);
	t0 = now();
	for (i = 0; i < n; i++) {
		evbuffer_add(buf, data, piece);
		evbuffer_drain(buf, piece);
	}
	t0 = now() - t0;
	evbuffer_free(buf);
	free(data);
	return n / t0;
}

/* readln of every line of `lines` (nlines of linelen bytes, freed here), refilled until n are read. */
static double readln_run(unsigned char *lines, size_t nlines, size_t linelen,
    enum evbuffer_eol_style style, long n) {
	struct evbuffer *buf = evbuffer_new();
	double t = 0, t0;
	long done = 0;
	size_t len;
	char *line;
	while (done < n) {
		evbuffer_add(buf, lines, nlines * linelen);
		t0 = now();
		while ((line = evbuffer_readln(buf, &len, style)) != NULL) {
			free(line);
			done++;
		}
		t += now() - t0;
	}
	evbuffer_free(buf);
	free(lines);
	return done / t;
}

static double readln_crlf(long n) {
	return readln_run(make_lines(10000), 10000, 100, EVBUFFER_EOL_CRLF, n);
}

/* 40-byte lines: 39 letters and LF. */
static unsigned char *make_lf_lines(size_t nlines) {
	return make_lines_of(nlines, 40, "\n", 5);
}

static double readln_lf(long n) {
	return readln_run(make_lf_lines(10000), 10000, 40, EVBUFFER_EOL_LF, n);
}

/* One 40-byte LF line added, then read: a line at a time, as a line protocol's reads often come. */
static double readln_one(long n) {
	unsigned char *lines = make_lf_lines(10000);
	struct evbuffer *buf = evbuffer_new();
	double t0;
	long i;
	size_t len;
	char *line;
	t0 = now();
	for (i = 0; i < n; i++) {
		evbuffer_add(buf, lines + (i % 10000) * 40, 40);
		line = evbuffer_readln(buf, &len, EVBUFFER_EOL_LF);
		if (line == NULL || len != 39) exit(1);
		free(line);
	}
	t0 = now() - t0;
	evbuffer_free(buf);
	free(lines);
	return n / t0;
}

static double remove_64(long n) {
	unsigned char data[64], out[64];
	unsigned seed = 9;
	struct evbuffer *buf = evbuffer_new();
	double t0;
	long i;
	fill_letters(data, sizeof(data), &seed);
	t0 = now();
	for (i = 0; i < n; i++) {
		evbuffer_add(buf, data, 64);
		if (evbuffer_remove(buf, out, 64) != 64) exit(1);
	}
	t0 = now() - t0;
	if (memcmp(out, data, 64)) exit(1);
	evbuffer_free(buf);
	return n / t0;
}

static double add_printf(long n) {
	struct evbuffer *buf = evbuffer_new();
	double t0;
	long i;
	t0 = now();
	for (i = 0; i < n; i++) {
		evbuffer_add_printf(buf, "%d %s %x\r\n", (int)i, "keepalive", (unsigned)(i * 2654435761u));
		if ((i & 1023) == 1023) evbuffer_drain(buf, evbuffer_get_length(buf));
	}
	t0 = now() - t0;
	evbuffer_free(buf);
	return n / t0;
}

static double search_1m(long n) {
	const size_t nlines = 10486; /* 1 MiB and a little */
	unsigned char *lines = make_lines(nlines);
	struct evbuffer *buf = evbuffer_new();
	struct evbuffer_ptr p;
	double t0;
	long i;
	size_t off;
	for (off = 0; off < nlines * 100; off += 4096)
		evbuffer_add(buf, lines + off, nlines * 100 - off < 4096 ? nlines * 100 - off : 4096);
	evbuffer_add(buf, "\r\n", 2);
	t0 = now();
	for (i = 0; i < n; i++) {
		p = evbuffer_search(buf, "\r\n\r\n", 4, NULL);
		if (p.pos != (ev_ssize_t)(nlines * 100 - 2)) {
			fprintf(stderr, "search_1m: found at %ld\n", (long)p.pos);
			exit(1);
		}
	}
	t0 = now() - t0;
	evbuffer_free(buf);
	free(lines);
	return n / t0;
}

static double add_buffer_chains(long n) {
	struct evbuffer *a = evbuffer_new(), *b = evbuffer_new(), *tmp = evbuffer_new();
	unsigned char piece[1000];
	unsigned seed = 3;
	double t0;
	long i;
	int k;
	fill_letters(piece, sizeof(piece), &seed);
	for (k = 0; k < 64; k++) {
		evbuffer_add(tmp, piece, sizeof(piece));
		evbuffer_add_buffer(a, tmp);
	}
	t0 = now();
	for (i = 0; i < n; i += 2) {
		evbuffer_add_buffer(b, a);
		evbuffer_add_buffer(a, b);
	}
	t0 = now() - t0;
	if (evbuffer_get_length(a) != 64000) exit(1);
	evbuffer_free(a);
	evbuffer_free(b);
	evbuffer_free(tmp);
	return n / t0;
}

static double run_case(const char *name) {
	if (!strcmp(name, "add_drain_64")) return add_drain(64, scale(5000000));
	if (!strcmp(name, "add_drain_4k")) return add_drain(4096, scale(2000000));
	if (!strcmp(name, "add_drain_64k")) return add_drain(65536, scale(100000));
	if (!strcmp(name, "readln_crlf")) return readln_crlf(scale(2000000));
	if (!strcmp(name, "search_1m")) return search_1m(scale(1000));
	if (!strcmp(name, "add_buffer_chains")) return add_buffer_chains(scale(10000000));
	if (!strcmp(name, "remove_64")) return remove_64(scale(5000000));
	if (!strcmp(name, "readln_lf")) return readln_lf(scale(2000000));
	if (!strcmp(name, "add_printf")) return add_printf(scale(2000000));
	if (!strcmp(name, "readln_one")) return readln_one(scale(2000000));
	fprintf(stderr, "unknown case %s\n", name);
	exit(2);
}

int main(int argc, char **argv) {
	static const char *all[] = { "add_drain_64", "add_drain_4k", "add_drain_64k", "readln_crlf", "search_1m", "add_buffer_chains",
		"remove_64", "readln_lf", "add_printf", "readln_one" };
	const char **cases = all;
	int ncases = 10, i, r;
	if (argc > 1 && !strcmp(argv[1], "-q")) {
		quick = 1;
		argc--;
		argv++;
	}
	if (argc > 1) {
		cases = (const char **)argv + 1;
		ncases = argc - 1;
	}
	for (i = 0; i < ncases; i++)
		for (r = 0; r < ROUNDS; r++) {
			printf("%s %.0f\n", cases[i], run_case(cases[i]));
			fflush(stdout);
		}
	return 0;
}
