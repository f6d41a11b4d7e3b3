/* The running kernel's build id, from its ELF notes (/sys/kernel/notes):
 * what tells whether facts a build took from a kernel (its BTF) hold for
 * the kernel running now (src/collect/kbuildid.c). */
#ifndef TT_COLLECT_KBUILDID_H
#define TT_COLLECT_KBUILDID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The GNU build id note's bytes among notes (n bytes of ELF notes, as
 * /sys/kernel/notes gives them): *id and *len, true; false when there is
 * none or the notes are cut short. */
bool tt_notes_build_id(const uint8_t *notes, size_t n, const uint8_t **id, size_t *len);

/* Whether the kernel's notes (read from path, /sys/kernel/notes) are the
 * same bytes as want and carry a build id: the same kernel build.  False
 * when unreadable, different, or without a build id to go by. */
bool tt_same_kernel_build(const char *path, const uint8_t *want, size_t wantlen);

#endif
