/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Recording files of `tdvtrace record`, read back by `tdvtrace report`.
 *
 * Little-endian, every field encoded one by one (never a C struct as is):
 *
 *   head:   "TDVTRACE" u16 major(1) u16 minor(0) u32 hlen, header[hlen],
 *           u32 crc32(header)
 *   header: u64 start_ns u64 boot_offset_ns u32 tgid i32 seg i64 kvmfd,
 *           str krelease, str version, str hostname,
 *           u16 nprobes, nprobes * (str name, u8 attach),
 *           u8 observed (from minor 1: TDV_OBSERVE_* of model.h, what the
 *           probes saw at every call; minor 0 files lack it)
 *           (str: u16 length, bytes without NUL)
 *   record: u16 type u16 flags(0) u32 len, payload[len],
 *           u32 crc32(type..payload)
 *
 * Record payloads (TDV_REC_T_*) are listed in recfile_codec.c. A newer minor
 * version may append fields to a payload or to the header, and add record
 * types, event kinds and event field bits: a reader takes the prefix it
 * knows, skips types and event kinds it does not, and ignores field bits it
 * does not know (in a file of its own minor version these are corrupt).
 * Anything else needs a new major version, which older readers refuse.
 */
#ifndef TDV_RECFILE_H
#define TDV_RECFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "tdvtrace.h"
#include "model.h"

#define TDV_REC_MAJOR 1
#define TDV_REC_MINOR 1
/* Largest header or record payload a reader accepts. */
#define TDV_REC_MAX_PAYLOAD 65536
/* Largest file tdv_rec_read_file() takes: it holds the file in memory. */
#define TDV_REC_MAX_FILE ((size_t)1 << 30)

/* Record types; payloads are laid out in recfile_codec.c. Values are stable. */
enum tdv_rec_type {
	TDV_REC_T_EVENT = 1, /* struct tdv_event, stack ids cleared */
	TDV_REC_T_LOSS,	     /* u64 ts_ns, u64 lost: dropped by the kernel up to ts_ns */
	TDV_REC_T_SEED,	     /* struct tdv_model_seed */
	TDV_REC_T_END,	     /* u64 end_ns, u64 events, u64 lost: only on a clean close */
};

enum tdv_rec_attach { TDV_REC_MISSING, TDV_REC_FENTRY, TDV_REC_KPROBE, TDV_REC_TRACEPOINT };

struct tdv_rec_probe {
	char name[64];
	uint8_t attach; /* enum tdv_rec_attach; newer files may hold others */
};

#define TDV_REC_MAX_PROBES 64

struct tdv_rec_header {
	uint16_t major, minor;	 /* filled by the reader */
	uint64_t start_ns;	 /* CLOCK_MONOTONIC when recording started */
	uint64_t boot_offset_ns; /* CLOCK_REALTIME - CLOCK_MONOTONIC then */
	uint32_t filter_tgid;
	int32_t filter_seg;
	int64_t filter_kvmfd;
	/* Read back NUL-terminated, control characters replaced by '?'. */
	char krelease[65], version[32], hostname[65];
	unsigned int nprobes; /* the reader keeps the first TDV_REC_MAX_PROBES */
	struct tdv_rec_probe probes[TDV_REC_MAX_PROBES];
	/*
	 * TDV_OBSERVE_* bits (minor 1): which pool operations the probes saw
	 * at every call, so `report` derives the same facts the live run did.
	 * has_observed false: a minor 0 file (the model then decides as it
	 * always did, from the id events it meets).
	 */
	bool has_observed;
	uint8_t observed;
};

/* Opaque: FILE-less, buffered, write(2)-based. */
struct tdv_rec_writer;

/*
 * Write the head to @fd (a new file: see safe_file.h) and take it: it is
 * closed by tdv_rec_close(). NULL with errno set and a message in @err on
 * failure, @fd then still the caller's.
 */
struct tdv_rec_writer *tdv_rec_create(int fd, const struct tdv_rec_header *h, char *err,
				      size_t errlen);

/*
 * Append one record; 0 or -errno. An event this build would not read back
 * (unknown kind or field bits) is refused with -EINVAL and not written. Its
 * stack ids are dropped: they mean nothing once the BPF map is gone.
 */
int tdv_rec_event(struct tdv_rec_writer *w, const struct tdv_event *e);
/* @lost events were dropped by the kernel up to @ts_ns. */
int tdv_rec_loss(struct tdv_rec_writer *w, uint64_t ts_ns, uint64_t lost);
/* An entry that predated recording, found by discovery. */
int tdv_rec_seed(struct tdv_rec_writer *w, const struct tdv_model_seed *s);

/* write(2) what is buffered: after it a crash leaves a readable prefix. */
int tdv_rec_flush(struct tdv_rec_writer *w);

/*
 * END record, flush, fsync, close, free (always, even on error). 0, or the
 * -errno of the first write that failed since tdv_rec_create().
 */
int tdv_rec_close(struct tdv_rec_writer *w, uint64_t end_ns);

/* Reader. Any callback may be NULL; the header comes before any record. */
struct tdv_rec_visitor {
	void (*header)(void *ctx, const struct tdv_rec_header *h);
	void (*event)(void *ctx, const struct tdv_event *e);
	void (*loss)(void *ctx, uint64_t ts_ns, uint64_t lost);
	void (*seed)(void *ctx, const struct tdv_model_seed *s);
	void (*end)(void *ctx, uint64_t end_ns, uint64_t events, uint64_t lost);
};

enum tdv_rec_status {
	TDV_REC_OK,
	TDV_REC_TRUNCATED, /* ends mid-record or without END */
	TDV_REC_CORRUPT,
	TDV_REC_FOREIGN, /* not a tdvtrace recording */
	TDV_REC_NEWER,	 /* a major version this build does not read */
	TDV_REC_IO,
};

struct tdv_rec_result {
	enum tdv_rec_status status;
	uint64_t offset;	  /* where reading stopped (the bad head/record start) */
	uint64_t records, events; /* delivered (skipped unknown types and kinds not counted) */
	bool complete;		  /* END seen and nothing after it is bad */
	char error[256];	  /* "...at offset N: what, and what to do"; "" when OK */
};

/*
 * Read a whole recording, calling @v for each record in file order. 0 when
 * the status is OK, else -1; records before the problem have been
 * delivered. @v and @res may be NULL. Allocates nothing.
 */
int tdv_rec_read_mem(const void *buf, size_t len, const struct tdv_rec_visitor *v, void *ctx,
		     struct tdv_rec_result *res);

/*
 * The same for a regular file, or standard input as "-", read whole with
 * read(2) (at most TDV_REC_MAX_FILE bytes); errors name @path.
 */
int tdv_rec_read_file(const char *path, const struct tdv_rec_visitor *v, void *ctx,
		      struct tdv_rec_result *res);

/* "ok", "truncated", "corrupt", "foreign", "newer", "io". */
const char *tdv_rec_status_name(enum tdv_rec_status s);

/* "missing", "fentry", "kprobe", "tracepoint", or "unknown". */
const char *tdv_rec_attach_name(uint8_t attach);

#endif /* TDV_RECFILE_H */
