// SPDX-License-Identifier: GPL-2.0
/*
 * dio_zero: direct I/O writes smaller than a filesystem block into holes,
 * which makes iomap pad the rest of each new block with zeroes through
 * iomap_dio_zero(). Then read the whole file back through the page cache
 * and check that the written bytes are there and every other byte is zero.
 *
 *   dio_zero FILE BLOCK_SIZE [IO_SIZE]
 *
 * IO_SIZE (default 4096) is the size of each write, a multiple of 512: with
 * 512 the writes sit at 512-byte offsets inside a page, so that the padding
 * before and after them starts or ends in the middle of a page (the device
 * must have 512-byte logical blocks).
 *
 * With DIO_ZERO_TRACE=1 in the environment, tracing is switched on
 * (/sys/kernel/tracing/tracing_on) for the writes and their fsync only, so
 * that a trace of the padding holds nothing of the read back.
 *
 * Exit status 0 when the data is right, 1 when it is not, 2 on setup errors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_IO_SIZE 4096
#define TRACING_ON "/sys/kernel/tracing/tracing_on"

/* Switch tracing on or off if DIO_ZERO_TRACE=1. */
static void trace(const char *on)
{
	const char *want = getenv("DIO_ZERO_TRACE");
	int fd;

	if (!want || strcmp(want, "1"))
		return;
	fd = open(TRACING_ON, O_WRONLY);
	if (fd < 0 || write(fd, on, 1) != 1)
		perror(TRACING_ON);
	if (fd >= 0)
		close(fd);
}
#define NR_BLOCKS 8

/* Never zero, so that a missing write cannot pass for padding. */
static unsigned char pattern(uint64_t pos)
{
	unsigned char c = 0x5a ^ (unsigned char)(pos / 7);

	return c ? c : 0xff;
}

int main(int argc, char **argv)
{
	uint64_t bs, size, pos, i, bad = 0, io_size = MAX_IO_SIZE;
	unsigned char *io, *file;
	int fd;

	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: %s FILE BLOCK_SIZE [IO_SIZE]\n", argv[0]);
		return 2;
	}
	bs = strtoull(argv[2], NULL, 0);
	if (argc == 4)
		io_size = strtoull(argv[3], NULL, 0);
	if (!io_size || io_size % 512 || io_size > MAX_IO_SIZE) {
		fprintf(stderr, "IO_SIZE must be a multiple of 512 up to %d\n", MAX_IO_SIZE);
		return 2;
	}
	if (bs < MAX_IO_SIZE || bs % MAX_IO_SIZE) {
		fprintf(stderr, "block size must be a multiple of %d\n", MAX_IO_SIZE);
		return 2;
	}
	size = bs * NR_BLOCKS;
	if (posix_memalign((void **)&io, MAX_IO_SIZE, MAX_IO_SIZE) || !(file = calloc(1, size))) {
		fprintf(stderr, "out of memory\n");
		return 2;
	}

	fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC | O_DIRECT, 0644);
	if (fd < 0 || ftruncate(fd, size)) {
		perror(argv[1]);
		return 2;
	}
	trace("1");
	/*
	 * One write per block, at a different place in each: at the start,
	 * in the middle and at the end of a block, so that iomap has to zero
	 * the part before, after, or on both sides of it.
	 */
	for (i = 0; i < NR_BLOCKS; i++) {
		uint64_t blocks_io = bs / io_size;

		pos = i * bs + (i % blocks_io) * io_size;
		if (i == NR_BLOCKS - 1)
			pos = i * bs + bs - io_size;
		for (uint64_t j = 0; j < io_size; j++)
			io[j] = file[pos + j] = pattern(pos + j);
		if (pwrite(fd, io, io_size, pos) != (ssize_t)io_size) {
			perror("O_DIRECT pwrite");
			return 2;
		}
	}
	if (fsync(fd)) {
		perror("fsync");
		return 2;
	}
	trace("0");
	close(fd);

	/* Read back through the page cache, after dropping it. */
	fd = open(argv[1], O_RDONLY);
	if (fd < 0) {
		perror(argv[1]);
		return 2;
	}
	errno = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	if (errno) {
		perror("posix_fadvise");
		return 2;
	}
	for (pos = 0; pos < size; pos += MAX_IO_SIZE) {
		if (pread(fd, io, MAX_IO_SIZE, pos) != MAX_IO_SIZE) {
			perror("pread");
			return 2;
		}
		for (i = 0; i < MAX_IO_SIZE; i++) {
			if (io[i] != file[pos + i] && bad++ < 5)
				printf("# byte %llu is %#x, expected %#x\n",
				       (unsigned long long)(pos + i), io[i], file[pos + i]);
		}
	}
	close(fd);
	printf("# %s: %d sub-block direct writes of %llu bytes in %llu-byte blocks: %s\n",
	       argv[1], NR_BLOCKS, (unsigned long long)io_size, (unsigned long long)bs,
	       bad ? "WRONG DATA" : "data and zero padding read back");
	return bad ? 1 : 0;
}
