/* The kernel's build id from its ELF notes: found in a real kernel's
 * notes (tests/fixtures/kernel/notes, /sys/kernel/notes of Linux 6.18),
 * not found when cut short, absent or lying about sizes; the same-build
 * check over a file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "collect/kbuildid.h"
#include "fixture_util.h"

static size_t load(const char *rel, uint8_t *buf, size_t cap)
{
	char path[512];
	FILE *f = fopen(fixture_path(rel, path, sizeof(path)), "rb");
	assert_non_null(f);
	size_t n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

static void test_real_notes(void **state)
{
	(void)state;
	uint8_t buf[4096];
	size_t n = load("kernel/notes", buf, sizeof(buf));
	const uint8_t *id;
	size_t len;
	assert_true(tt_notes_build_id(buf, n, &id, &len));
	assert_int_equal(len, 20); /* a SHA-1 */
	static const uint8_t want[4] = {0x7d, 0xd4, 0xff, 0x07};
	assert_memory_equal(id, want, sizeof(want));
	assert_ptr_equal(id, buf + 16);
	/* cut anywhere inside the note: not found */
	for (size_t cut = 0; cut < 36; cut++)
		assert_false(tt_notes_build_id(buf, cut, &id, &len));
}

/* one note of NAME, TYPE and descriptor length DESC, at p; its size */
static size_t note(uint8_t *p, const char *name, uint32_t type, uint32_t desc)
{
	uint32_t namesz = (uint32_t)strlen(name) + 1;
	memcpy(p, &namesz, 4);
	memcpy(p + 4, &desc, 4);
	memcpy(p + 8, &type, 4);
	size_t at = 12;
	memset(p + at, 0, (namesz + 3) & ~3u);
	memcpy(p + at, name, namesz);
	at += (namesz + 3) & ~3u;
	memset(p + at, 0xab, (desc + 3) & ~3u);
	return at + ((desc + 3) & ~3u);
}

static void test_made_notes(void **state)
{
	(void)state;
	uint8_t buf[256];
	const uint8_t *id;
	size_t len;
	/* a Linux note, then the build id: found after the first */
	size_t n = note(buf, "Linux", 0x101, 6);
	size_t first = n;
	n += note(buf + n, "GNU", 3, 20);
	assert_true(tt_notes_build_id(buf, n, &id, &len));
	assert_ptr_equal(id, buf + first + 16);
	assert_int_equal(len, 20);
	/* only other notes: none */
	n = note(buf, "Linux", 0x101, 6);
	n += note(buf + n, "Xen", 3, 8); /* type 3 under another name is not a build id */
	assert_false(tt_notes_build_id(buf, n, &id, &len));
	/* sizes that point past the end: none, and no read past it */
	n = note(buf, "GNU", 3, 20);
	uint32_t huge = 0xfffffff0u;
	memcpy(buf + 4, &huge, 4);
	assert_false(tt_notes_build_id(buf, n, &id, &len));
	memcpy(buf, &huge, 4);
	assert_false(tt_notes_build_id(buf, n, &id, &len));
	assert_false(tt_notes_build_id(buf, 0, &id, &len));
}

static void test_same_build(void **state)
{
	(void)state;
	uint8_t buf[4096];
	char path[512];
	size_t n = load("kernel/notes", buf, sizeof(buf));
	fixture_path("kernel/notes", path, sizeof(path));
	assert_true(tt_same_kernel_build(path, buf, n));
	buf[20] ^= 1; /* another build */
	assert_false(tt_same_kernel_build(path, buf, n));
	buf[20] ^= 1;
	assert_false(tt_same_kernel_build(path, buf, n - 1));
	assert_false(tt_same_kernel_build("/nonexistent/notes", buf, n));
	/* the same bytes, but no build id in them: nothing to go by */
	uint8_t other[64];
	size_t m = note(other, "Linux", 0x101, 6);
	char tmp[] = "/tmp/tt-notes-XXXXXX";
	int fd = mkstemp(tmp);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, other, m), (ssize_t)m);
	close(fd);
	assert_false(tt_same_kernel_build(tmp, other, m));
	unlink(tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_notes),
		cmocka_unit_test(test_made_notes),
		cmocka_unit_test(test_same_build),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
