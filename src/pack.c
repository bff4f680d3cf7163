/* pack.c - the result zip (libzip): one deflated entry whose data libzip
 * pulls from the caller at zip_close() time, AES-256 with a password. */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zip.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "xspool.h"

struct pack_src {
	pack_read_fn	 read;
	void		*arg;
	time_t		 mtime;
	int		 failed;	/* read returned -1 */
	zip_error_t	 error;
};

void
pack_init(void)
{
	unsigned char b[16];

	OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, NULL);
	if (RAND_bytes(b, sizeof(b)) != 1)
		return;		/* libzip will try again itself */
}

/* src_cb - libzip's source callback: the entry's data, read once */
static zip_int64_t
src_cb(void *ud, void *data, zip_uint64_t len, zip_source_cmd_t cmd)
{
	struct pack_src *s = ud;
	zip_stat_t *st;
	ssize_t n;

	switch (cmd) {
	case ZIP_SOURCE_OPEN:
	case ZIP_SOURCE_CLOSE:
	case ZIP_SOURCE_FREE:
		return 0;
	case ZIP_SOURCE_READ:
		if (s->failed)
			return -1;
		if ((n = s->read(s->arg, data, len)) < 0) {
			s->failed = 1;
			zip_error_set(&s->error, ZIP_ER_READ, EIO);
			return -1;
		}
		return n;
	case ZIP_SOURCE_STAT:
		if ((st = ZIP_SOURCE_GET_ARGS(zip_stat_t, data, len,
		    &s->error)) == NULL)
			return -1;
		zip_stat_init(st);
		st->mtime = s->mtime;
		st->valid |= ZIP_STAT_MTIME;
		return sizeof(*st);
	case ZIP_SOURCE_ERROR:
		return zip_error_to_data(&s->error, data, len);
	case ZIP_SOURCE_SUPPORTS:
		return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN,
		    ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE, ZIP_SOURCE_STAT,
		    ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE, -1);
	default:
		zip_error_set(&s->error, ZIP_ER_OPNOTSUPP, 0);
		return -1;
	}
}

/* add_entry - the one entry, its method, level, time and encryption */
static int
add_entry(zip_t *za, struct pack_src *s, const char *entry,
    const char *password, int level)
{
	zip_source_t *src;
	zip_int64_t idx;

	if ((src = zip_source_function(za, src_cb, s)) == NULL)
		return -1;
	if ((idx = zip_file_add(za, entry, src, ZIP_FL_ENC_UTF_8)) < 0) {
		zip_source_free(src);
		return -1;
	}
	/* level 0 would mean libzip's default (9): store instead */
	if (level <= 0) {
		if (zip_set_file_compression(za, idx, ZIP_CM_STORE, 0) == -1)
			return -1;
	} else if (zip_set_file_compression(za, idx, ZIP_CM_DEFLATE,
	    level > 9 ? 9 : level) == -1)
		return -1;
	if (zip_file_set_mtime(za, idx, s->mtime, 0) == -1)
		return -1;
	if (password != NULL && zip_file_set_encryption(za, idx,
	    ZIP_EM_AES_256, password) == -1)
		return -1;
	return 0;
}

int
pack_zip(const char *path, const char *entry, const char *password,
    int level, pack_read_fn read, void *arg, char *err, size_t errlen)
{
	struct pack_src s;
	zip_error_t ze;
	zip_t *za;
	int zerr, e;

	memset(&s, 0, sizeof(s));
	s.read = read;
	s.arg = arg;
	s.mtime = time(NULL);
	zip_error_init(&s.error);
	if ((za = zip_open(path, ZIP_CREATE | ZIP_EXCL, &zerr)) == NULL) {
		zip_error_init_with_code(&ze, zerr);
		seterr(err, errlen, "zip %s: %s", path,
		    zip_error_strerror(&ze));
		zip_error_fini(&ze);
		zip_error_fini(&s.error);
		return -1;
	}
	if (add_entry(za, &s, entry, password, level) == -1) {
		seterr(err, errlen, "zip %s: %s", path, zip_strerror(za));
		goto fail;
	}
	if (zip_close(za) == -1) {
		if (s.failed)
			seterr(err, errlen, "zip %s: reading the data failed",
			    path);
		else
			seterr(err, errlen, "zip %s: %s", path,
			    zip_strerror(za));
		goto fail;
	}
	zip_error_fini(&s.error);
	return 0;
fail:
	e = errno;
	zip_discard(za);
	unlink(path);	/* ZIP_EXCL: it did not exist before us */
	zip_error_fini(&s.error);
	errno = e;
	return -1;
}
