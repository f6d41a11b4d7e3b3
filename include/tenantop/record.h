/* Recordings (--record FILE, --replay FILE): every refresh's snapshot,
 * appended as a length-prefixed, CRC-checked, zlib-compressed record.
 *
 *   file   = header record*
 *   header = "TTREC" 0 0 0 | u32 version | u32 reserved[6]          (32 bytes)
 *   record = "TTRR" | u32 compressed | u32 plain | u32 crc32(compressed) | data
 *          "TTRD" ... the same, data being the changes since the record before
 *          "TTRM" ... the same, data being the settings of the run (tt_rec_meta)
 * (little-endian).  A whole record starts every run and comes at least
 * every 60 records, so a damaged record costs at most the deltas after it.  A file cut short by a crash replays up to its last whole
 * record and says so; a damaged record or a foreign file is reported.
 * Files are created 0600: they hold tenants' command lines. */
#ifndef TENANTOP_RECORD_H
#define TENANTOP_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "tenantop/snapshot.h"

#define TT_REC_VERSION 2 /* 2: delta records ("TTRD") */

/* The settings of a recorded run ("TTRM" record, written first by each
 * run): what replay needs to show the same tenants and alerts. */
typedef struct tt_rec_meta {
	double interval;        /* the refresh interval, s (0 unknown) */
	char ports[1024];       /* the watched ports, as tt_portset_parse reads them ("" unknown) */
	char config_path[512];  /* the config file's name, "" none (built-in rules) */
	char *config_text;      /* its text (owned) */
	size_t config_len;
} tt_rec_meta;

typedef struct tt_recorder tt_recorder;
/* Create or append (the file must then be a recording of this version). */
tt_recorder *tt_recorder_open(const char *path, char *err, size_t errlen);
/* Append one snapshot; returns the bytes written, -1 with a message. */
long tt_recorder_write(tt_recorder *r, const tt_snapshot *s, char *err, size_t errlen);
/* Append the settings record (before the run's first snapshot). */
long tt_recorder_write_meta(tt_recorder *r, const tt_rec_meta *m, char *err, size_t errlen);
void tt_recorder_close(tt_recorder *r);

typedef struct tt_replay tt_replay;
/* Open and index a recording.  NULL with a message (foreign file, wrong
 * version).  A cut or damaged tail is not fatal: see tt_replay_note. */
tt_replay *tt_replay_open(const char *path, char *err, size_t errlen);
size_t tt_replay_count(const tt_replay *p);
/* "" or why the recording ends early ("cut short after record 41 ..."). */
const char *tt_replay_note(const tt_replay *p);
/* Wall-clock time of record i (from the index, without decoding it). */
double tt_replay_time(const tt_replay *p, size_t i);
/* Decode record i into *out (cleared first).  0, or -1 with a message. */
int tt_replay_read(tt_replay *p, size_t i, tt_snapshot *out, char *err, size_t errlen);
/* The settings in force at record i: NULL for a recording made before
 * settings were recorded. */
const tt_rec_meta *tt_replay_meta(const tt_replay *p, size_t i);
/* The first whole record after i that can be read on its own (count when none). */
size_t tt_replay_next_whole(const tt_replay *p, size_t i);
/* The settings of the recording's first run, read cheaply (the first
 * record only): 0, -1 when it has none (an older recording), -2 when the
 * file cannot be opened. */
int tt_replay_read_settings(const char *path, tt_rec_meta *m);
void tt_replay_close(tt_replay *p);

/* Serialisation of one snapshot (pure; exposed for tests). */
int tt_snapshot_encode(const tt_snapshot *s, unsigned char **buf, size_t *len);
int tt_snapshot_decode(const unsigned char *buf, size_t len, tt_snapshot *out);
/* The delta form: s against the snapshot before it (see record.c). */
int tt_snapshot_encode_delta(const tt_snapshot *prev, const tt_snapshot *s, unsigned char **buf, size_t *len);
int tt_snapshot_decode_delta(const unsigned char *buf, size_t len, const tt_snapshot *prev, tt_snapshot *out);

#endif
