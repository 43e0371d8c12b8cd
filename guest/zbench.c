// SPDX-License-Identifier: GPL-2.0
/*
 * zbench: the in-guest half of `make bench`.
 *
 *   zbench memset MIB REPS
 *	Bandwidth of memset() over a MIB buffer: the ceiling for zeroing
 *	a RAM-backed device, which has to write every byte as well.
 *   zbench time NAME COMMAND [ARGS...]
 *	Run COMMAND and print its wall time as a "client" measurement.
 *   zbench zeroout|fzero DEVICE MIB REPS
 *	One warm-up, then REPS timed BLKZEROOUTs (zeroout) or
 *	fallocate(FALLOC_FL_ZERO_RANGE)s (fzero) of the first MIB MiB of
 *	DEVICE, untraced; then one more with tracing on, counting the bios
 *	(block:block_bio_queue), bio_vecs and their bytes (a return probe
 *	on bio_add_page(), which blkdev_issue_zeroout() calls once per
 *	segment, directly or through bio_add_folio()) and requests (the
 *	device's write I/O counter in /sys/block/NAME/stat, where it has one).
 *	BLKZEROOUT can be killed, so the kernel keeps its bios small;
 *	fallocate() cannot, and gets the large bios.
 *   zbench subdio FILE BLOCK_SIZE COUNT REPS
 *	REPS timed rounds, then one counted round, each of COUNT O_DIRECT
 *	writes of 4 KiB into a new FILE, one at the start of every
 *	BLOCK_SIZE block, so that iomap pads the other BLOCK_SIZE - 4 KiB of
 *	each new block with zeroes (iomap_dio_zero()).
 *   zbench unwritten FILE MIB STRIDE_KB REPS
 *	REPS timed rounds, then one counted round, each: a new FILE of MIB
 *	MiB preallocated with fallocate() (unwritten extents, on disk), then
 *	one buffered 4 KiB write every STRIDE_KB KiB and fsync(). On ext4
 *	mounted with dioread_lock, writeback converts the extents and zeroes
 *	the gaps up to extent_max_zeroout_kb with ext4_issue_zeroout().
 *   zbench kill DEVICE MIB DELAY_MS REPS
 *	REPS times: a child starts a BLKZEROOUT of the first MIB MiB of
 *	DEVICE (a bandwidth-limited one, so that it takes long), is sent
 *	SIGKILL DELAY_MS later, and the time until it is reaped is printed.
 *	A child that was not killed by the signal is an error.
 *
 * Prints one "BENCH key=value ..." line per measurement for the host.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <signal.h>
#include <linux/fs.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TRACE "/sys/kernel/tracing/"



static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double stime(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static int put(const char *file, const char *val, int flags)
{
	int fd = open(file, O_WRONLY | flags);
	int ret = -1;

	if (fd >= 0) {
		ret = write(fd, val, strlen(val)) == (ssize_t)strlen(val) ? 0 : -1;
		close(fd);
	}
	return ret;
}

/* Write I/Os completed, from /sys/block/NAME/stat; -1 when not counted. */
static long long write_ios(const char *name)
{
	char path[256];
	long long v[5] = { 0 };
	FILE *f;

	snprintf(path, sizeof(path), "/sys/block/%s/stat", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%lld %lld %lld %lld %lld", &v[0], &v[1], &v[2], &v[3], &v[4]) != 5)
		v[4] = -1;
	fclose(f);
	return v[4];
}

struct counts {
	long long bios, bvecs, bvec_bytes, max_bio_bytes;
};

/*
 * Trace the bios and bio_vecs this task builds until trace_end(). With
 * @entry, count every call of __bio_add_page() instead: iomap adds its
 * pages with it (directly or through bio_add_folio_nofail()), not with
 * bio_add_page().
 */
static void trace_begin(bool entry)
{
	put(TRACE "tracing_on", "0", 0);
	put(TRACE "buffer_size_kb", "65536", 0);
	/*
	 * bio_add_page() returns the bytes it added: 0 when the bio is full,
	 * after which the caller retries the same chunk in a new bio. Count
	 * the calls that added a bio_vec.
	 */
	if (entry)
		put(TRACE "kprobe_events", "p:pmdz/bvec __bio_add_page\n", O_APPEND);
	else
		put(TRACE "kprobe_events", "r:pmdz/bvec bio_add_page ret=$retval:u32\n",
		    O_APPEND);
	put(TRACE "events/block/block_bio_queue/enable", "1", 0);
	if (put(TRACE "events/pmdz/bvec/enable", "1", 0))
		fprintf(stderr, "zbench: no kprobe events, bio_vecs not counted\n");
	put(TRACE "trace", "", O_TRUNC);
	put(TRACE "tracing_on", "1", 0);
}

/* Count what this task queued to device DEV since trace_begin(). */
static void trace_end(dev_t dev, struct counts *c)
{
	char line[512] = "", needle[64], self[32];
	long long lost = 0;
	FILE *f;

	put(TRACE "tracing_on", "0", 0);
	memset(c, 0, sizeof(*c));
	snprintf(needle, sizeof(needle), "block_bio_queue: %u,%u ",
		 major(dev), minor(dev));
	/* The bios are built in this task: "comm-pid [cpu] ...". */
	snprintf(self, sizeof(self), "-%d ", getpid());
	f = fopen(TRACE "trace", "r");
	while (f && fgets(line, sizeof(line), f)) {
		if (strstr(line, "LOST"))
			lost++;
		if (!strstr(line, self))
			continue;
		if (strstr(line, needle)) {
			/* "block_bio_queue: MAJ,MIN RWBS SECTOR + NR_SECTORS [comm]" */
			char *plus = strstr(strstr(line, needle), " + ");
			long long bytes = plus ? strtoll(plus + 3, NULL, 10) * 512 : 0;

			c->bios++;
			if (bytes > c->max_bio_bytes)
				c->max_bio_bytes = bytes;
		} else if (strstr(line, " bvec: ")) {
			char *ret = strstr(line, "ret=");
			long long added = ret ? strtoll(ret + 4, NULL, 0) : 0;

			/* An entry probe has no ret=: every call is a bio_vec. */
			c->bvecs += !ret || added > 0;
			c->bvec_bytes += added;
		}
	}
	if (f)
		fclose(f);
	if (!f || lost)
		fprintf(stderr, "zbench: trace incomplete, counts are too low\n");
	put(TRACE "events/block/block_bio_queue/enable", "0", 0);
	put(TRACE "events/pmdz/bvec/enable", "0", 0);
	put(TRACE "kprobe_events", "-:pmdz/bvec\n", O_APPEND);
}

static bool use_fallocate;

static int zeroout(int fd, uint64_t len)
{
	uint64_t range[2] = { 0, len };

	if (use_fallocate) {
		if (fallocate(fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, 0, len)) {
			fprintf(stderr, "fallocate(FALLOC_FL_ZERO_RANGE): %s\n", strerror(errno));
			return -1;
		}
		return 0;
	}
	if (ioctl(fd, BLKZEROOUT, range)) {
		fprintf(stderr, "BLKZEROOUT: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

static int bench_kill(const char *dev, uint64_t mib, int delay_ms, int reps)
{
	const char *name = strrchr(dev, '/') + 1;
	int i, fd, status, pipefd[2];
	double t;
	pid_t pid;
	char c;

	fd = open(dev, O_RDWR);
	if (fd < 0) {
		perror(dev);
		return 1;
	}
	for (i = 1; i <= reps; i++) {
		if (pipe(pipefd))
			return 1;
		pid = fork();
		if (pid == 0) {
			close(pipefd[0]);
			if (write(pipefd[1], "x", 1) != 1)
				_exit(2);
			_exit(zeroout(fd, mib << 20) ? 1 : 0);
		}
		close(pipefd[1]);
		if (pid < 0 || read(pipefd[0], &c, 1) != 1)
			return 1;
		close(pipefd[0]);
		usleep(delay_ms * 1000);
		t = now();
		kill(pid, SIGKILL);
		if (waitpid(pid, &status, 0) != pid)
			return 1;
		t = now() - t;
		if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) {
			fprintf(stderr, "zbench: the zeroout of %s ended before SIGKILL (status %#x): make it longer\n",
				dev, status);
			return 1;
		}
		printf("BENCH kind=kill dev=%s mib=%llu delay_ms=%d rep=%d secs=%.6f\n",
		       name, (unsigned long long)mib, delay_ms, i, t);
		fflush(stdout);
	}
	close(fd);
	return 0;
}

static int bench_zeroout(const char *dev, uint64_t mib, int reps)
{
	const char *name = strrchr(dev, '/') + 1;
	uint64_t len = mib << 20;
	struct counts c;
	long long ios0, ios1;
	struct stat st;
	double t, s;
	int fd, i;

	fd = open(dev, O_RDWR);
	if (fd < 0 || fstat(fd, &st)) {
		perror(dev);
		return 1;
	}
	if (zeroout(fd, len))	/* warm-up */
		return 1;
	for (i = 1; i <= reps; i++) {
		t = now();
		s = stime();
		if (zeroout(fd, len))
			return 1;
		t = now() - t;
		s = stime() - s;
		printf("BENCH kind=%s dev=%s mib=%llu rep=%d secs=%.6f stime=%.6f\n",
		       use_fallocate ? "fzero" : "zeroout", name,
		       (unsigned long long)mib, i, t, s);
		fflush(stdout);
	}

	/* One counted run, with tracing on (and therefore not timed). */
	ios0 = write_ios(name);
	trace_begin(false);
	if (zeroout(fd, len))
		return 1;
	trace_end(st.st_rdev, &c);
	ios1 = write_ios(name);
	printf("BENCH kind=counts%s dev=%s mib=%llu bios=%lld bvecs=%lld bvec_bytes=%lld requests=%lld max_bio_bytes=%lld\n",
	       use_fallocate ? "-fzero" : "", name, (unsigned long long)mib,
	       c.bios, c.bvecs, c.bvec_bytes,
	       ios0 < 0 ? -1 : ios1 - ios0, c.max_bio_bytes);
	close(fd);
	return 0;
}

static int subdio_round(const char *file, long bs, int count, double *secs,
			dev_t *dev)
{
	struct stat st;
	void *buf;
	int fd, i;
	double t;

	unlink(file);
	fd = open(file, O_RDWR | O_CREAT | O_TRUNC | O_DIRECT, 0644);
	if (fd < 0 || fstat(fd, &st)) {
		perror(file);
		return -1;
	}
	*dev = st.st_dev;
	if (posix_memalign(&buf, 4096, 4096))
		return -1;
	memset(buf, 0xa5, 4096);
	t = now();
	for (i = 0; i < count; i++) {
		if (pwrite(fd, buf, 4096, (off_t)i * bs) != 4096) {
			perror("zbench: O_DIRECT pwrite");
			return -1;
		}
	}
	*secs = now() - t;
	free(buf);
	close(fd);
	return 0;
}

static int bench_subdio(const char *file, long bs, int count, int reps)
{
	struct counts c;
	double t;
	dev_t dev;
	int i;

	for (i = 1; i <= reps; i++) {
		if (subdio_round(file, bs, count, &t, &dev))
			return 1;
		printf("BENCH kind=subdio bs=%ld count=%d rep=%d secs=%.6f\n",
		       bs, count, i, t);
		fflush(stdout);
	}
	trace_begin(true);
	if (subdio_round(file, bs, count, &t, &dev))
		return 1;
	trace_end(dev, &c);
	printf("BENCH kind=counts-subdio bs=%ld count=%d bios=%lld bvecs=%lld\n",
	       bs, count, c.bios, c.bvecs);
	unlink(file);
	return 0;
}

static int unwritten_round(const char *file, uint64_t mib, long stride, double *secs,
			   dev_t *dev)
{
	char buf[4096];
	struct stat st;
	off_t off;
	int fd;
	double t;

	unlink(file);
	fd = open(file, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || fstat(fd, &st) || fallocate(fd, 0, 0, mib << 20) || fsync(fd)) {
		perror(file);
		return -1;
	}
	*dev = st.st_dev;
	memset(buf, 0xa5, sizeof(buf));
	t = now();
	for (off = 0; off < (off_t)(mib << 20); off += stride) {
		if (pwrite(fd, buf, sizeof(buf), off) != sizeof(buf)) {
			perror("zbench: pwrite");
			return -1;
		}
	}
	if (fsync(fd)) {
		perror("zbench: fsync");
		return -1;
	}
	*secs = now() - t;
	close(fd);
	return 0;
}

static int bench_unwritten(const char *file, uint64_t mib, long stride_kb, int reps)
{
	long stride = stride_kb << 10;
	struct counts c;
	double t;
	dev_t dev;
	int i;

	for (i = 1; i <= reps; i++) {
		if (unwritten_round(file, mib, stride, &t, &dev))
			return 1;
		printf("BENCH kind=unwritten mib=%llu stride_kb=%ld rep=%d secs=%.6f\n",
		       (unsigned long long)mib, stride_kb, i, t);
		fflush(stdout);
	}
	trace_begin(false);
	if (unwritten_round(file, mib, stride, &t, &dev))
		return 1;
	trace_end(dev, &c);
	printf("BENCH kind=counts-unwritten mib=%llu stride_kb=%ld writes=%llu bios=%lld bvecs=%lld max_bio_bytes=%lld\n",
	       (unsigned long long)mib, stride_kb,
	       (unsigned long long)((mib << 20) / stride), c.bios, c.bvecs,
	       c.max_bio_bytes);
	unlink(file);
	return 0;
}

static int bench_memset(uint64_t mib, int reps)
{
	size_t len = mib << 20;
	char *buf = malloc(len);
	double t;
	int i;

	if (!buf)
		return 1;
	memset(buf, 1, len);	/* fault it in */
	for (i = 1; i <= reps; i++) {
		t = now();
		memset(buf, 0, len);
		t = now() - t;
		/* Keep the compiler from dropping the memset. */
		__asm__ volatile("" : : "r"(buf) : "memory");
		printf("BENCH kind=memset mib=%llu rep=%d secs=%.6f\n",
		       (unsigned long long)mib, i, t);
	}
	free(buf);
	return 0;
}

static int time_command(const char *name, char **argv)
{
	double t = now();
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		execvp(argv[0], argv);
		perror(argv[0]);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 1;
	t = now() - t;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "%s: %s failed\n", name, argv[0]);
		return 1;
	}
	printf("BENCH kind=client name=%s secs=%.6f\n", name, t);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "memset"))
		return bench_memset(strtoull(argv[2], NULL, 0), atoi(argv[3]));
	if (argc >= 4 && !strcmp(argv[1], "time"))
		return time_command(argv[2], argv + 3);
	if (argc == 5 && !strcmp(argv[1], "zeroout"))
		return bench_zeroout(argv[2], strtoull(argv[3], NULL, 0), atoi(argv[4]));
	if (argc == 5 && !strcmp(argv[1], "fzero")) {
		use_fallocate = true;
		return bench_zeroout(argv[2], strtoull(argv[3], NULL, 0), atoi(argv[4]));
	}
	if (argc == 6 && !strcmp(argv[1], "subdio"))
		return bench_subdio(argv[2], strtol(argv[3], NULL, 0), atoi(argv[4]),
				    atoi(argv[5]));
	if (argc == 6 && !strcmp(argv[1], "unwritten"))
		return bench_unwritten(argv[2], strtoull(argv[3], NULL, 0),
				       strtol(argv[4], NULL, 0), atoi(argv[5]));
	if (argc == 6 && !strcmp(argv[1], "kill"))
		return bench_kill(argv[2], strtoull(argv[3], NULL, 0), atoi(argv[4]),
				  atoi(argv[5]));
	fprintf(stderr, "usage: %s memset MIB REPS | zeroout|fzero DEVICE MIB REPS |\n"
		"       subdio FILE BLOCK_SIZE COUNT REPS | unwritten FILE MIB STRIDE_KB REPS |\n"
		"       kill DEVICE MIB DELAY_MS REPS | time NAME CMD...\n", argv[0]);
	return 2;
}
