/* log.c - the daemons' diagnostics: stderr in the foreground (-f), syslog
 * otherwise, in the style of OpenBSD's log.c.  When stderr is the journal
 * (systemd's $JOURNAL_STREAM), each line starts with its <N> level. */
#include <sys/stat.h>

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "xspool.h"

static int	 log_fg = 1;
static int	 log_dbg;
static int	 log_journal;	/* stderr is journald's stream */
static const char *log_name = "xspool";

/* journal_stream - $JOURNAL_STREAM ("DEV:INO") names stderr: systemd set
 * it and stderr was not redirected since */
static int
journal_stream(void)
{
	const char *v = getenv("JOURNAL_STREAM");
	uintmax_t dev, ino;
	struct stat sb;
	char end;

	if (v == NULL || sscanf(v, "%ju:%ju%c", &dev, &ino, &end) != 2 ||
	    fstat(STDERR_FILENO, &sb) == -1)
		return 0;
	return (uintmax_t)sb.st_dev == dev && (uintmax_t)sb.st_ino == ino;
}

void
log_init(const char *progname, int foreground)
{
	log_name = progname;
	log_fg = foreground;
	log_journal = foreground && journal_stream();
	if (!foreground)
		openlog(progname, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_setdebug(int on)
{
	log_dbg = on;
}

/* logv - one line, with strerror(errnum) appended when errnum != 0 */
static void
logv(int pri, int errnum, const char *fmt, va_list ap)
{
	char msg[2048];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (errnum) {
		n = strlen(msg);
		snprintf(msg + n, sizeof(msg) - n, ": %s", strerror(errnum));
	}
	if (log_journal) {
		/* journald reads the level and stamps the time itself */
		fprintf(stderr, "<%d>%s: %s\n", pri, log_name, msg);
		fflush(stderr);
	} else if (log_fg) {
		char ts[32];

		fprintf(stderr, "%s %s: %s\n", fmt_time(now_ms(), ts),
		    log_name, msg);
		fflush(stderr);
	} else
		syslog(pri, "%s", msg);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	logv(LOG_INFO, 0, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_dbg)
		return;
	va_start(ap, fmt);
	logv(LOG_DEBUG, 0, fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	logv(LOG_WARNING, saved, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	logv(LOG_WARNING, 0, fmt, ap);
	va_end(ap);
}

void
log_errx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	logv(LOG_ERR, 0, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	logv(LOG_CRIT, saved, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	logv(LOG_CRIT, 0, fmt, ap);
	va_end(ap);
	exit(1);
}
