// SPDX-License-Identifier: GPL-2.0
/*
 * zero_folio_user: largest_zero_folio() called from a loadable module, as a
 * block driver or a filesystem built as a module would call it. Built out of
 * tree against the kernel under test by scripts/initramfs.sh and loaded by
 * guest/module_test.sh, which reads the KUnit results from the kernel log.
 * With CONFIG_STATIC_PMD_ZERO_PAGE=y it only links if the kernel exports
 * what the inline reads.
 *
 *   insmod zero_folio_user.ko expect_size=<bytes>
 */
#include <kunit/test.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/string.h>

static unsigned long expect_size;
module_param(expect_size, ulong, 0444);
MODULE_PARM_DESC(expect_size, "folio_size() the harness expects: PMD_SIZE with the static folio, PAGE_SIZE without");

static void module_sees_the_expected_folio(struct kunit *test)
{
	struct folio *folio = largest_zero_folio();

	if (!expect_size)
		kunit_skip(test, "expect_size= was not given");
	KUNIT_ASSERT_NOT_NULL(test, folio);
	KUNIT_EXPECT_EQ(test, folio_size(folio), expect_size);
	if (expect_size == PAGE_SIZE)
		KUNIT_EXPECT_PTR_EQ(test, folio, page_folio(ZERO_PAGE(0)));
	else
		KUNIT_EXPECT_FALSE(test, is_zero_folio(folio));
	/* Permanent: every call gives the same folio. */
	KUNIT_EXPECT_PTR_EQ(test, largest_zero_folio(), folio);
}

static void module_reads_zeroes(struct kunit *test)
{
	struct folio *folio = largest_zero_folio();
	size_t offset;

	for (offset = 0; offset < folio_size(folio); offset += PAGE_SIZE) {
		void *addr = kmap_local_folio(folio, offset);
		bool zero = !memchr_inv(addr, 0, PAGE_SIZE);

		kunmap_local(addr);
		KUNIT_ASSERT_TRUE_MSG(test, zero,
				      "page at offset %#zx is not zero", offset);
	}
}

static struct kunit_case zero_folio_user_cases[] = {
	KUNIT_CASE(module_sees_the_expected_folio),
	KUNIT_CASE(module_reads_zeroes),
	{}
};

static struct kunit_suite zero_folio_user_suite = {
	.name = "zero_folio_module",
	.test_cases = zero_folio_user_cases,
};
kunit_test_suite(zero_folio_user_suite);

MODULE_DESCRIPTION("largest_zero_folio() from a module");
MODULE_LICENSE("GPL");
