#!/bin/sh
# The four configurations of libevent's test/test-ratelim.sh, run with examples/test-ratelim.ts:
# group limit only, connection limit only, both, and both with a group drain, each checked
# against libevent's tolerances. Prints OKAY or FAILED for each; exits 1 if one failed.
#
#   sh examples/test-ratelim.sh [EXTRA-ARGS...]
#
# EXTRA-ARGS are appended to every run (e.g. `-d 3` for shorter runs than the default 5 s).
# TEST_RATELIM is the command that runs the program (default: node with tsx on test-ratelim.ts
# next to this script); TEST_OUTPUT_FILE receives the programs' output (default: /dev/null).

FAILED=no

if test "x$TEST_OUTPUT_FILE" = "x"
then
	TEST_OUTPUT_FILE=/dev/null
fi

if test "$TEST_OUTPUT_FILE" != "/dev/null"
then
	touch "$TEST_OUTPUT_FILE" || exit 1
fi

if test "x$TEST_RATELIM" = "x"
then
	TEST_RATELIM="node --import tsx `dirname "$0"`/test-ratelim.ts"
fi

announce () {
	echo "$@"
	echo "$@" >>"$TEST_OUTPUT_FILE"
}

announce_n () {
	printf '%s' "$*"
	echo "$@" >>"$TEST_OUTPUT_FILE"
}

run () {
	# $TEST_RATELIM is split into words on purpose: it is a command and its arguments.
	$TEST_RATELIM "$@" >>"$TEST_OUTPUT_FILE"
}

run_tests () {
	announce_n "  Group limits, no connection limit:"
	if run -g 30000 -n 30 -t 100 --check-grouplimit 1000 --check-stddev 100 "$@"
	then
		announce OKAY
	else
		announce FAILED
		FAILED=yes
	fi

	announce_n "  Connection limit, no group limit:"
	if run -c 1000 -n 30 -t 100 --check-connlimit 50 --check-stddev 50 "$@"
	then
		announce OKAY
	else
		announce FAILED
		FAILED=yes
	fi

	announce_n "  Connection limit and group limit:"
	if run -c 1000 -g 30000 -n 30 -t 100 --check-grouplimit 1000 --check-connlimit 50 --check-stddev 50 "$@"
	then
		announce OKAY
	else
		announce FAILED
		FAILED=yes
	fi

	announce_n "  Connection limit and group limit with independent drain:"
	if run -c 1000 -g 35000 -n 30 -t 100 -G 500 --check-grouplimit 1000 --check-connlimit 50 --check-stddev 50 "$@"
	then
		announce OKAY
	else
		announce FAILED
		FAILED=yes
	fi
}

announce "Running rate-limiting tests:"

run_tests "$@"

if test "$FAILED" = "yes"; then
	exit 1
fi
