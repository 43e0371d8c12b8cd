// SPDX-License-Identifier: GPL-2.0
/*
 * Data checks for dm-kcopyd's zeroing (guest/dm_zero.sh): what a thin
 * volume or a snapshot reads back after the writes that make dm-thin zero
 * new blocks, or dm-snapshot zero exceptions.
 *
 *   dmzero fill DEV BYTE
 *	write BYTE (decimal) over all of DEV, so that a block the kernel
 *	should have zeroed and did not reads back non-zero.
 *   dmzero thin DEV SEED COUNT
 *	COUNT 4 KiB O_DIRECT writes at random 4 KiB-aligned offsets of DEV
 *	(a fresh thin volume); then read DEV back whole: each written block
 *	holds its pattern, every other byte is zero.
 *   dmzero prov DEV BLOCK SEED
 *	(make bench) one 4 KiB O_DIRECT write into every BLOCK bytes of DEV
 *	(a fresh thin volume with blocks of BLOCK), in a random order: each
 *	provisions a block, which the pool zeroes first. Prints the seconds
 *	it took (CLOCK_MONOTONIC).
 *   dmzero snap SNAP ORIGIN CHUNK BYTE SEED write|discard|check
 *	SNAP is a snapshot (chunk CHUNK bytes, discard_zeroes_cow) of
 *	ORIGIN, which holds BYTE everywhere. write: one 4 KiB block into
 *	every third chunk (exceptions); discard: whole chunks, one by one,
 *	every sixth (half of the exceptions) and the one after each (no
 *	exception there: nothing to zero); check: read both back: a
 *	discarded exception reads zero, an exception kept BYTE and its
 *	block, any other chunk BYTE; ORIGIN still BYTE everywhere.
 *
 * Prints "# ..." lines and one "ok"/"not ok" summary per check; exits 1 on
 * a mismatch, 2 on a setup error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define BLK 4096
#define RBUF (1 << 20)

static int failed;

static void die(const char *what, const char *dev)
{
	printf("# %s %s: %s\n", what, dev, strerror(errno));
	exit(2);
}

static int open_dev(const char *dev, uint64_t *size)
{
	int fd = open(dev, O_RDWR | O_DIRECT);

	if (fd < 0)
		die("open", dev);
	if (ioctl(fd, BLKGETSIZE64, size))
		die("BLKGETSIZE64", dev);
	return fd;
}

static void *xbuf(size_t len)
{
	void *p;

	if (posix_memalign(&p, BLK, len))
		exit(2);
	return p;
}

/* The pattern of the 4 KiB block at @off: no word of it is zero. */
static void pattern(uint64_t *p, uint64_t off, uint64_t seed)
{
	for (unsigned int i = 0; i < BLK / 8; i++)
		p[i] = (seed << 40) ^ (off + i * 8) ^ 0x8000000000000001ull;
}

static uint64_t rnd_state;

static uint64_t rnd(void)
{
	rnd_state = rnd_state * 6364136223846793005ull + 1442695040888963407ull;
	return rnd_state >> 17;
}

static void report(const char *name, uint64_t bad, uint64_t first)
{
	if (bad) {
		printf("# %s: %llu bad 4 KiB blocks, the first at byte %llu\n", name,
		       (unsigned long long)bad, (unsigned long long)first);
		printf("not ok - %s\n", name);
		failed = 1;
	} else {
		printf("ok - %s\n", name);
	}
}

/* Read @fd whole; @expect fills the 4 KiB block at the given offset. */
static void read_back(int fd, uint64_t size, const char *name,
		      void (*expect)(uint64_t off, void *want, void *arg), void *arg)
{
	unsigned char *buf = xbuf(RBUF), *want = xbuf(BLK);
	uint64_t off, bad = 0, first = 0;

	for (off = 0; off < size; off += RBUF) {
		size_t len = size - off < RBUF ? size - off : RBUF;

		if (pread(fd, buf, len, off) != (ssize_t)len)
			die("read", name);
		for (size_t b = 0; b < len; b += BLK) {
			expect(off + b, want, arg);
			if (memcmp(buf + b, want, BLK)) {
				if (!bad++)
					first = off + b;
			}
		}
	}
	report(name, bad, first);
	free(buf);
	free(want);
}

static int do_fill(const char *dev, int byte)
{
	uint64_t size, off;
	int fd = open_dev(dev, &size);
	unsigned char *buf = xbuf(RBUF);

	memset(buf, byte, RBUF);
	for (off = 0; off < size; off += RBUF) {
		size_t len = size - off < RBUF ? size - off : RBUF;

		if (pwrite(fd, buf, len, off) != (ssize_t)len)
			die("write", dev);
	}
	if (fsync(fd))
		die("fsync", dev);
	close(fd);
	return 0;
}

struct thin_ref {
	unsigned char *written;	/* one byte per 4 KiB block */
	uint64_t seed;
};

static void thin_expect(uint64_t off, void *want, void *arg)
{
	struct thin_ref *r = arg;

	if (r->written[off / BLK])
		pattern(want, off, r->seed);
	else
		memset(want, 0, BLK);
}

static int do_thin(const char *dev, uint64_t seed, unsigned int count)
{
	uint64_t size, nblk, distinct = 0;
	int fd = open_dev(dev, &size);
	struct thin_ref r = { .seed = seed };
	uint64_t *blk = xbuf(BLK);

	nblk = size / BLK;
	r.written = calloc(nblk, 1);
	rnd_state = seed;
	for (unsigned int i = 0; i < count; i++) {
		uint64_t b = rnd() % nblk;

		pattern(blk, b * BLK, seed);
		if (pwrite(fd, blk, BLK, b * BLK) != BLK)
			die("write", dev);
		distinct += !r.written[b];
		r.written[b] = 1;
	}
	if (fsync(fd))
		die("fsync", dev);
	printf("# %s: %u random 4 KiB writes (%llu distinct blocks) into %llu MiB\n",
	       dev, count, (unsigned long long)distinct,
	       (unsigned long long)(size >> 20));
	read_back(fd, size, "thin volume reads back its writes and zeroes elsewhere",
		  thin_expect, &r);
	close(fd);
	return failed;
}

struct snap_ref {
	uint64_t chunk, seed;
	int byte;
	int origin;	/* reading the origin: BYTE everywhere */
};

/* Chunk c holds an exception when c % 3 == 0; discarded when c % 6 == 0
 * (an exception) or c % 6 == 1 (no exception: nothing to zero). */
static void snap_expect(uint64_t off, void *want, void *arg)
{
	struct snap_ref *r = arg;
	uint64_t c = off / r->chunk;

	memset(want, r->byte, BLK);
	if (r->origin || c % 3)
		return;
	if (c % 6 == 0)
		memset(want, 0, BLK);
	else if (off % r->chunk == BLK)
		pattern(want, off, r->seed);
}

static int do_snap(const char *snap, const char *origin, uint64_t chunk,
		   int byte, uint64_t seed, const char *phase)
{
	uint64_t size, osize, c, n = 0;
	int fd = open_dev(snap, &size), ofd = open_dev(origin, &osize);
	struct snap_ref r = { .chunk = chunk, .seed = seed, .byte = byte };
	uint64_t *blk = xbuf(BLK);

	if (!strcmp(phase, "write")) {
		for (c = 0; c < size / chunk; c += 3, n++) {
			/* The second block of the chunk: the copy keeps the rest. */
			pattern(blk, c * chunk + BLK, seed);
			if (pwrite(fd, blk, BLK, c * chunk + BLK) != BLK)
				die("write", snap);
		}
		if (fsync(fd))
			die("fsync", snap);
		printf("# %s: %llu exceptions written, chunk %llu KiB\n", snap,
		       (unsigned long long)n, (unsigned long long)(chunk >> 10));
	} else if (!strcmp(phase, "discard")) {
		for (c = 0; c < size / chunk; c++) {
			uint64_t range[2] = { c * chunk, chunk };

			if (c % 6 > 1)
				continue;
			if (ioctl(fd, BLKDISCARD, range))
				die("BLKDISCARD", snap);
			n += c % 6 == 0;
		}
		printf("# %s: %llu exceptions discarded (zeroed)\n", snap,
		       (unsigned long long)n);
	} else {
		read_back(fd, size, "snapshot reads zeroes in discarded exceptions, its data elsewhere",
			  snap_expect, &r);
		r.origin = 1;
		read_back(ofd, osize, "origin is untouched", snap_expect, &r);
	}
	close(fd);
	close(ofd);
	return failed;
}

static int do_prov(const char *dev, uint64_t block, uint64_t seed)
{
	uint64_t size, nblk, i;
	int fd = open_dev(dev, &size);
	uint64_t *order, *blk = xbuf(BLK);
	struct timespec t0, t1;

	nblk = size / block;
	order = malloc(nblk * sizeof(*order));
	for (i = 0; i < nblk; i++)
		order[i] = i;
	rnd_state = seed;
	for (i = nblk - 1; i > 0; i--) {
		uint64_t j = rnd() % (i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < nblk; i++) {
		uint64_t off = order[i] * block + (rnd() % (block / BLK)) * BLK;

		pattern(blk, off, seed);
		if (pwrite(fd, blk, BLK, off) != BLK)
			die("write", dev);
	}
	if (fsync(fd))
		die("fsync", dev);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("writes=%llu secs=%.6f\n", (unsigned long long)nblk,
	       (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "prov"))
		return do_prov(argv[2], strtoull(argv[3], NULL, 0),
			       strtoull(argv[4], NULL, 0));
	if (argc == 4 && !strcmp(argv[1], "fill"))
		return do_fill(argv[2], atoi(argv[3]));
	if (argc == 5 && !strcmp(argv[1], "thin"))
		return do_thin(argv[2], strtoull(argv[3], NULL, 0), atoi(argv[4]));
	if (argc == 8 && !strcmp(argv[1], "snap"))
		return do_snap(argv[2], argv[3], strtoull(argv[4], NULL, 0),
			       atoi(argv[5]), strtoull(argv[6], NULL, 0), argv[7]);
	fprintf(stderr, "usage: dmzero fill DEV BYTE | thin DEV SEED COUNT | prov DEV BLOCK SEED |"
		" snap SNAP ORIGIN CHUNK BYTE SEED write|discard|check\n");
	return 2;
}
