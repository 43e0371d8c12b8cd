// SPDX-License-Identifier: GPL-2.0
/*
 * stackcheck: zeroout through a block stack, checked against a reference.
 *
 *   stackcheck check DEV [BIG_MIB]
 *	Writes a pattern over the whole of DEV (every 512-byte sector
 *	different), zeroes ranges with BLKZEROOUT and with
 *	fallocate(FALLOC_FL_ZERO_RANGE) (one logical block, one page, across
 *	2 MiB, 2 MiB, BIG_MIB MiB (default 520) from an unaligned start,
 *	16 MiB, the end of the device), issues two bad requests that must fail with
 *	EINVAL, then reads the whole device back with O_DIRECT: every byte in
 *	a zeroed range must be zero and every other sector must still hold
 *	its pattern.
 *
 *   stackcheck zerofolio
 *	Read-faults a PMD-aligned 2 MiB of anonymous memory (THP) and prints
 *	"PMDZ-FOLIO pfn=P thp=T zero_page=Z all_zero=A": the PFN mapped there
 *	(the huge zero folio), its /proc/kpageflags THP and ZERO_PAGE bits and
 *	whether all 2 MiB read as zero. For the kexec, hibernation and NUMA
 *	checks, which compare it across a kexec or a resume.
 *
 *   stackcheck pageowner
 *	As zerofolio, then, with the mapping still held, reads the records of
 *	/sys/kernel/debug/page_owner (page_owner=on) for the folio's 512
 *	PFNs (the file offset is the PFN to start from) and prints
 *	"PMDZ-PAGEOWNER pfn=P records=R order0=Z order9=N mask0=M unmovable=U":
 *	how many records, of order 0 and 9, with no gfp mask, and in an
 *	unmovable pageblock. The first record is printed as notes.
 *
 *   stackcheck rate DEV MIB LIMIT
 *	fallocate(FALLOC_FL_ZERO_RANGE) of MIB MiB at the start of DEV while
 *	a thread reads the sectors written from /sys/block/<dev>/stat every
 *	100 ms; prints the largest number of bytes written in one interval
 *	(scaled to 100 ms) against LIMIT bytes/s. For cgroup io.max tests.
 *
 * Output is TAP ("ok N - ...", "not ok N - ..."), notes start with "# ".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define MIB		(1024ULL * 1024)
#define SECTOR		512ULL
#define CHUNK		(4 * MIB)
#define MAX_RANGES	8

struct range {
	uint64_t off, len;
	int use_ioctl;
	const char *what;
};

static int ntest;

static void tap(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tap(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", ok ? "" : "not ", ++ntest);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* The pattern of one 512-byte sector: never zero, different per sector. */
static void pattern(uint64_t *w, uint64_t sector)
{
	for (unsigned int i = 0; i < SECTOR / 8; i++)
		w[i] = 0xa5a5000000000000ULL | (sector << 6) | i;
}

static void *xbuf(size_t len)
{
	void *p;

	if (posix_memalign(&p, 4096, len)) {
		perror("posix_memalign");
		exit(2);
	}
	return p;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A line in the trace buffer, when tracefs is there. */
static void mark(const char *what)
{
	int fd = open("/sys/kernel/tracing/trace_marker", O_WRONLY);

	if (fd >= 0) {
		if (write(fd, what, strlen(what)) < 0)
			perror("trace_marker");
		close(fd);
	}
}

static int fill(int fd, uint64_t size)
{
	uint64_t *buf = xbuf(CHUNK);
	double t0 = now();

	for (uint64_t off = 0; off < size; off += CHUNK) {
		size_t len = size - off < CHUNK ? size - off : CHUNK;

		for (size_t s = 0; s < len; s += SECTOR)
			pattern(buf + s / 8, (off + s) / SECTOR);
		if (pwrite(fd, buf, len, off) != (ssize_t)len) {
			printf("# pattern write at %llu: %s\n",
			       (unsigned long long)off, strerror(errno));
			free(buf);
			return -1;
		}
	}
	free(buf);
	if (fsync(fd))
		return -1;
	printf("# pattern written: %llu MiB in %.1f s\n",
	       (unsigned long long)(size / MIB), now() - t0);
	return 0;
}

static int zero(int fd, const struct range *r)
{
	if (r->use_ioctl) {
		uint64_t arg[2] = { r->off, r->len };

		return ioctl(fd, BLKZEROOUT, arg) ? -errno : 0;
	}
	return fallocate(fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE,
			 r->off, r->len) ? -errno : 0;
}

static int in_ranges(uint64_t byte, const struct range *r, int n)
{
	for (int i = 0; i < n; i++)
		if (byte >= r[i].off && byte < r[i].off + r[i].len)
			return 1;
	return 0;
}

/* Read DEV back; count the sectors that differ from the reference. */
static uint64_t verify(int fd, uint64_t size, const struct range *r, int n)
{
	uint64_t *buf = xbuf(CHUNK), want[SECTOR / 8], bad = 0;
	static const uint64_t zeroes[SECTOR / 8];
	double t0 = now();

	for (uint64_t off = 0; off < size; off += CHUNK) {
		size_t len = size - off < CHUNK ? size - off : CHUNK;

		if (pread(fd, buf, len, off) != (ssize_t)len) {
			printf("# read back at %llu: %s\n",
			       (unsigned long long)off, strerror(errno));
			free(buf);
			return size / SECTOR;
		}
		for (size_t s = 0; s < len; s += SECTOR) {
			uint64_t at = off + s;
			int zeroed = in_ranges(at, r, n);
			const uint64_t *ref = zeroes;

			if (!zeroed) {
				pattern(want, at / SECTOR);
				ref = want;
			}
			if (!memcmp(buf + s / 8, ref, SECTOR))
				continue;
			if (bad++ < 5)
				printf("# sector %llu (byte %llu): %s expected, found %s\n",
				       (unsigned long long)(at / SECTOR),
				       (unsigned long long)at,
				       zeroed ? "zeroes" : "the pattern",
				       memcmp(buf + s / 8, zeroes, SECTOR) ?
				       "other data" : "zeroes");
		}
	}
	free(buf);
	printf("# read back: %llu MiB in %.1f s\n",
	       (unsigned long long)(size / MIB), now() - t0);
	return bad;
}

static int check(const char *dev, uint64_t big_mib)
{
	struct range r[MAX_RANGES];
	uint64_t size, lbs, bad;
	int fd, n = 0, lbs_int, err;

	fd = open(dev, O_RDWR | O_DIRECT);
	if (fd < 0 || ioctl(fd, BLKGETSIZE64, &size) || ioctl(fd, BLKSSZGET, &lbs_int)) {
		tap(0, "%s: open and size: %s", dev, strerror(errno));
		return 1;
	}
	lbs = lbs_int;
	if (size < (big_mib + 28) * MIB) {
		tap(0, "%s: %llu MiB is too small for a %llu MiB range", dev,
		    (unsigned long long)(size / MIB), (unsigned long long)big_mib);
		return 1;
	}
	printf("# %s: %llu bytes, logical block %llu\n", dev,
	       (unsigned long long)size, (unsigned long long)lbs);
	if (fill(fd, size)) {
		tap(0, "%s: pattern written", dev);
		return 1;
	}

	/*
	 * fallocate() zeroes without BLKDEV_ZERO_KILLABLE, BLKZEROOUT with
	 * it: the big range goes through the first, a 16 MiB one through the
	 * second.
	 */
	r[n++] = (struct range){ lbs, lbs, 1, "one logical block" };
	r[n++] = (struct range){ 3 * 4096, 4096, 0, "one page" };
	r[n++] = (struct range){ 2 * MIB - lbs, 2 * lbs, 1, "across 2 MiB" };
	r[n++] = (struct range){ 4 * MIB, 2 * MIB, 0, "2 MiB at 4 MiB" };
	r[n++] = (struct range){ 8 * MIB + lbs, big_mib * MIB + 3 * lbs, 0, "big, unaligned start" };
	r[n++] = (struct range){ (big_mib + 10) * MIB, 16 * MIB + lbs, 1, "16 MiB" };
	r[n++] = (struct range){ size - MIB - lbs, MIB + lbs, 1, "to the end of the device" };
	/* Markers for the host's trace reader: only the zeroouts' bios count. */
	mark("pmdz-zero-begin");
	for (int i = 0; i < n; i++) {
		double t0 = now();

		err = zero(fd, &r[i]);
		tap(!err, "%s: %s %s of %llu bytes at %llu%s%s (%.2f s)", dev,
		    r[i].use_ioctl ? "BLKZEROOUT" : "FALLOC_FL_ZERO_RANGE",
		    r[i].what, (unsigned long long)r[i].len,
		    (unsigned long long)r[i].off, err ? ": " : "",
		    err ? strerror(-err) : "", now() - t0);
	}

	/* Bad input: the kernel's usual EINVAL, and nothing written. */
	struct range past = { size - lbs, 2 * lbs, 1, "past the end" };
	struct range odd = { 1, lbs, 0, "at an unaligned offset" };

	err = zero(fd, &past);
	tap(err == -EINVAL, "%s: BLKZEROOUT past the end fails with EINVAL (got %s)",
	    dev, err ? strerror(-err) : "success");
	err = zero(fd, &odd);
	tap(err == -EINVAL, "%s: FALLOC_FL_ZERO_RANGE at byte 1 fails with EINVAL (got %s)",
	    dev, err ? strerror(-err) : "success");

	mark("pmdz-zero-end");
	bad = verify(fd, size, r, n);
	tap(!bad, "%s: read back: zero inside the ranges, the pattern outside (%llu sectors differ)",
	    dev, (unsigned long long)bad);
	close(fd);
	return !!bad;
}

struct sampler {
	char path[128];
	volatile int stop;
	double max_rate, t_end;
	uint64_t first, last;
};

static uint64_t sectors_written(const char *path)
{
	unsigned long long f[7] = { 0 };
	FILE *f_stat = fopen(path, "r");

	if (!f_stat)
		return 0;
	if (fscanf(f_stat, "%llu %llu %llu %llu %llu %llu %llu", &f[0], &f[1],
		   &f[2], &f[3], &f[4], &f[5], &f[6]) != 7)
		f[6] = 0;
	fclose(f_stat);
	return f[6];
}

static void *sample(void *arg)
{
	struct sampler *s = arg;
	uint64_t prev = sectors_written(s->path);
	double tprev = now();

	s->first = prev;
	while (!s->stop) {
		struct timespec ts = { 0, 100 * 1000 * 1000 };
		uint64_t cur;
		double t;

		nanosleep(&ts, NULL);
		cur = sectors_written(s->path);
		t = now();
		/* Bytes per second over this interval (at least 100 ms). */
		if ((cur - prev) * SECTOR / (t - tprev) > s->max_rate)
			s->max_rate = (cur - prev) * SECTOR / (t - tprev);
		prev = cur;
		tprev = t;
	}
	s->last = prev;
	return NULL;
}

static int rate(const char *dev, uint64_t mib, double limit)
{
	struct sampler s = { 0 };
	const char *name = strrchr(dev, '/') ? strrchr(dev, '/') + 1 : dev;
	struct range r = { 0, mib * MIB, 0, "" };
	pthread_t th;
	double t0, secs;
	int fd, err;

	snprintf(s.path, sizeof(s.path), "/sys/block/%s/stat", name);
	fd = open(dev, O_RDWR);
	if (fd < 0) {
		tap(0, "%s: open: %s", dev, strerror(errno));
		return 1;
	}
	pthread_create(&th, NULL, sample, &s);
	t0 = now();
	mark("pmdz-zero-begin");
	err = zero(fd, &r);
	mark("pmdz-zero-end");
	secs = now() - t0;
	s.stop = 1;
	pthread_join(th, NULL);
	close(fd);
	tap(!err, "%s: FALLOC_FL_ZERO_RANGE of %llu MiB under io.max wbps=%.0f%s%s (%.1f s)",
	    dev, (unsigned long long)mib, limit, err ? ": " : "",
	    err ? strerror(-err) : "", secs);
	printf("PMDZ-RATE dev=%s mib=%llu limit=%.0f secs=%.2f avg=%.0f max100ms=%.0f\n",
	       name, (unsigned long long)mib, limit, secs, mib * MIB / secs,
	       s.max_rate / 10);
	/*
	 * Within the limit: no 100 ms interval wrote more than three times
	 * what the limit allows in 100 ms plus one 1 MiB bio in flight (the
	 * unpatched kernel reaches ~1.9 times: blk-throttle dispatches per
	 * slice, and the sampling interval jitters); and the whole took at
	 * least 90% of the time the limit asks for.
	 */
	tap(s.max_rate / 10 <= 3 * limit / 10 + MIB,
	    "%s: at most %.0f bytes written in any 100 ms (limit %.0f per 100 ms; %.0f seen)",
	    dev, 3 * limit / 10 + MIB, limit / 10, s.max_rate / 10);
	tap(secs >= 0.9 * mib * MIB / limit,
	    "%s: the zeroout took %.1f s, at least 90%% of the %.1f s the limit asks for",
	    dev, secs, mib * MIB / limit);
	return err != 0;
}

static uint64_t zerofolio_pfn;

static int zerofolio(void)
{
	const uint64_t pmd = 2 * MIB;
	uint64_t ent = 0, flags = 0, pfn;
	static const char zeroes[4096];
	int fd, all_zero = 1;
	char *p, *a;

	p = mmap(NULL, 2 * pmd, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	a = (char *)(((uintptr_t)p + pmd - 1) & ~(uintptr_t)(pmd - 1));
	madvise(a, pmd, MADV_HUGEPAGE);
	for (uint64_t off = 0; off < pmd; off += sizeof(zeroes))
		if (memcmp(a + off, zeroes, sizeof(zeroes)))
			all_zero = 0;
	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0 || pread(fd, &ent, 8, (uintptr_t)a / 4096 * 8) != 8) {
		perror("pagemap");
		return 1;
	}
	close(fd);
	pfn = ent & ((1ULL << 55) - 1);
	fd = open("/proc/kpageflags", O_RDONLY);
	if (fd < 0 || pread(fd, &flags, 8, pfn * 8) != 8)
		flags = 0;
	if (fd >= 0)
		close(fd);
	zerofolio_pfn = pfn;
	/* KPF_THP is bit 22, KPF_ZERO_PAGE bit 24. */
	printf("PMDZ-FOLIO pfn=%llu thp=%d zero_page=%d all_zero=%d\n",
	       (unsigned long long)pfn, !!(flags & (1ULL << 22)),
	       !!(flags & (1ULL << 24)), all_zero);
	return 0;
}

static int pageowner(void)
{
	const char *path = "/sys/kernel/debug/page_owner";
	unsigned int records = 0, order0 = 0, order9 = 0, mask0 = 0, unmovable = 0;
	unsigned long long first, rpfn, block;
	unsigned int order, mask;
	char buf[4096], type[32], btype[32];
	char *l;
	ssize_t n;
	int fd;

	/* The mapping of zerofolio() stays until exit: the folio is mapped. */
	if (zerofolio())
		return 1;
	first = zerofolio_pfn;
	fd = open(path, O_RDONLY);
	if (fd < 0 || lseek(fd, first, SEEK_SET) < 0) {
		printf("# %s: %s\n", path, strerror(errno));
		return 1;
	}
	/* One record per read; the offset moves on to the next PFN. */
	while ((n = read(fd, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = 0;
		l = strstr(buf, "\nPFN ");
		if (sscanf(buf, "Page allocated via order %u, mask %x", &order, &mask) != 2 ||
		    !l || sscanf(l + 1, "PFN %llx type %31s Block %llu type %31s",
				 &rpfn, type, &block, btype) != 4) {
			printf("# unreadable record: %.200s\n", buf);
			return 1;
		}
		if (rpfn >= first + 512)
			break;
		if (!records)
			for (l = strtok(buf, "\n"); l; l = strtok(NULL, "\n"))
				printf("# %s\n", l);
		records++;
		order0 += order == 0;
		order9 += order == 9;
		mask0 += mask == 0;
		unmovable += !strcmp(btype, "Unmovable");
	}
	if (n < 0) {
		printf("# read %s after %u records: %s\n", path, records, strerror(errno));
		return 1;
	}
	close(fd);
	printf("PMDZ-PAGEOWNER pfn=%llu records=%u order0=%u order9=%u mask0=%u unmovable=%u\n",
	       first, records, order0, order9, mask0, unmovable);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "zerofolio"))
		return zerofolio();
	if (argc >= 3 && !strcmp(argv[1], "check"))
		return check(argv[2], argc > 3 ? strtoull(argv[3], NULL, 0) : 520);
	if (argc == 2 && !strcmp(argv[1], "pageowner"))
		return pageowner();
	if (argc == 5 && !strcmp(argv[1], "rate"))
		return rate(argv[2], strtoull(argv[3], NULL, 0), strtod(argv[4], NULL));
	fprintf(stderr, "usage: stackcheck check DEV [BIG_MIB] | rate DEV MIB LIMIT | zerofolio | pageowner\n");
	return 2;
}
