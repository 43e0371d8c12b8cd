// SPDX-License-Identifier: GPL-2.0
/*
 * zeroout: show BLKZEROOUT on a block device, for `make run`.
 *
 *   zeroout DEVICE OFFSET LENGTH
 *
 * Fills OFFSET - 1 MiB .. OFFSET + LENGTH + 1 MiB with a pattern, zeroes
 * OFFSET .. OFFSET + LENGTH with the BLKZEROOUT ioctl and reads everything
 * back: the range must read as zeroes and the margins must keep the pattern.
 * Prints what it did in plain words; exits 1 on any mismatch.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define MARGIN (1ULL << 20)
#define CHUNK (1ULL << 20)

static unsigned char pattern(uint64_t pos)
{
	return 0xa5 ^ (unsigned char)(pos >> 9);
}

/* Mark the trace so that the guest can count the bios of the ioctl alone. */
static void trace_mark(const char *what)
{
	int fd = open("/sys/kernel/tracing/trace_marker", O_WRONLY);

	if (fd >= 0) {
		if (write(fd, what, strlen(what)) < 0)
			perror("trace_marker");
		close(fd);
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	uint64_t off, len, start, end, pos, range[2], size, bad = 0;
	unsigned char *buf;
	double t0, t1;
	int fd;

	if (argc != 4) {
		fprintf(stderr, "usage: %s DEVICE OFFSET LENGTH\n", argv[0]);
		return 2;
	}
	off = strtoull(argv[2], NULL, 0);
	len = strtoull(argv[3], NULL, 0);
	fd = open(argv[1], O_RDWR | O_DIRECT);
	if (fd < 0 || ioctl(fd, BLKGETSIZE64, &size)) {
		perror(argv[1]);
		return 2;
	}
	start = off > MARGIN ? (off - MARGIN) & ~4095ULL : 0;
	end = (off + len + MARGIN + 4095) & ~4095ULL;
	if (end > size)
		end = size;
	if (posix_memalign((void **)&buf, 4096, CHUNK))
		return 2;

	for (pos = start; pos < end; pos += CHUNK) {
		uint64_t n = end - pos < CHUNK ? end - pos : CHUNK, i;

		for (i = 0; i < n; i++)
			buf[i] = pattern(pos + i);
		if (pwrite(fd, buf, n, pos) != (ssize_t)n) {
			perror("pwrite");
			return 2;
		}
	}

	range[0] = off;
	range[1] = len;
	trace_mark("zeroout-begin");
	t0 = now();
	if (ioctl(fd, BLKZEROOUT, range)) {
		printf("BLKZEROOUT %s offset %" PRIu64 " length %" PRIu64 ": %s\n",
		       argv[1], off, len, strerror(errno));
		return 1;
	}
	t1 = now();
	trace_mark("zeroout-end");
	printf("BLKZEROOUT %s: %" PRIu64 " bytes at offset %" PRIu64 " in %.1f ms (%.0f MiB/s, QEMU TCG)\n",
	       argv[1], len, off, (t1 - t0) * 1e3, len / (t1 - t0) / (1 << 20));

	for (pos = start; pos < end; pos += CHUNK) {
		uint64_t n = end - pos < CHUNK ? end - pos : CHUNK, i;

		if (pread(fd, buf, n, pos) != (ssize_t)n) {
			perror("pread");
			return 2;
		}
		for (i = 0; i < n; i++) {
			int inside = pos + i >= off && pos + i < off + len;
			unsigned char want = inside ? 0 : pattern(pos + i);

			if (buf[i] != want && bad++ < 5)
				printf("  byte %" PRIu64 " is %#x, expected %#x\n",
				       pos + i, buf[i], want);
		}
	}
	printf("read back %" PRIu64 " bytes: %s\n", end - start,
	       bad ? "MISMATCH" : "the range is all zeroes, the data around it is intact");
	return bad ? 1 : 0;
}
