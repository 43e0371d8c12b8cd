// SPDX-License-Identifier: GPL-2.0
/*
 * schedlat: how long can a zeroout keep a CPU from scheduling?
 *
 *   schedlat DEVICE MIB ROUNDS REPS
 *
 * REPS times: a child pinned to CPU 0 runs ROUNDS fallocate(
 * FALLOC_FL_ZERO_RANGE)s of the first MIB MiB of DEVICE (not killable, so
 * the block layer never checks for signals), while this process, pinned to
 * the same CPU and SCHED_OTHER, sleeps 1 ms at a time and records how late
 * each wake-up runs. On a kernel without preemption (preempt=none) the
 * sleeper only runs when the zeroing task reaches a scheduling point, so the
 * worst delay is the longest stretch the zeroout runs without one: on brd,
 * which copies every bio in the submitting task, that is one whole bio.
 * Prints "BENCH kind=schedlat rep=N max_us=... samples=...".
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/falloc.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int pin_cpu0(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

static int zero_rounds(const char *dev, off_t len, int rounds)
{
	int fd = open(dev, O_WRONLY);
	int i;

	if (fd < 0) {
		perror(dev);
		return 1;
	}
	for (i = 0; i < rounds; i++) {
		if (fallocate(fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, 0, len)) {
			perror("schedlat: fallocate");
			return 1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	const struct timespec ms = { 0, 1000000 };
	int rep, reps, rounds;
	off_t len;

	if (argc != 5) {
		fprintf(stderr, "usage: schedlat DEVICE MIB ROUNDS REPS\n");
		return 2;
	}
	len = (off_t)atoll(argv[2]) << 20;
	rounds = atoi(argv[3]);
	reps = atoi(argv[4]);
	if (pin_cpu0()) {
		perror("schedlat: sched_setaffinity");
		return 1;
	}
	for (rep = 1; rep <= reps; rep++) {
		int64_t worst = 0, samples = 0;
		int status;
		pid_t pid = fork();

		if (pid < 0) {
			perror("schedlat: fork");
			return 1;
		}
		if (!pid)
			_exit(zero_rounds(argv[1], len, rounds));
		while (waitpid(pid, &status, WNOHANG) == 0) {
			int64_t t = now_ns(), late;

			nanosleep(&ms, NULL);
			late = now_ns() - t - 1000000;
			if (late > worst)
				worst = late;
			samples++;
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "schedlat: the zeroing child failed\n");
			return 1;
		}
		printf("BENCH kind=schedlat dev=%s mib=%s rounds=%d rep=%d max_us=%lld samples=%lld\n",
		       argv[1], argv[2], rounds, rep, (long long)(worst / 1000),
		       (long long)samples);
		fflush(stdout);
	}
	return 0;
}
