// SPDX-License-Identifier: GPL-2.0
/*
 * srccache: does the size of the zero source matter to a copying driver?
 *
 * brd (and any driver that copies bio data with the CPU) copies a zeroout
 * bio page by page. With ZERO_PAGE the source is the same hot 4 KiB every
 * time; with bio_vecs of a larger zero folio it walks the first bio_vec-size
 * bytes of the folio again for every bio_vec. QEMU TCG has no cache model,
 * so this runs natively on the host: copy TOTAL MiB into a destination of
 * DEST MiB (brd's pages), 4 KiB at a time, from a source of 4, 16, 32, 64 KiB,
 * 256 KiB, 1 MiB and 2 MiB, and print GiB/s of each (best of REPS, the
 * sources interleaved in every rep) and its ratio to the 4 KiB source.
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

/* The CPU and its cache sizes, as the kernel reports them for CPU 0. */
static void print_cpu(void)
{
	char line[256], path[128];
	FILE *f = fopen("/proc/cpuinfo", "r");
	int i;

	while (f && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "model name", 10)) {
			printf("cpu: %s", strchr(line, ':') + 2);
			break;
		}
	}
	if (f)
		fclose(f);
	for (i = 0; i < 8; i++) {
		char level[16] = "", type[32] = "", size[32] = "";
		FILE *l, *t, *z;

		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu0/cache/index%d/level", i);
		l = fopen(path, "r");
		if (!l)
			break;
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu0/cache/index%d/type", i);
		t = fopen(path, "r");
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu0/cache/index%d/size", i);
		z = fopen(path, "r");
		if (fscanf(l, "%15s", level) == 1 && t && fscanf(t, "%31s", type) == 1 &&
		    z && fscanf(z, "%31s", size) == 1)
			printf("cache: L%s %s %s\n", level, type, size);
		fclose(l);
		if (t)
			fclose(t);
		if (z)
			fclose(z);
	}
}

int main(int argc, char **argv)
{
	size_t total = (argc > 1 ? strtoull(argv[1], NULL, 0) : 4096) << 20;
	size_t dst_len = (argc > 2 ? strtoull(argv[2], NULL, 0) : 1024) << 20;
	int reps = argc > 3 ? atoi(argv[3]) : 5;
	static const size_t srcs[] = { 4096, 16 << 10, 32 << 10, 64 << 10, 256 << 10, 1 << 20, 2 << 20 };
	enum { NR = sizeof(srcs) / sizeof(srcs[0]) };
	double best[NR] = { 0 };
	char *dst = malloc(dst_len), *src = calloc(1, 2 << 20);
	int i, r;

	if (!dst || !src)
		return 1;
	print_cpu();
	memset(dst, 1, dst_len);
	for (r = 0; r < reps; r++) {
		for (i = 0; i < NR; i++) {
			double v = run(dst, dst_len, src, srcs[i], total);

			best[i] = v > best[i] ? v : best[i];
		}
	}
	for (i = 0; i < NR; i++)
		printf("source %7zu bytes: %6.2f GiB/s  %.2fx of 4 KiB (copying %zu MiB in 4 KiB pages into %zu MiB, best of %d)\n",
		       srcs[i], best[i], best[i] / best[0], total >> 20, dst_len >> 20, reps);
	return 0;
}
