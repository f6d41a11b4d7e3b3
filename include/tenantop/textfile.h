/* --textfile FILE: the Prometheus exposition for node_exporter's textfile
 * collector, replaced atomically each refresh: a temporary file is written
 * beside FILE (created exclusively, so never through a symlink), then renamed
 * over it.  A reader sees the old text or the new one, never a half. */
#ifndef TENANTOP_TEXTFILE_H
#define TENANTOP_TEXTFILE_H

#include <stddef.h>

/* Write text to path (mode 0644).  0, or -1 with a message saying what failed. */
int tt_textfile_write(const char *path, const char *text, size_t len, char *err, size_t errlen);

#endif
