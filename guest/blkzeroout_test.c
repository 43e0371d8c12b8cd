// SPDX-License-Identifier: GPL-2.0
/*
 * blkzeroout_test - the zeroing fallback of the block layer
 *
 * BLKZEROOUT and fallocate(FALLOC_FL_ZERO_RANGE) on a block device end up in
 * blkdev_issue_zeroout(). When the device has no write-zeroes offload
 * (queue/write_zeroes_max_bytes is 0) the block layer writes zeroes itself in
 * __blkdev_issue_zero_pages(). With CONFIG_STATIC_PMD_ZERO_PAGE=y every
 * bio_vec there covers up to 2 MiB of a zero folio reserved at boot, which is
 * also the THP huge zero folio, instead of one 4 KiB ZERO_PAGE.
 *
 * For brd, null_blk, virtio-blk and loop devices, the first part of the device
 * (the "test area") is filled with a pattern that depends on the offset and
 * kept in an in-memory shadow copy. The tests then check that:
 *  - zeroing ranges of every shape (sub-page, one PMD-sized chunk, a sector
 *    less or more than that, several chunks, the whole area, random ranges)
 *    zeroes exactly the requested bytes and nothing else;
 *  - fallocate() zeroes or refuses exactly as block/fops.c says;
 *  - invalid requests fail with the errno block/ioctl.c gives and change
 *    nothing;
 *  - concurrent, killed and memory-pressured zeroing leave the device
 *    consistent, with no write landing after its issuer is gone; on a
 *    bandwidth-limited null_blk, SIGKILL stops a zeroout before its end.
 * A separate test, not tied to one device, checks that the huge zero folio
 * seen through the page tables stays one and the same all-zero folio while
 * the block layer zeroes with it, user space copies-on-write from it and
 * memory is reclaimed. The harness runs it before the fixture tests, so it
 * does its own BLKZEROOUT and reclaim.
 *
 * The test passes with and without CONFIG_STATIC_PMD_ZERO_PAGE.
 *
 * The test overwrites the first 64 MiB of the devices it uses, so it only
 * opens the devices listed in BLKZEROOUT_DEVICES, a space- or comma-separated
 * list of device paths, e.g. in a test VM whose /dev/vda is a scratch disk:
 *
 *   BLKZEROOUT_DEVICES="/dev/ram0 /dev/nullb0 /dev/vda /dev/loop0" \
 *	./blkzeroout_test
 *
 * null_blk must keep what is written to it: load it with memory_backed=1
 * (null_blk.memory_backed=1 on the command line when it is built in).
 *
 * The throttled null_blk variant wants a device made in configfs:
 *
 *   d=/sys/kernel/config/nullb/nullb_slow; mkdir $d
 *   echo 128 > $d/size; echo 1 > $d/memory_backed; echo 128 > $d/mbps
 *   echo 1 > $d/power	# /dev/nullb_slow
 *
 * It is built by scripts/initramfs.sh with the kernel tree's
 * tools/testing/selftests/kselftest_harness.h on the include path, and run by
 * guest/init in every "check" boot. BLKZEROOUT_STATIC=yes tells it that the
 * kernel uses the static PMD zero folio (the harness checks the boot line that
 * says so separately).
 *
 * A device variant whose path is not listed is skipped, and so is one that is
 * in use (it is opened with O_EXCL, which fails if it is mounted) or that
 * offloads write zeroes. Without any listed device, huge_zero_folio_stays_zero
 * does its other checks and then skips. Other environment variables:
 * BLKZEROOUT_SEED=<n> replays the random ranges of a failed run,
 * BLKZEROOUT_AREA_MIB=<16..64> changes the size of the test area.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/falloc.h>
#include <linux/fs.h>
#include <linux/types.h>

/*
 * Keep -Wextra quiet about the harness: it has unused parameters, and its
 * TEST_F() wrappers keep locals across setjmp(), which -Wclobbered flags.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop
#pragma GCC diagnostic ignored "-Wclobbered"

#define KIB(x)		((__u64)(x) << 10)
#define MIB(x)		((__u64)(x) << 20)

/* Size of the huge zero folio and of the static PMD zero folio on x86-64. */
#define PMD_BYTES	MIB(2)

#define AREA_DEFAULT	MIB(32)
#define AREA_MIN	MIB(16)
#define AREA_MAX	MIB(64)
/* Nothing beyond the first 64 MiB of a device is ever written. */
#define DEV_WRITE_MAX	MIB(64)

#define IO_CHUNK	MIB(4)
/* Bytes re-read around a random range, in addition to the range itself. */
#define VERIFY_GUARD	KIB(64)

#define NR_RANDOM	64
#define NR_THREADS	4
#define NR_PER_THREAD	8
#define NR_KILLS	8
#define WAIT_LIMIT_MS	60000
/*
 * The throttled device zeroes at most 128 MiB/s, so a kill sent within this
 * many ms of the start of a zeroout of the (at least 16 MiB) test area comes
 * before its end.
 */
#define THROTTLED_KILL_MS	100

/* Test timeouts in seconds; the guest may run on an emulated CPU. */
#define TMO		120
#define TMO_LONG	240

/* The devices the test may overwrite, and the separators of their paths. */
#define DEVICES_ENV	"BLKZEROOUT_DEVICES"
#define DEVICES_SEP	" ,\t\n"

#define STATIC_ENV	"BLKZEROOUT_STATIC"

#define KPF_THP		22
#define KPF_ZERO_PAGE	24
#define PM_PFN_MASK	((1ULL << 55) - 1)
#define PM_PRESENT	0x8000000000000000ULL

static __u64 mix64(__u64 x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

/*
 * The pattern word at byte offset @off of fill generation @gen. No byte of it
 * is ever 0, so any byte that was zeroed by mistake shows; it differs from one
 * offset to the next, so data that landed in the wrong place shows too.
 */
static __u64 pattern_word(__u64 off, unsigned int gen)
{
	return mix64((off >> 3) + ((__u64)gen << 40) +
		     0x9e3779b97f4a7c15ULL) | 0x0101010101010101ULL;
}

static __u64 rng_next(__u64 *state)
{
	*state += 0x9e3779b97f4a7c15ULL;
	return mix64(*state);
}

/* A uniformly distributed value in [0, n), n > 0. */
static __u64 rng_below(__u64 *state, __u64 n)
{
	return rng_next(state) % n;
}

static int do_zeroout(int fd, __u64 start, __u64 len)
{
	__u64 range[2] = { start, len };

	return ioctl(fd, BLKZEROOUT, range) ? -errno : 0;
}

static int do_fallocate(int fd, int mode, off_t off, off_t len)
{
	return fallocate(fd, mode, off, len) ? -errno : 0;
}

static int pwrite_all(int fd, const __u8 *p, __u64 off, __u64 len)
{
	while (len) {
		size_t n = len < IO_CHUNK ? len : IO_CHUNK;
		ssize_t ret = pwrite(fd, p, n, off);

		if (ret < 0)
			return -errno;
		if (ret == 0)
			return -EIO;
		p += ret;
		off += ret;
		len -= ret;
	}
	return 0;
}

static int pread_all(int fd, __u8 *p, __u64 off, __u64 len)
{
	while (len) {
		size_t n = len < IO_CHUNK ? len : IO_CHUNK;
		ssize_t ret = pread(fd, p, n, off);

		if (ret < 0)
			return -errno;
		if (ret == 0)
			return -EIO;
		p += ret;
		off += ret;
		len -= ret;
	}
	return 0;
}

static int read_file(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return n;
	while (n && buf[n - 1] == '\n')
		n--;
	buf[n] = '\0';
	return 0;
}

static int read_u64_file(const char *path, __u64 *val)
{
	char buf[64], *end;
	int ret;

	ret = read_file(path, buf, sizeof(buf));
	if (ret)
		return ret;
	errno = 0;
	*val = strtoull(buf, &end, 0);
	if (errno || end == buf)
		return -EINVAL;
	return 0;
}

static int write_file(const char *path, const char *str)
{
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, str, strlen(str));
	if (n < 0)
		n = -errno;
	close(fd);
	return n < 0 ? n : 0;
}

static int vm_drop_caches(void)
{
	sync();
	return write_file("/proc/sys/vm/drop_caches", "3");
}

/* Value of "@key <n>" in a file made of such lines (/proc/vmstat etc). */
static int read_keyed_u64(const char *path, const char *key, __u64 *val)
{
	size_t klen = strlen(key);
	char line[256];
	int ret = -ENOENT;
	FILE *f;

	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, klen) &&
		    (line[klen] == ' ' || line[klen] == ':')) {
			*val = strtoull(line + klen + 1, NULL, 10);
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

/*
 * Copy the next path of the BLKZEROOUT_DEVICES list at *@pos to @buf and move
 * *@pos past it. Paths that do not fit in @buf are ignored.
 */
static bool next_listed_dev(const char **pos, char *buf, size_t size)
{
	const char *p = *pos;
	size_t n;

	if (!p)
		return false;
	for (;;) {
		p += strspn(p, DEVICES_SEP);
		if (!*p) {
			*pos = p;
			return false;
		}
		n = strcspn(p, DEVICES_SEP);
		if (n < size)
			break;
		p += n;
	}
	memcpy(buf, p, n);
	buf[n] = '\0';
	*pos = p + n;
	return true;
}

/* Whether BLKZEROOUT_DEVICES lists @dev, so that the test may overwrite it. */
static bool dev_listed(const char *dev)
{
	const char *pos = getenv(DEVICES_ENV);
	char buf[PATH_MAX];

	while (next_listed_dev(&pos, buf, sizeof(buf)))
		if (!strcmp(buf, dev))
			return true;
	return false;
}

static void write_zeroes_path(char *path, size_t size, dev_t rdev)
{
	snprintf(path, size,
		 "/sys/dev/block/%u:%u/queue/write_zeroes_max_bytes",
		 major(rdev), minor(rdev));
}

static int wait_timeout(pid_t pid, int *status, unsigned int limit_ms)
{
	struct timespec start, now;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		pid_t ret = waitpid(pid, status, WNOHANG);

		if (ret == pid)
			return 0;
		if (ret < 0 && errno != EINTR)
			return -errno;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - start.tv_sec) * 1000 +
		    (now.tv_nsec - start.tv_nsec) / 1000000 > limit_ms)
			return -ETIMEDOUT;
		usleep(5000);
	}
}

/*
 * Fork a child that zeroes [0, @len) over and over until it is killed, or
 * exits with the errno of a failed BLKZEROOUT: it never exits with 0. Returns
 * once the child is about to enter the ioctl for the first time.
 */
static pid_t spawn_zeroout(int fd, __u64 len)
{
	int pipefd[2];
	pid_t pid;
	char c = 0;

	if (pipe(pipefd))
		return -1;
	pid = fork();
	if (pid == 0) {
		int ret;

		close(pipefd[0]);
		if (write(pipefd[1], &c, 1) != 1)
			_exit(255);
		do {
			ret = do_zeroout(fd, 0, len);
		} while (!ret);
		_exit(-ret < 255 ? -ret : 255);
	}
	close(pipefd[1]);
	if (pid > 0 && read(pipefd[0], &c, 1) != 1) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		pid = -1;
	}
	close(pipefd[0]);
	return pid;
}

/* The device under test and the shadow copy of its test area. */
struct blkzero_dev {
	int fd;
	bool ro_set;		/* BLKROSET 1 to undo */
	unsigned int lbs;	/* logical block size */
	unsigned int gen;	/* pattern generation */
	__u64 dev_size;
	__u64 area;		/* test area: [0, area) */
	__u8 *shadow;	/* what the test area should read */
	__u8 *buf;		/* what it reads */
};

FIXTURE(blkzero) {
	struct blkzero_dev bd;
};

FIXTURE_VARIANT(blkzero) {
	const char *dev;
	const char *driver;
	/*
	 * loop advertises write zeroes whenever the backing file has a
	 * ->fallocate, and clears the limit only when the first
	 * FALLOC_FL_ZERO_RANGE fails (tmpfs has no ZERO_RANGE).
	 */
	bool probe_write_zeroes;
	/*
	 * The device is bandwidth-limited, so that a zeroout of the test area
	 * takes long enough for SIGKILL to be sure to land in the middle.
	 */
	bool throttled;
};

FIXTURE_VARIANT_ADD(blkzero, brd) {
	.dev = "/dev/ram0",
	.driver = "brd (CONFIG_BLK_DEV_RAM)",
};

FIXTURE_VARIANT_ADD(blkzero, null_blk) {
	.dev = "/dev/nullb0",
	.driver = "null_blk (CONFIG_BLK_DEV_NULL_BLK, memory_backed=1)",
};

FIXTURE_VARIANT_ADD(blkzero, virtio_blk) {
	.dev = "/dev/vda",
	.driver = "virtio-blk (QEMU -device virtio-blk-pci,write-zeroes=off)",
};

FIXTURE_VARIANT_ADD(blkzero, loop) {
	.dev = "/dev/loop0",
	.driver = "loop (losetup /dev/loop0 on a file in tmpfs)",
	.probe_write_zeroes = true,
};

FIXTURE_VARIANT_ADD(blkzero, null_blk_throttled) {
	.dev = "/dev/nullb_slow",
	.driver = "null_blk made in configfs as nullb_slow, memory_backed=1, mbps=128",
	.throttled = true,
};

/* Regenerate the pattern of the current generation in the shadow. */
static void shadow_fill(struct blkzero_dev *bd, __u64 off, __u64 len)
{
	__u64 *p = (__u64 *)(bd->shadow + off);
	__u64 o;

	for (o = off; o < off + len; o += 8)
		*p++ = pattern_word(o, bd->gen);
}

/* Zero the part of [off, off + len) that lies in the test area. */
static void shadow_zero(struct blkzero_dev *bd, __u64 off, __u64 len)
{
	if (off >= bd->area)
		return;
	if (len > bd->area - off)
		len = bd->area - off;
	memset(bd->shadow + off, 0, len);
}

static void fill_pattern(struct __test_metadata *_metadata,
			 struct blkzero_dev *bd)
{
	int ret;

	bd->gen++;
	shadow_fill(bd, 0, bd->area);
	ret = pwrite_all(bd->fd, bd->shadow, 0, bd->area);
	ASSERT_EQ(0, ret) {
		TH_LOG("writing the pattern to [0, %#llx): %s",
		       bd->area, strerror(-ret));
	}
}

/*
 * Read back [off, off + len), widened to whole pages and clipped to the test
 * area, and compare it with the shadow. @what and [op_off, +op_len) describe
 * the last operation for the failure message.
 */
static void verify_range(struct __test_metadata *_metadata,
			 struct blkzero_dev *bd,
			 __u64 off, __u64 len, const char *what,
			 __u64 op_off, __u64 op_len)
{
	__u64 start = off & ~(KIB(4) - 1);
	__u64 end = (off + len + KIB(4) - 1) & ~(KIB(4) - 1);
	__u64 i, first = 0, last = 0, bad = 0;
	int ret;

	if (end > bd->area)
		end = bd->area;
	if (start >= end)
		return;

	ret = pread_all(bd->fd, bd->buf + start, start, end - start);
	ASSERT_EQ(0, ret) {
		TH_LOG("reading [%#llx, %#llx): %s",
		       start, end, strerror(-ret));
	}
	if (!memcmp(bd->buf + start, bd->shadow + start, end - start))
		return;

	for (i = start; i < end; i++) {
		if (bd->buf[i] == bd->shadow[i])
			continue;
		if (!bad)
			first = i;
		last = i;
		bad++;
	}
	TH_LOG("%s [%#llx, +%#llx) on a %llu-byte test area:", what, op_off, op_len, bd->area);
	TH_LOG("%llu bytes differ in [%#llx, %#llx]; at %#llx read %#x, expected %#x",
	       bad, first, last,
	       first, bd->buf[first], bd->shadow[first]);
	ASSERT_EQ((__u64)0, bad);
}

static void verify_area(struct __test_metadata *_metadata,
			struct blkzero_dev *bd, const char *what,
			__u64 op_off, __u64 op_len)
{
	verify_range(_metadata, bd, 0, bd->area, what, op_off, op_len);
}

/* Zero [off, off + len), then check it reads 0 and the rest is unchanged. */
static void zero_and_check(struct __test_metadata *_metadata,
			   struct blkzero_dev *bd,
			   __u64 off, __u64 len)
{
	int ret = do_zeroout(bd->fd, off, len);

	ASSERT_EQ(0, ret) {
		TH_LOG("BLKZEROOUT [%#llx, +%#llx): %s",
		       off, len, strerror(-ret));
	}
	shadow_zero(bd, off, len);
	verify_area(_metadata, bd, "after BLKZEROOUT", off, len);
}

static void expect_zeroout_err(struct __test_metadata *_metadata, int fd,
			       __u64 start, __u64 len, int err)
{
	int ret = do_zeroout(fd, start, len);

	EXPECT_EQ(-err, ret) {
		TH_LOG("BLKZEROOUT start %#llx len %#llx: got %s, want %s", start, len,
		       ret ? strerror(-ret) : "success", strerror(err));
	}
}

static void expect_fallocate_err(struct __test_metadata *_metadata, int fd,
				 int mode, off_t off, off_t len, int err)
{
	int ret = do_fallocate(fd, mode, off, len);

	EXPECT_EQ(-err, ret) {
		TH_LOG("fallocate mode %#x off %#jx len %#jx: got %s, want %s",
		       mode, (intmax_t)off, (intmax_t)len,
		       ret ? strerror(-ret) : "success", strerror(err));
	}
}

/* The fixed-offset cases below are made of 512-byte sectors. */
static bool sectors_are_512(struct blkzero_dev *bd)
{
	return bd->lbs == 512;
}

/* How much a killed zeroout may cover: whole device, up to 64 MiB. */
static __u64 kill_len(struct blkzero_dev *bd)
{
	return bd->dev_size < DEV_WRITE_MAX ? bd->dev_size : DEV_WRITE_MAX;
}

FIXTURE_SETUP(blkzero)
{
	struct blkzero_dev *bd = &self->bd;
	char path[128];
	const char *env;
	struct stat st;
	__u64 wz;
	int lbs, ret;

	bd->fd = -1;
	if (!dev_listed(variant->dev))
		SKIP(return,
		     "%s is not listed in %s (this test overwrites the devices it is given)",
		     variant->dev, DEVICES_ENV);
	if (stat(variant->dev, &st))
		SKIP(return, "%s: %s; needs %s", variant->dev, strerror(errno),
		     variant->driver);
	ASSERT_TRUE(S_ISBLK(st.st_mode)) {
		TH_LOG("%s is not a block device", variant->dev);
	}

	bd->fd = open(variant->dev, O_RDWR | O_DIRECT | O_EXCL | O_CLOEXEC);
	if (bd->fd < 0 && errno == EBUSY)
		SKIP(return, "%s is in use (mounted?)", variant->dev);
	if (bd->fd < 0 && (errno == ENXIO || errno == ENODEV))
		SKIP(return, "%s: %s; needs %s", variant->dev, strerror(errno),
		     variant->driver);
	ASSERT_LE(0, bd->fd) {
		TH_LOG("open %s: %s", variant->dev, strerror(errno));
	}

	ASSERT_EQ(0, ioctl(bd->fd, BLKGETSIZE64, &bd->dev_size));
	if (bd->dev_size < AREA_MIN)
		SKIP(return, "%s has %llu bytes, needs %llu (is it set up? needs %s)", variant->dev,
		     bd->dev_size, AREA_MIN, variant->driver);

	ASSERT_EQ(0, ioctl(bd->fd, BLKSSZGET, &lbs));
	ASSERT_TRUE(lbs >= 512 && lbs <= 4096 && !(lbs & (lbs - 1))) {
		TH_LOG("odd logical block size %d", lbs);
	}
	bd->lbs = lbs;

	bd->area = AREA_DEFAULT;
	env = getenv("BLKZEROOUT_AREA_MIB");
	if (env) {
		bd->area = MIB(strtoull(env, NULL, 0));
		ASSERT_TRUE(bd->area >= AREA_MIN && bd->area <= AREA_MAX) {
			TH_LOG("BLKZEROOUT_AREA_MIB must be 16..64");
		}
	}
	if (bd->area > (bd->dev_size & ~(MIB(1) - 1)))
		bd->area = bd->dev_size & ~(MIB(1) - 1);

	write_zeroes_path(path, sizeof(path), st.st_rdev);
	ret = read_u64_file(path, &wz);
	ASSERT_EQ(0, ret) {
		TH_LOG("%s: %s", path, strerror(-ret));
	}
	if (wz && variant->probe_write_zeroes) {
		/* Fails in the backing file, then loop clears the limit. */
		ret = do_zeroout(bd->fd, 0, bd->lbs);
		ASSERT_EQ(0, ret) {
			TH_LOG("probing BLKZEROOUT on %s: %s", variant->dev,
			       strerror(-ret));
		}
		ret = read_u64_file(path, &wz);
		ASSERT_EQ(0, ret);
	}
	if (wz)
		SKIP(return,
		     "%s: write_zeroes_max_bytes is %llu, so zeroout is offloaded, not the __blkdev_issue_zero_pages() fallback under test",
		     variant->dev, wz);

	ASSERT_EQ(0, posix_memalign((void **)&bd->shadow, PMD_BYTES,
				    bd->area));
	ASSERT_EQ(0, posix_memalign((void **)&bd->buf, PMD_BYTES,
				    bd->area));
	fill_pattern(_metadata, bd);
}

FIXTURE_TEARDOWN(blkzero)
{
	struct blkzero_dev *bd = &self->bd;
	int ro = 0;

	if (bd->ro_set)
		EXPECT_EQ(0, ioctl(bd->fd, BLKROSET, &ro));
	if (bd->fd >= 0)
		close(bd->fd);
	free(bd->shadow);
	free(bd->buf);
}

/* 512-byte aligned, but neither start nor end on a 4 KiB page boundary. */
TEST_F_TIMEOUT(blkzero, sector_aligned_subpage, TMO)
{
	struct blkzero_dev *bd = &self->bd;

	if (!sectors_are_512(bd))
		SKIP(return, "logical block size %u", bd->lbs);
	zero_and_check(_metadata, bd, 512, 3584);
}

/* One sector in the middle of a page. */
TEST_F_TIMEOUT(blkzero, single_sector_in_page, TMO)
{
	struct blkzero_dev *bd = &self->bd;

	if (!sectors_are_512(bd))
		SKIP(return, "logical block size %u", bd->lbs);
	zero_and_check(_metadata, bd, KIB(4) + KIB(1), 512);
}

/* Exactly one PMD-sized chunk, at a 2 MiB boundary. */
TEST_F_TIMEOUT(blkzero, one_pmd_aligned, TMO)
{
	struct blkzero_dev *bd = &self->bd;

	zero_and_check(_metadata, bd, PMD_BYTES, PMD_BYTES);
}

/* One sector less than a chunk, not 2 MiB aligned. */
TEST_F_TIMEOUT(blkzero, pmd_minus_sector_unaligned, TMO)
{
	struct blkzero_dev *bd = &self->bd;

	if (!sectors_are_512(bd))
		SKIP(return, "logical block size %u", bd->lbs);
	zero_and_check(_metadata, bd, MIB(1) + 512, PMD_BYTES - 512);
	zero_and_check(_metadata, bd, MIB(5), PMD_BYTES - 512);
}

/* One sector more than a chunk, not 2 MiB aligned. */
TEST_F_TIMEOUT(blkzero, pmd_plus_sector_unaligned, TMO)
{
	struct blkzero_dev *bd = &self->bd;

	if (!sectors_are_512(bd))
		SKIP(return, "logical block size %u", bd->lbs);
	zero_and_check(_metadata, bd, MIB(6) - 512, PMD_BYTES + 512);
	zero_and_check(_metadata, bd, MIB(9) + KIB(4), PMD_BYTES + 512);
}

/* Several chunks, with partial ones at both ends. */
TEST_F_TIMEOUT(blkzero, multi_folio_span, TMO)
{
	struct blkzero_dev *bd = &self->bd;

	if (!sectors_are_512(bd))
		SKIP(return, "logical block size %u", bd->lbs);
	zero_and_check(_metadata, bd, MIB(1) - 512, MIB(7) + 1536);
}

TEST_F_TIMEOUT(blkzero, whole_area, TMO)
{
	struct blkzero_dev *bd = &self->bd;

	zero_and_check(_metadata, bd, 0, bd->area);
}

TEST_F_TIMEOUT(blkzero, random_ranges, TMO_LONG)
{
	struct blkzero_dev *bd = &self->bd;
	__u64 sectors = bd->area / bd->lbs;
	__u64 seed, state, zeroed = 0;
	const char *env;
	int i;

	env = getenv("BLKZEROOUT_SEED");
	if (env)
		seed = strtoull(env, NULL, 0);
	else
		seed = (__u64)time(NULL) ^ ((__u64)getpid() << 32);
	TH_LOG("seed %llu (replay with BLKZEROOUT_SEED=%llu)",
	       seed, seed);
	state = seed;

	for (i = 0; i < NR_RANDOM; i++) {
		__u64 start, len, max;
		int ret;

		/* Mostly short ranges, one in four up to two chunks. */
		if (rng_below(&state, 4))
			max = KIB(192) / bd->lbs;
		else
			max = 2 * PMD_BYTES / bd->lbs;
		start = rng_below(&state, sectors);
		len = 1 + rng_below(&state, max);
		if (len > sectors - start)
			len = sectors - start;
		start *= bd->lbs;
		len *= bd->lbs;

		if (zeroed + len > bd->area / 2) {
			fill_pattern(_metadata, bd);
			zeroed = 0;
		}

		ret = do_zeroout(bd->fd, start, len);
		ASSERT_EQ(0, ret) {
			TH_LOG("range %d: BLKZEROOUT [%#llx, +%#llx): %s",
			       i, start, len, strerror(-ret));
		}
		shadow_zero(bd, start, len);
		zeroed += len;

		/* The range and its surroundings now, everything at times. */
		verify_range(_metadata, bd,
			     start > VERIFY_GUARD ? start - VERIFY_GUARD : 0,
			     len + 2 * VERIFY_GUARD, "random range",
			     start, len);
		if (i % 16 == 15)
			verify_area(_metadata, bd, "random range",
				    start, len);
	}
}

/* FALLOC_FL_ZERO_RANGE is blkdev_issue_zeroout(), which may fall back. */
TEST_F_TIMEOUT(blkzero, fallocate_zero_range, TMO)
{
	struct blkzero_dev *bd = &self->bd;
	__u64 off = MIB(3) - bd->lbs, len = PMD_BYTES + 2 * bd->lbs;
	int ret;

	ret = do_fallocate(bd->fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE,
			   off, len);
	ASSERT_EQ(0, ret) {
		TH_LOG("ZERO_RANGE|KEEP_SIZE: %s", strerror(-ret));
	}
	shadow_zero(bd, off, len);
	verify_area(_metadata, bd, "after FALLOC_FL_ZERO_RANGE|KEEP_SIZE",
		    off, len);

	off = MIB(8) + bd->lbs;
	len = KIB(512);
	ret = do_fallocate(bd->fd, FALLOC_FL_ZERO_RANGE, off, len);
	ASSERT_EQ(0, ret) {
		TH_LOG("ZERO_RANGE: %s", strerror(-ret));
	}
	shadow_zero(bd, off, len);
	verify_area(_metadata, bd, "after FALLOC_FL_ZERO_RANGE", off, len);
}

/*
 * FALLOC_FL_PUNCH_HOLE is blkdev_issue_zeroout(BLKDEV_ZERO_NOFALLBACK): with
 * write_zeroes_max_bytes == 0 it must fail with EOPNOTSUPP and write nothing.
 */
TEST_F_TIMEOUT(blkzero, fallocate_punch_hole, TMO)
{
	struct blkzero_dev *bd = &self->bd;

	expect_fallocate_err(_metadata, bd->fd,
			     FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			     MIB(4), PMD_BYTES, EOPNOTSUPP);
	expect_fallocate_err(_metadata, bd->fd,
			     FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			     bd->lbs, MIB(3), EOPNOTSUPP);
	verify_area(_metadata, bd, "after FALLOC_FL_PUNCH_HOLE", MIB(4),
		    PMD_BYTES);
}

/* With KEEP_SIZE a range past the end is clipped to the end of the device. */
TEST_F_TIMEOUT(blkzero, fallocate_zero_range_clipped, TMO)
{
	struct blkzero_dev *bd = &self->bd;
	__u64 tail = bd->dev_size - MIB(1);
	__u64 cut = KIB(512) + bd->lbs;
	__u8 *buf;
	__u64 i;
	int ret;

	if (bd->dev_size > DEV_WRITE_MAX)
		SKIP(return, "the end of the device is beyond the first %llu MiB",
		     DEV_WRITE_MAX >> 20);
	if (tail < bd->area)
		SKIP(return, "the last MiB of the device is in the test area");

	ASSERT_EQ(0, posix_memalign((void **)&buf, KIB(4), MIB(1)));
	for (i = 0; i < MIB(1); i += 8)
		*(__u64 *)(buf + i) = pattern_word(tail + i, bd->gen);
	ASSERT_EQ(0, pwrite_all(bd->fd, buf, tail, MIB(1)));

	ret = do_fallocate(bd->fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE,
			   tail + cut, MIB(1));
	ASSERT_EQ(0, ret) {
		TH_LOG("ZERO_RANGE|KEEP_SIZE past the end: %s", strerror(-ret));
	}

	memset(buf, 0, MIB(1));
	ASSERT_EQ(0, pread_all(bd->fd, buf, tail, MIB(1)));
	for (i = 0; i < MIB(1); i += 8) {
		__u64 want = i < cut ? pattern_word(tail + i, bd->gen) : 0;

		ASSERT_EQ(want, *(__u64 *)(buf + i)) {
			TH_LOG("device offset %#llx", tail + i);
		}
	}
	free(buf);
	verify_area(_metadata, bd, "after ZERO_RANGE at the device end",
		    tail + cut, MIB(1));
}

/*
 * Refused fallocate() calls, errno per vfs_fallocate() (fs/open.c) and
 * blkdev_fallocate() (block/fops.c). None may change any data.
 */
TEST_F_TIMEOUT(blkzero, fallocate_bad, TMO)
{
	struct blkzero_dev *bd = &self->bd;
	const int zr = FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE;
	off_t size = bd->dev_size;
	int rofd;

	/* blkdev_fallocate(): mode 0 (allocate) is not a supported case. */
	expect_fallocate_err(_metadata, bd->fd, 0, 0, KIB(4), EOPNOTSUPP);
	/* blkdev_fallocate(): flag outside BLKDEV_FALLOC_FL_SUPPORTED. */
	expect_fallocate_err(_metadata, bd->fd, FALLOC_FL_COLLAPSE_RANGE,
			     0, MIB(1), EOPNOTSUPP);
	/* vfs_fallocate(): PUNCH_HOLE needs KEEP_SIZE. */
	expect_fallocate_err(_metadata, bd->fd, FALLOC_FL_PUNCH_HOLE,
			     0, KIB(4), EOPNOTSUPP);
	/* blkdev_fallocate(): start or len not logical-block aligned. */
	expect_fallocate_err(_metadata, bd->fd, zr, 100, KIB(4), EINVAL);
	expect_fallocate_err(_metadata, bd->fd, zr, KIB(4), 100, EINVAL);
	/* blkdev_fallocate(): past the end without KEEP_SIZE. */
	expect_fallocate_err(_metadata, bd->fd, FALLOC_FL_ZERO_RANGE,
			     size - bd->lbs, 2 * bd->lbs, EINVAL);
	/* blkdev_fallocate(): start at or past the end. */
	expect_fallocate_err(_metadata, bd->fd, zr, size, bd->lbs, EINVAL);
	/* vfs_fallocate(): negative offset, zero length, end overflows. */
	expect_fallocate_err(_metadata, bd->fd, zr, -512, KIB(4), EINVAL);
	expect_fallocate_err(_metadata, bd->fd, zr, 0, 0, EINVAL);
	expect_fallocate_err(_metadata, bd->fd, zr, KIB(4), LLONG_MAX, EFBIG);

	/* vfs_fallocate(): not open for writing. */
	rofd = open(variant->dev, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, rofd);
	expect_fallocate_err(_metadata, rofd, zr, 0, KIB(4), EBADF);
	close(rofd);

	verify_area(_metadata, bd, "after refused fallocate calls", 0, 0);
}

/*
 * Refused BLKZEROOUT calls, errno per blk_ioctl_zeroout() (block/ioctl.c):
 * EBADF without BLK_OPEN_WRITE, EFAULT for a bad pointer, EINVAL when start
 * or len is not a multiple of 512, when end = start + len - 1 is at or past
 * the device size, or when end < start (len 0, or start + len wraps around).
 * None may change any data.
 */
TEST_F_TIMEOUT(blkzero, bad_input, TMO)
{
	struct blkzero_dev *bd = &self->bd;
	__u64 size = bd->dev_size;
	int rofd;

	/* len 0: end = start - 1, so either end >= size or end < start. */
	expect_zeroout_err(_metadata, bd->fd, 0, 0, EINVAL);
	expect_zeroout_err(_metadata, bd->fd, KIB(4), 0, EINVAL);
	/* Not multiples of 512. */
	expect_zeroout_err(_metadata, bd->fd, 100, KIB(4), EINVAL);
	expect_zeroout_err(_metadata, bd->fd, KIB(4) + 256, KIB(4), EINVAL);
	expect_zeroout_err(_metadata, bd->fd, 0, 100, EINVAL);
	expect_zeroout_err(_metadata, bd->fd, KIB(4), KIB(4) + 1, EINVAL);
	/* Past the end of the device. */
	expect_zeroout_err(_metadata, bd->fd, size - 512, 1024, EINVAL);
	expect_zeroout_err(_metadata, bd->fd, size, 512, EINVAL);
	expect_zeroout_err(_metadata, bd->fd, 0, size + 512, EINVAL);
	/* start + len wraps around 2^64 to an end below start. */
	expect_zeroout_err(_metadata, bd->fd, MIB(1), 0ULL - 512, EINVAL);
	expect_zeroout_err(_metadata, bd->fd, 0ULL - 512, 1024, EINVAL);
	expect_zeroout_err(_metadata, bd->fd, 0ULL - 512, 0ULL - 512,
			   EINVAL);

	/* copy_from_user() of the range fails. */
	errno = 0;
	EXPECT_EQ(-1, ioctl(bd->fd, BLKZEROOUT, NULL));
	EXPECT_EQ(EFAULT, errno);

	/* Checked before anything else: a valid range, but a read-only fd. */
	rofd = open(variant->dev, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, rofd);
	expect_zeroout_err(_metadata, rofd, 0, KIB(4), EBADF);
	expect_zeroout_err(_metadata, rofd, 100, 0, EBADF);
	close(rofd);

	verify_area(_metadata, bd, "after refused BLKZEROOUT calls", 0, 0);
}

/*
 * A read-only block device (BLKROSET) fails the zeroout with EPERM, from
 * blkdev_issue_zeroout(), after blk_ioctl_zeroout() has dropped the cache.
 */
TEST_F_TIMEOUT(blkzero, readonly_bdev, TMO)
{
	struct blkzero_dev *bd = &self->bd;
	int ro = 1, ret, ret2;

	if (ioctl(bd->fd, BLKROSET, &ro))
		SKIP(return, "BLKROSET: %s", strerror(errno));
	bd->ro_set = true;

	ret = do_zeroout(bd->fd, MIB(2), PMD_BYTES);
	ret2 = do_fallocate(bd->fd, FALLOC_FL_ZERO_RANGE |
			    FALLOC_FL_KEEP_SIZE, MIB(4), PMD_BYTES);

	ro = 0;
	ASSERT_EQ(0, ioctl(bd->fd, BLKROSET, &ro));
	bd->ro_set = false;

	EXPECT_EQ(-EPERM, ret) {
		TH_LOG("BLKZEROOUT on a read-only bdev: %s",
		       ret ? strerror(-ret) : "success");
	}
	EXPECT_EQ(-EPERM, ret2) {
		TH_LOG("ZERO_RANGE on a read-only bdev: %s",
		       ret2 ? strerror(-ret2) : "success");
	}
	verify_area(_metadata, bd, "after zeroing a read-only bdev", MIB(2),
		    PMD_BYTES);

	/* And writable again. */
	zero_and_check(_metadata, bd, MIB(2), PMD_BYTES);
}

struct zero_job {
	int fd;
	int loops;
	pthread_barrier_t *barrier;
	__u64 range[NR_PER_THREAD][2];
	int err;
	__u64 err_start, err_len;
};

static void *zero_worker(void *arg)
{
	struct zero_job *job = arg;
	int l, i;

	pthread_barrier_wait(job->barrier);
	for (l = 0; l < job->loops; l++) {
		for (i = 0; i < NR_PER_THREAD; i++) {
			int ret = do_zeroout(job->fd, job->range[i][0],
					     job->range[i][1]);

			if (ret) {
				job->err = -ret;
				job->err_start = job->range[i][0];
				job->err_len = job->range[i][1];
				return NULL;
			}
		}
	}
	return NULL;
}

static void run_zero_jobs(struct __test_metadata *_metadata,
			  struct blkzero_dev *bd,
			  struct zero_job *jobs, int loops)
{
	pthread_t thread[NR_THREADS];
	pthread_barrier_t barrier;
	int t, i;

	ASSERT_EQ(0, pthread_barrier_init(&barrier, NULL, NR_THREADS));
	for (t = 0; t < NR_THREADS; t++) {
		jobs[t].fd = bd->fd;
		jobs[t].loops = loops;
		jobs[t].barrier = &barrier;
		jobs[t].err = 0;
		ASSERT_EQ(0, pthread_create(&thread[t], NULL, zero_worker,
					    &jobs[t]));
	}
	for (t = 0; t < NR_THREADS; t++)
		ASSERT_EQ(0, pthread_join(thread[t], NULL));
	pthread_barrier_destroy(&barrier);

	for (t = 0; t < NR_THREADS; t++) {
		EXPECT_EQ(0, jobs[t].err) {
			TH_LOG("thread %d: BLKZEROOUT [%#llx, +%#llx): %s", t, jobs[t].err_start,
			       jobs[t].err_len, strerror(jobs[t].err));
		}
		for (i = 0; i < NR_PER_THREAD; i++)
			shadow_zero(bd, jobs[t].range[i][0],
				    jobs[t].range[i][1]);
	}
}

/*
 * NR_THREADS threads zero interleaved disjoint ranges (neighbouring ranges
 * belong to different threads), then ranges that overlap each other but
 * leave gaps of pattern.
 */
TEST_F_TIMEOUT(blkzero, concurrent, TMO_LONG)
{
	struct blkzero_dev *bd = &self->bd;
	struct zero_job jobs[NR_THREADS] = {};
	__u64 slot = bd->area / (NR_THREADS * NR_PER_THREAD);
	__u64 win = bd->area / NR_PER_THREAD;
	__u64 state = 0x5eed;
	int t, i;

	for (t = 0; t < NR_THREADS; t++) {
		for (i = 0; i < NR_PER_THREAD; i++) {
			__u64 k = (__u64)i * NR_THREADS + t;
			__u64 head = bd->lbs * (1 + rng_below(&state, 16));
			__u64 tail = bd->lbs * (1 + rng_below(&state, 16));

			jobs[t].range[i][0] = k * slot + head;
			jobs[t].range[i][1] = slot - head - tail;
		}
	}
	run_zero_jobs(_metadata, bd, jobs, 2);
	verify_area(_metadata, bd, "after concurrent disjoint zeroing",
		    0, bd->area);

	fill_pattern(_metadata, bd);
	for (t = 0; t < NR_THREADS; t++) {
		for (i = 0; i < NR_PER_THREAD; i++) {
			jobs[t].range[i][0] = i * win + t * (win / 8) +
					      t * bd->lbs;
			jobs[t].range[i][1] = win / 6 + (i + 1) * bd->lbs;
			jobs[t].range[i][1] &= ~(__u64)(bd->lbs - 1);
		}
	}
	run_zero_jobs(_metadata, bd, jobs, 1);
	verify_area(_metadata, bd, "after concurrent overlapping zeroing",
		    0, bd->area);
}

/*
 * Reap a zeroing child that was sent SIGKILL: it must die of it (it never
 * exits by itself, see spawn_zeroout()), within WAIT_LIMIT_MS. Returns the
 * time from @killed to the reap in milliseconds.
 */
static long check_killed_child(struct __test_metadata *_metadata, pid_t pid,
			       const struct timespec *killed, const char *what)
{
	struct timespec reaped;
	int status = 0, ret;

	ret = wait_timeout(pid, &status, WAIT_LIMIT_MS);
	if (ret == -ETIMEDOUT)
		TH_LOG("%s: SIGKILLed zeroout child %d still running after %d ms",
		       what, pid, WAIT_LIMIT_MS);
	ASSERT_EQ(0, ret);
	clock_gettime(CLOCK_MONOTONIC, &reaped);
	ASSERT_FALSE(WIFEXITED(status)) {
		TH_LOG("%s: BLKZEROOUT in the child failed: %s", what,
		       strerror(WEXITSTATUS(status)));
	}
	ASSERT_TRUE(WIFSIGNALED(status));
	ASSERT_EQ(SIGKILL, WTERMSIG(status));
	return (reaped.tv_sec - killed->tv_sec) * 1000 +
	       (reaped.tv_nsec - killed->tv_nsec) / 1000000;
}

static int kill_now(pid_t pid, struct timespec *when)
{
	clock_gettime(CLOCK_MONOTONIC, when);
	return kill(pid, SIGKILL);
}

/*
 * After a killed zeroout of [0, kill_len) the test area holds, sector by
 * sector, either zeroes or the pattern it had: the number of sectors that
 * still hold the pattern, or -1 if a sector holds anything else.
 */
static long pattern_sectors_left(struct __test_metadata *_metadata,
				 struct blkzero_dev *bd)
{
	static const __u8 zeroes[512];
	long left = 0;
	__u64 off;

	if (pread_all(bd->fd, bd->buf, 0, bd->area))
		return -1;
	for (off = 0; off < bd->area; off += 512) {
		if (!memcmp(bd->buf + off, bd->shadow + off, 512)) {
			left++;
			continue;
		}
		if (memcmp(bd->buf + off, zeroes, 512)) {
			TH_LOG("sector at %#llx is neither zero nor the pattern", off);
			return -1;
		}
	}
	return left;
}

/* Kill the issuer of a large zeroout while it runs. */
TEST_F_TIMEOUT(blkzero, sigkill_during_zeroout, TMO_LONG)
{
	struct blkzero_dev *bd = &self->bd;
	struct timespec started, killed;
	long ms, left, late_ms;
	pid_t pid;

	clock_gettime(CLOCK_MONOTONIC, &started);
	pid = spawn_zeroout(bd->fd, kill_len(bd));
	ASSERT_LT(0, pid);
	usleep(20000);
	ASSERT_EQ(0, kill_now(pid, &killed));
	late_ms = (killed.tv_sec - started.tv_sec) * 1000 +
		  (killed.tv_nsec - started.tv_nsec) / 1000000;
	ms = check_killed_child(_metadata, pid, &killed, "sigkill_during_zeroout");
	left = pattern_sectors_left(_metadata, bd);
	TH_LOG("reaped %ld ms after SIGKILL; %ld of %llu sectors not zeroed",
	       ms, left, bd->area / 512);
	ASSERT_LE(0, left);
	if (variant->throttled && late_ms > THROTTLED_KILL_MS) {
		TH_LOG("SIGKILL came %ld ms after the start (host too busy): %s",
		       late_ms, "not checking where the zeroout stopped");
	} else if (variant->throttled) {
		/*
		 * Zeroing the area takes a quarter of a second or more here, so
		 * the kill came in the middle: the zeroout must have stopped
		 * and left part of the area as it was.
		 */
		EXPECT_LT(0, left) {
			TH_LOG("the whole area was zeroed: %s",
			       "the killed BLKZEROOUT went on to the end");
		}
	}

	/* The range may be zeroed in parts; start over and use the device. */
	fill_pattern(_metadata, bd);
	zero_and_check(_metadata, bd, MIB(1) - bd->lbs,
		       PMD_BYTES + 2 * bd->lbs);
}

/*
 * Issuers that go away while their zeroing is under way: a killed
 * BLKZEROOUT waits for the bios it submitted (bio_await_chain()), so no zero
 * write may land after the child is reaped and the pattern is rewritten.
 */
TEST_F_TIMEOUT(blkzero, killed_issuers, TMO_LONG)
{
	struct blkzero_dev *bd = &self->bd;
	int i;

	for (i = 0; i < NR_KILLS; i++) {
		pid_t pid = spawn_zeroout(bd->fd, kill_len(bd));

		struct timespec killed;

		ASSERT_LT(0, pid);
		if (i)
			usleep(i * 2500);
		ASSERT_EQ(0, kill_now(pid, &killed));
		check_killed_child(_metadata, pid, &killed, "killed_issuers");
	}

	fill_pattern(_metadata, bd);
	usleep(200000);
	verify_area(_metadata, bd, "after the killed issuers were reaped",
		    0, kill_len(bd));
	zero_and_check(_metadata, bd, PMD_BYTES + bd->lbs, PMD_BYTES);
}

/* Reclaim and a large allocation must not disturb the zero folio in use. */
TEST_F_TIMEOUT(blkzero, memory_pressure, TMO_LONG)
{
	struct blkzero_dev *bd = &self->bd;
	__u64 avail_kb, hog, i;
	__u8 *p;
	int ret;

	zero_and_check(_metadata, bd, MIB(1) + bd->lbs, MIB(3));

	ret = vm_drop_caches();
	if (ret == -EACCES || ret == -EPERM)
		SKIP(return, "drop_caches: %s", strerror(-ret));
	ASSERT_EQ(0, ret);

	ASSERT_EQ(0, read_keyed_u64("/proc/meminfo", "MemAvailable",
				    &avail_kb));
	hog = avail_kb * 1024 / 2;
	TH_LOG("allocating %llu MiB of %llu MiB available",
	       hog >> 20, avail_kb >> 10);
	p = mmap(NULL, hog, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < hog; i += KIB(4))
		p[i] = (__u8)(i >> 12) | 1;
	ASSERT_EQ(0, munmap(p, hog));
	ASSERT_EQ(0, vm_drop_caches());

	zero_and_check(_metadata, bd, MIB(5) - bd->lbs,
		       MIB(4) + 2 * bd->lbs);
}

/* Page table view of a huge zero folio read fault. */
struct zero_probe {
	int err;		/* 0, or a negative errno */
	int madv_err;		/* errno of madvise(MADV_HUGEPAGE), or 0 */
	bool hidden;		/* pagemap hides PFNs (no CAP_SYS_ADMIN) */
	bool pmd;		/* mapped by a PMD: PFNs contiguous, aligned */
	__u64 pfn;		/* PFN of the first byte */
	__s64 nonzero;	/* first non-zero byte, or -1 */
};

static int pagemap_pfn(uintptr_t addr, __u64 *ent)
{
	long psize = sysconf(_SC_PAGESIZE);
	ssize_t n;
	int fd;

	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = pread(fd, ent, sizeof(*ent), (addr / psize) * sizeof(*ent));
	close(fd);
	if (n != sizeof(*ent))
		return n < 0 ? -errno : -EIO;
	return 0;
}

static int read_kpageflags(__u64 pfn, __u64 *flags)
{
	ssize_t n;
	int fd;

	fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = pread(fd, flags, sizeof(*flags), pfn * sizeof(*flags));
	close(fd);
	if (n != sizeof(*flags))
		return n < 0 ? -errno : -EIO;
	return 0;
}

/*
 * A PMD-aligned, PMD-sized stretch of fresh anonymous memory, with
 * MADV_HUGEPAGE if possible: THP enabled=always does not need it, and a
 * kernel without CONFIG_ADVISE_SYSCALLS has no madvise(2) at all.
 */
static __u8 *map_pmd_region(int *madv_err)
{
	__u8 *p = mmap(NULL, 2 * PMD_BYTES, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	p = (__u8 *)(((uintptr_t)p + PMD_BYTES - 1) & ~(PMD_BYTES - 1));
	*madv_err = madvise(p, PMD_BYTES, MADV_HUGEPAGE) ? errno : 0;
	return p;
}

static __s64 first_nonzero(const __u8 *p, __u64 len)
{
	const __u64 *w = (const __u64 *)p;
	__u64 i, j;

	for (i = 0; i < len / 8; i++) {
		if (!w[i])
			continue;
		for (j = 0; j < 8; j++)
			if (p[i * 8 + j])
				return i * 8 + j;
	}
	return -1;
}

/* Look at @p, read-faulted beforehand or here. */
static void probe_region(__u8 *p, int madv_err, struct zero_probe *r)
{
	__u64 ent, ent2;

	memset(r, 0, sizeof(*r));
	r->madv_err = madv_err;
	/* Read fault; the whole scan below only reads too. */
	r->nonzero = first_nonzero(p, PMD_BYTES);
	r->err = pagemap_pfn((uintptr_t)p, &ent);
	if (!r->err)
		r->err = pagemap_pfn((uintptr_t)p + KIB(4), &ent2);
	if (r->err)
		return;
	if (!(ent & PM_PRESENT) || !(ent2 & PM_PRESENT)) {
		r->err = -EFAULT;
		return;
	}
	r->pfn = ent & PM_PFN_MASK;
	r->hidden = !r->pfn;
	r->pmd = r->pfn && !(r->pfn % (PMD_BYTES / KIB(4))) &&
		 (ent2 & PM_PFN_MASK) == r->pfn + 1;
}

/* Probe a fresh region in a new process, which holds no zero folio yet. */
static int probe_in_child(struct zero_probe *r)
{
	int pipefd[2], status;
	pid_t pid;

	if (pipe(pipefd))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		struct zero_probe c = { .err = -ENOMEM };
		int madv_err;
		__u8 *p = map_pmd_region(&madv_err);

		if (p)
			probe_region(p, madv_err, &c);
		_exit(write(pipefd[1], &c, sizeof(c)) == sizeof(c) ? 0 : 1);
	}
	close(pipefd[1]);
	if (read(pipefd[0], r, sizeof(*r)) != sizeof(*r))
		r->err = -EIO;
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	return r->err;
}

/*
 * BLKZEROOUT at the start of the first usable device listed in
 * BLKZEROOUT_DEVICES; read it back. Returns false if no device was zeroed.
 */
static bool zero_some_device(struct __test_metadata *_metadata)
{
	const char *pos = getenv(DEVICES_ENV);
	char dev[PATH_MAX], path[128];
	__u64 size = 0, len, wz;
	struct stat st;
	int fd = -1, ret;
	__u8 *buf;

	while (next_listed_dev(&pos, dev, sizeof(dev))) {
		fd = open(dev, O_RDWR | O_DIRECT | O_EXCL | O_CLOEXEC);
		if (fd < 0) {
			TH_LOG("not zeroing %s: %s", dev,
			       errno == EBUSY ? "in use (mounted?)" :
			       strerror(errno));
			continue;
		}
		if (!fstat(fd, &st) && S_ISBLK(st.st_mode) &&
		    !ioctl(fd, BLKGETSIZE64, &size) && size >= MIB(4))
			break;
		TH_LOG("not zeroing %s: not a block device of 4 MiB or more",
		       dev);
		close(fd);
		fd = -1;
	}
	if (fd < 0) {
		TH_LOG("no usable device in %s, zeroing nothing", DEVICES_ENV);
		return false;
	}

	len = size < MIB(8) ? size & ~(MIB(1) - 1) : MIB(8);
	write_zeroes_path(path, sizeof(path), st.st_rdev);
	if (!read_u64_file(path, &wz) && wz)
		TH_LOG("%s: write_zeroes_max_bytes is %llu, the zeroout may be offloaded",
		       dev, wz);
	TH_LOG("zeroing the first %llu MiB of %s", len >> 20, dev);
	ret = do_zeroout(fd, 0, len);
	ASSERT_EQ(0, ret) {
		TH_LOG("BLKZEROOUT on %s: %s", dev, strerror(-ret));
	}
	ASSERT_EQ(0, posix_memalign((void **)&buf, KIB(4), len));
	ASSERT_EQ(0, pread_all(fd, buf, 0, len));
	ASSERT_EQ(-1, first_nonzero(buf, len)) {
		TH_LOG("%s reads non-zero after BLKZEROOUT", dev);
	}
	free(buf);
	close(fd);
	return true;
}

/*
 * The huge zero folio mapped on a THP read fault is one all-zero folio for
 * everybody, is not changed by a write fault (COW) next to it, and is still
 * the same all-zero folio after the block layer zeroed with it (it is the
 * static PMD zero folio with CONFIG_STATIC_PMD_ZERO_PAGE=y) and after reclaim.
 * When BLKZEROOUT_STATIC=yes says the static folio is in use, it must also survive reclaim with no process mapping it, and no huge
 * zero folio is ever allocated (thp_zero_page_alloc stays 0); an allocated one
 * may be freed and replaced then.
 * Without a device in BLKZEROOUT_DEVICES the block layer does not zero, and
 * the test skips after the other checks.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
TEST(huge_zero_folio_stays_zero)
{
	struct zero_probe c1, c2, a, b, c, d;
	__u64 allocs = 0, flags;
	char thp[128], buf[64];
	int ret, madv_err;
	bool is_static, zeroed;
	__u8 *pa, *pb, *pc;

	if (read_file("/sys/kernel/mm/transparent_hugepage/enabled", thp,
		      sizeof(thp)))
		SKIP(return, "THP is not available (CONFIG_TRANSPARENT_HUGEPAGE)");
	if (!strstr(thp, "[always]") && !strstr(thp, "[madvise]"))
		SKIP(return, "THP is disabled: %s", thp);
	if (!read_file("/sys/kernel/mm/transparent_hugepage/use_zero_page",
		       buf, sizeof(buf)) && buf[0] == '0')
		SKIP(return, "THP huge zero page is disabled (use_zero_page)");

	/* Processes that map the huge zero folio and exit, reclaim between. */
	ASSERT_EQ(0, probe_in_child(&c1));
	if (c1.hidden)
		SKIP(return, "pagemap shows no PFNs (needs CAP_SYS_ADMIN)");
	ASSERT_EQ(0, vm_drop_caches());
	ASSERT_EQ(0, probe_in_child(&c2));

	/* Two regions of this process. */
	pa = map_pmd_region(&madv_err);
	ASSERT_NE(NULL, pa);
	probe_region(pa, madv_err, &a);
	pb = map_pmd_region(&madv_err);
	ASSERT_NE(NULL, pb);
	probe_region(pb, madv_err, &b);
	ASSERT_EQ(0, a.err);
	ASSERT_EQ(0, b.err);

	/* The harness says whether the static folio is in use. */
	is_static = getenv(STATIC_ENV) && !strcmp(getenv(STATIC_ENV), "yes");
	ret = read_keyed_u64("/proc/vmstat", "thp_zero_page_alloc", &allocs);
	TH_LOG("huge zero folio at pfn %#llx (%s), thp_zero_page_alloc %llu%s, static folio %s",
	       a.pfn, a.pmd ? "PMD-mapped" : "not PMD-mapped",
	       allocs, ret ? " (not available)" : "",
	       is_static ? "in use" : "not in use");
	if (is_static) {
		/*
		 * It is the huge zero folio: a read fault maps it (no skip
		 * below) and none is ever allocated.
		 */
		ASSERT_TRUE(a.pmd);
		ASSERT_EQ(0, ret);
		EXPECT_EQ((__u64)0, allocs);
	}
	if (!a.pmd) {
		if (a.madv_err && strstr(thp, "[madvise]"))
			SKIP(return, "THP enabled=madvise but madvise(MADV_HUGEPAGE): %s",
			     strerror(a.madv_err));
		SKIP(return, "THP read fault did not map a huge zero folio (allocation failed?)");
	}
	TH_LOG("in processes before and after reclaim: pfn %#llx then %#llx",
	       c1.pfn, c2.pfn);

	EXPECT_EQ(-1, a.nonzero);
	EXPECT_EQ(-1, b.nonzero);
	EXPECT_TRUE(b.pmd);
	EXPECT_EQ(a.pfn, b.pfn);
	EXPECT_EQ(-1, c1.nonzero);
	EXPECT_EQ(-1, c2.nonzero);
	if (is_static) {
		/* Never freed, never replaced. */
		EXPECT_TRUE(c1.pmd && c2.pmd);
		EXPECT_EQ(a.pfn, c1.pfn);
		EXPECT_EQ(a.pfn, c2.pfn);
	}

	ret = read_kpageflags(a.pfn, &flags);
	if (ret) {
		TH_LOG("/proc/kpageflags: %s, not checking page flags",
		       strerror(-ret));
	} else {
		EXPECT_TRUE(!!(flags & (1ULL << KPF_ZERO_PAGE))) {
			TH_LOG("kpageflags %#llx", flags);
		}
		EXPECT_TRUE(!!(flags & (1ULL << KPF_THP))) {
			TH_LOG("kpageflags %#llx", flags);
		}
	}

	/* Copy on write next to the folio must leave it alone. */
	pb[100] = 0x5a;
	EXPECT_EQ(0x5a, pb[100]);
	probe_region(pb, 0, &b);
	ASSERT_EQ(0, b.err);
	EXPECT_NE(a.pfn, b.pfn);
	EXPECT_EQ(100, b.nonzero);

	/* Zero with the block layer and reclaim, then look again. */
	zeroed = zero_some_device(_metadata);
	ASSERT_EQ(0, vm_drop_caches());

	probe_region(pa, 0, &d);
	ASSERT_EQ(0, d.err);
	EXPECT_EQ(a.pfn, d.pfn);
	EXPECT_TRUE(d.pmd);
	EXPECT_EQ(-1, d.nonzero);

	pc = map_pmd_region(&madv_err);
	ASSERT_NE(NULL, pc);
	probe_region(pc, madv_err, &c);
	ASSERT_EQ(0, c.err);
	EXPECT_EQ(a.pfn, c.pfn);
	EXPECT_EQ(-1, c.nonzero);

	ASSERT_EQ(0, probe_in_child(&c1));
	EXPECT_EQ(a.pfn, c1.pfn);
	EXPECT_EQ(-1, c1.nonzero);

	if (is_static) {
		ASSERT_EQ(0, read_keyed_u64("/proc/vmstat",
					    "thp_zero_page_alloc", &allocs));
		EXPECT_EQ((__u64)0, allocs);
	}

	/* Do not pass without the block layer part, nor hide a failure. */
	if (!zeroed && _metadata->exit_code == KSFT_PASS)
		SKIP(return,
		     "no usable device in %s: the huge zero folio was checked without block layer zeroing",
		     DEVICES_ENV);
}

#pragma GCC diagnostic pop

TEST_HARNESS_MAIN
