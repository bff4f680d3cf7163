/* xrunlog.c - a tiny exporter for the NFS tests and benchmarks, in C
 * because on the user-mode Linux rig every exec is costly and a shell
 * script costs more (tests/nfs/README).  Appends one line to the file
 * named by the job parameter "log" (XSPOOL_PARAM_log), when given:
 *	ID			without a "t0" parameter
 *	ID T0 START		with one: T0 as given (the submitter's clock,
 *				ns), START this process's CLOCK_REALTIME, ns
 * then prints a CSV header and three records.  The line is one write on
 * an O_APPEND descriptor, so the lines of concurrent runs do not
 * interleave (keep the log on a local file system).  Exit 0, or 1 when
 * the log cannot be written. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int
main(void)
{
	const char *log = getenv("XSPOOL_PARAM_log");
	const char *t0 = getenv("XSPOOL_PARAM_t0");
	const char *id = getenv("XSPOOL_ID");
	struct timespec ts;
	char line[512];
	int fd, n;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (log != NULL && *log != '\0') {
		if (id == NULL)
			id = "?";
		if (t0 != NULL)
			n = snprintf(line, sizeof(line), "%s %s %lld\n", id, t0,
			    (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
		else
			n = snprintf(line, sizeof(line), "%s\n", id);
		if (n < 0 || (size_t)n >= sizeof(line))
			return 1;
		if ((fd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
		    0644)) == -1) {
			perror(log);
			return 1;
		}
		if (write(fd, line, (size_t)n) != n) {
			perror(log);
			close(fd);
			return 1;
		}
		close(fd);
	}
	fputs("id,name\n1,row 1\n2,row 2\n3,row 3\n", stdout);
	return 0;
}
