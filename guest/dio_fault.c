// SPDX-License-Identifier: GPL-2.0
/*
 * dio_fault: an O_DIRECT write whose user buffer faults part-way, into a
 * sub-block range of a fresh sparse file, so that iomap writes part of the
 * data, pads the block and stops at the fault.
 *
 *   dio_fault FILE BLOCK_SIZE
 *
 * The write is 8 KiB at offset 512 (a whole block lies beyond it when the
 * block is 16 KiB or more); the buffer's second page is PROT_NONE. What the
 * kernel may answer: -1 with EFAULT, or a short count N, in which case the N
 * bytes from offset 512 must read back as written. Reporting all 8 KiB is
 * wrong, and so is a short count whose data is not there (6.12.117 lost the
 * EFAULT to the tail padding and returned the count of the bytes that a
 * later pad zeroed again). Whatever the answer, every byte outside the
 * write's range must still read as zero: the file was a hole there.
 *
 * Prints what happened as '#' lines; exit status 0 when it is allowed, 1
 * when not, 2 on setup errors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096
#define OFFSET 512
#define LEN (2 * PAGE)

static unsigned char pattern(uint64_t i)
{
	unsigned char c = 0xa5 ^ (unsigned char)(i / 3);

	return c ? c : 0x11;
}

int main(int argc, char **argv)
{
	uint64_t bs, size, i, outside = 0, lost = 0;
	unsigned char *buf, *file;
	ssize_t ret;
	int fd, err;

	if (argc != 3) {
		fprintf(stderr, "usage: %s FILE BLOCK_SIZE\n", argv[0]);
		return 2;
	}
	bs = strtoull(argv[2], NULL, 0);
	size = (bs > LEN ? bs : LEN) * 2;

	/* Two pages: the first holds the data, the second faults. */
	buf = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	file = malloc(size);
	if (buf == MAP_FAILED || !file || mprotect(buf + PAGE, PAGE, PROT_NONE)) {
		perror("buffer");
		return 2;
	}
	for (i = 0; i < PAGE; i++)
		buf[i] = pattern(i);

	fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC | O_DIRECT, 0644);
	if (fd < 0 || ftruncate(fd, size)) {
		perror(argv[1]);
		return 2;
	}
	ret = pwrite(fd, buf, LEN, OFFSET);
	err = errno;
	if (fsync(fd)) {
		perror("fsync");
		return 2;
	}
	close(fd);

	/* Read it all back through the page cache, after dropping it. */
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) ||
	    pread(fd, file, size, 0) != (ssize_t)size) {
		perror("read back");
		return 2;
	}
	close(fd);

	for (i = 0; i < size; i++) {
		if (i >= OFFSET && i < OFFSET + LEN)
			continue;
		if (file[i] && outside++ < 3)
			printf("# byte %llu outside the write is %#x\n", (unsigned long long)i, file[i]);
	}
	if (ret > 0) {
		for (i = 0; i < (uint64_t)ret && i < PAGE; i++)
			if (file[OFFSET + i] != pattern(i) && lost++ < 3)
				printf("# byte %llu of the %zd reported written is %#x, expected %#x\n",
				       (unsigned long long)(OFFSET + i), ret, file[OFFSET + i], pattern(i));
	}

	if (ret < 0)
		printf("# %llu-byte blocks: pwrite of %d bytes at %d returned -1, %s\n",
		       (unsigned long long)bs, LEN, OFFSET, strerror(err));
	else
		printf("# %llu-byte blocks: pwrite of %d bytes at %d returned %zd%s\n",
		       (unsigned long long)bs, LEN, OFFSET, ret,
		       ret > 0 ? (lost ? ", data NOT there" : ", data there") : "");
	if (outside)
		printf("# %llu bytes outside the write's range are not zero\n",
		       (unsigned long long)outside);

	if (ret < 0 && err != EFAULT)
		return 1;
	if (ret == 0)
		return 1;	/* nothing written must be an error, not 0 */
	if (ret == LEN || ret > PAGE)
		return 1;	/* more than the readable page reported written */
	return lost || outside ? 1 : 0;
}
