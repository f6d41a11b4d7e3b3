/* The running kernel's build id (see kbuildid.h). */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "collect/kbuildid.h"

#define NT_GNU_BUILD_ID 3

static uint32_t word(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v)); /* the kernel's own byte order, as the notes are */
	return v;
}

static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/* Each note: name size, descriptor size, type (32 bits each), then the
 * name and the descriptor, each padded to 4 bytes. */
bool tt_notes_build_id(const uint8_t *notes, size_t n, const uint8_t **id, size_t *len)
{
	size_t at = 0;
	while (n - at >= 12) {
		size_t namesz = word(notes + at), descsz = word(notes + at + 4);
		uint32_t type = word(notes + at + 8);
		size_t name = at + 12;
		if (namesz > n - name || pad4(namesz) > n - name)
			return false;
		size_t desc = name + pad4(namesz);
		if (descsz > n - desc)
			return false;
		if (type == NT_GNU_BUILD_ID && namesz == 4 && memcmp(notes + name, "GNU", 4) == 0 && descsz > 0) {
			*id = notes + desc;
			*len = descsz;
			return true;
		}
		if (pad4(descsz) > n - desc)
			return false;
		at = desc + pad4(descsz);
	}
	return false;
}

bool tt_same_kernel_build(const char *path, const uint8_t *want, size_t wantlen)
{
	uint8_t buf[4096];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	size_t n = 0;
	ssize_t r;
	while (n < sizeof(buf) && (r = read(fd, buf + n, sizeof(buf) - n)) > 0)
		n += (size_t)r;
	close(fd);
	const uint8_t *id;
	size_t idlen;
	return n == wantlen && n < sizeof(buf) && memcmp(buf, want, n) == 0 && tt_notes_build_id(buf, n, &id, &idlen);
}
