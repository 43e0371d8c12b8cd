// SPDX-License-Identifier: GPL-2.0
/*
 * srccache: does the size of the zero source matter to a copying driver?
 *
 * brd (and any driver that copies bio data with the CPU) copies a zeroout
 * bio page by page. With ZERO_PAGE the source is the same hot 4 KiB every
 * time; with a 2 MiB zero folio it walks 512 different pages. QEMU TCG has
 * no cache model, so this runs natively on the host: copy TOTAL MiB into a
 * destination of DEST MiB (brd's pages), 4 KiB at a time, from a source of
 * 4 KiB or 2 MiB, and print GiB/s of each, best of REPS.
 *
 *   srccache [TOTAL_MIB [DEST_MIB [REPS]]]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double run(char *dst, size_t dst_len, const char *src, size_t src_len,
		  size_t total)
{
	size_t d = 0, s = 0, done;
	double t = now();

	for (done = 0; done < total; done += 4096) {
		memcpy(dst + d, src + s, 4096);
		d = (d + 4096) % dst_len;
		s = (s + 4096) % src_len;
	}
	__asm__ volatile("" : : "r"(dst) : "memory");
	return total / (now() - t) / (1 << 30);
}

int main(int argc, char **argv)
{
	size_t total = (argc > 1 ? strtoull(argv[1], NULL, 0) : 4096) << 20;
	size_t dst_len = (argc > 2 ? strtoull(argv[2], NULL, 0) : 1024) << 20;
	int reps = argc > 3 ? atoi(argv[3]) : 5;
	size_t srcs[] = { 4096, 2 << 20 };
	char *dst = malloc(dst_len), *src = calloc(1, 2 << 20);
	int i, r;

	if (!dst || !src)
		return 1;
	memset(dst, 1, dst_len);
	for (i = 0; i < 2; i++) {
		double best = 0;

		for (r = 0; r < reps; r++) {
			double v = run(dst, dst_len, src, srcs[i], total);

			best = v > best ? v : best;
		}
		printf("source %7zu bytes: %.2f GiB/s (copying %zu MiB in 4 KiB pages into %zu MiB)\n",
		       srcs[i], best, total >> 20, dst_len >> 20);
	}
	return 0;
}
