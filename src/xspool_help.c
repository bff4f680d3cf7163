/* xspool_help.c - the command-line tool's help: one table of the
 * commands' synopses and paragraphs, printed to stdout when asked for
 * (exit 0) and to stderr with a usage error (exit 2). */
#include <err.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xspool.h"
#include "xspool_cli.h"

const struct option help_opts[] = {
	HELP_OPTION,
	{ NULL, 0, NULL, 0 }
};

static const struct cmdhelp {
	const char	*name;
	const char	*synopsis;
	const char	*text;
} helps[] = {
	{ "submit", "TYPE [-f FORMAT] [-p PASSWORD|-] [-e EMAIL] [-w URL] "
	    "[-C CLIENT] [-P NAME=VALUE]...",
	    "Queue an export of TYPE (see xspool types) and print the new "
	    "job's id.\n"
	    "  -f FORMAT      JSON (the default) or CSV\n"
	    "  -p PASSWORD    encrypt the zip (AES-256); -p - reads it from "
	    "the first\n"
	    "                 line of standard input\n"
	    "  -e EMAIL       mail this address when the job ends\n"
	    "  -w URL         call this webhook when the job ends\n"
	    "  -C CLIENT      the client the job is for (as an API key's "
	    "client)\n"
	    "  -P NAME=VALUE  an exporter parameter (repeatable)\n" },
	{ "resubmit", "ID [-p PASSWORD|-] [--no-password]",
	    "Queue a new job with the request of a finished (COMPLETED, "
	    "FAILED or\n"
	    "CANCELLED) job ID: same type, format, parameters, client, "
	    "callback and\n"
	    "e-mail (and a FAILED job's password); print the new id.  A "
	    "password is not\n"
	    "kept once a job has completed or been cancelled: when ID's zip "
	    "was to be\n"
	    "encrypted, give it again with -p, or --no-password for an "
	    "unencrypted zip.\n"
	    "  -p PASSWORD    encrypt the new zip; -p - reads it from "
	    "standard input\n"
	    "  --no-password  ID was encrypted; make the new one without a "
	    "password\n" },
	{ "status", "ID [--json]",
	    "Show job ID: state, request, times, attempts, progress and "
	    "result.  A\n"
	    "dropped file that went to bad/ shows state BAD and the reason.\n"
	    "  --json         the job as JSON (no password)\n" },
	{ "list", "[STATE|all] [--state S[,S...]] [--type T] [--client C] "
	    "[--since TIME]\n"
	    "       [--until TIME] [--limit N] [--json]",
	    "List jobs oldest first (by created time): QUEUED ones unless "
	    "a state is\n"
	    "given.  Filters combine (all must match):\n"
	    "  --state S      queued, processing, failed, completed, cancelled "
	    "or all;\n"
	    "                 repeatable or comma-separated\n"
	    "  --type T       jobs of export type T (repeatable)\n"
	    "  --client C     jobs of client C (repeatable)\n"
	    "  --since TIME   created at or after TIME: ISO 8601 "
	    "(2026-12-01,\n"
	    "                 2026-12-01T10:00:00Z) or an age (90s, 15m, 1h, "
	    "2d)\n"
	    "  --until TIME   created before TIME (the same forms)\n"
	    "  --limit N      at most N jobs (the newest N of those that "
	    "match)\n"
	    "  --json         a JSON array of the jobs (no passwords)\n" },
	{ "cancel", "[--running] ID",
	    "Cancel job ID.  Without --running only a QUEUED job can be "
	    "cancelled.\n"
	    "  --running      also stop a PROCESSING job: the daemon that "
	    "runs it (on\n"
	    "                 any node of the spool) kills its exporter and "
	    "moves it to\n"
	    "                 cancelled/; waits up to 60 s for that and "
	    "prints the\n"
	    "                 job's final state\n" },
	{ "wait", "ID [-t TIMEOUT]",
	    "Wait until job ID is COMPLETED (exit 0) or CANCELLED (exit 1); "
	    "a FAILED\n"
	    "job is waited for, as it will be retried.  On a terminal a "
	    "progress line\n"
	    "is drawn on stderr (with a percentage when the exporter announces "
	    "its\n"
	    "total); its last version shows the records and zip size.  Prints "
	    "the final\n"
	    "state; a file that went to bad/ prints BAD (exit 1).\n"
	    "  -t TIMEOUT     give up after TIMEOUT (30s, 5m, ...): exit 1\n" },
	{ "download", "ID [-o FILE|-]",
	    "Copy the zip of COMPLETED job ID to TYPE-ID.zip in the current "
	    "directory\n"
	    "and print that name.\n"
	    "  -o FILE        write to FILE instead; - for standard output\n" },
	{ "retry", "ID",
	    "Put FAILED or CANCELLED job ID back into queued/ (a cancelled "
	    "one starts\n"
	    "afresh, its attempts forgotten).  A cancelled job whose zip was "
	    "to be\n"
	    "encrypted is refused: its password is gone (use resubmit -p).\n" },
	{ "types", "[--json]",
	    "List the export types of the configuration: formats, "
	    "parameters with\n"
	    "their types, the program run or the SQL database (a password in "
	    "it\n"
	    "masked) and the timeout.\n"
	    "  --json         the same as a JSON array\n" },
	{ "check", "",
	    "Check the spool's consistency: a job in two states, unreadable "
	    "jobs,\n"
	    "orphan zips, stale leases, files in bad/, old tmp/ files, "
	    "owners.  Exit 1\n"
	    "when something is found.\n" },
	{ "key", "add NAME [--admin] [--allow IP,...] | list | "
	    "disable|enable|del KEYID",
	    "Manage the REST API keys of [http] keys.\n"
	    "  add NAME       a new key for client NAME; prints KEYID.SECRET "
	    "once\n"
	    "    --admin      the key may see every client's jobs\n"
	    "    --allow LIST only from these addresses or CIDR ranges\n"
	    "  list           the keys (never their secrets)\n"
	    "  disable, enable, del KEYID\n" },
	{ "help", "[COMMAND]",
	    "Show the list of commands, or COMMAND's help.  xspool COMMAND "
	    "--help\n"
	    "(or -h) does the same.\n" },
};
#define NHELPS	(sizeof(helps) / sizeof(helps[0]))

/* help_of - the help of a command ("key add": key's) */
static const struct cmdhelp *
help_of(const char *name)
{
	size_t i, n = strcspn(name, " ");

	for (i = 0; i < NHELPS; i++)
		if (strlen(helps[i].name) == n &&
		    strncmp(helps[i].name, name, n) == 0)
			return &helps[i];
	return NULL;
}

int
is_help(const char *arg)
{
	return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

void
help_all(FILE *fp)
{
	size_t i;

	fprintf(fp, "usage: xspool [-c FILE] COMMAND [ARGS]\n"
	    "       xspool -V | --version\n"
	    "       xspool help [COMMAND]\n"
	    "commands:\n");
	for (i = 0; i < NHELPS; i++)
		fprintf(fp, "  %s%s%s\n", helps[i].name,
		    helps[i].synopsis[0] ? " " : "", helps[i].synopsis);
	fprintf(fp, "-c FILE reads that configuration (default: "
	    "$XSPOOL_CONF, etc/xspool.conf, ...).\n"
	    "xspool help COMMAND (or xspool COMMAND --help) describes one "
	    "command.\n");
}

void
help_exit(const char *name)
{
	const struct cmdhelp *h = help_of(name);

	if (h == NULL || strchr(name, ' ') != NULL)
		cmd_usage("help", "%s: unknown command", name);
	printf("usage: xspool %s%s%s\n\n%s", h->name, h->synopsis[0] ?
	    " " : "", h->synopsis, h->text);
	if (fflush(stdout) == EOF)
		err(EXIT_NO, "stdout");
	exit(0);
}

void
cmd_usage(const char *name, const char *fmt, ...)
{
	const struct cmdhelp *h = help_of(name);
	va_list ap;

	if (fmt != NULL) {
		fprintf(stderr, "xspool %s: ", name);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	if (h != NULL)
		fprintf(stderr, "usage: xspool %s%s%s\n"
		    "(xspool help %s for more)\n", h->name,
		    h->synopsis[0] ? " " : "", h->synopsis, h->name);
	exit(EXIT_USAGE);
}

/* want_args - argc - optind arguments where want are wanted, what names
 * them (for "missing job id") */
void
want_args(const char *name, int argc, char **argv, int want,
    const char *what)
{
	int n = argc - optind;

	if (n < want)
		cmd_usage(name, "missing %s", what);
	if (n > want)
		cmd_usage(name, "unexpected argument %s", argv[optind + want]);
}

int
cmd_help(struct ctx *x, int argc, char **argv)
{
	if (argc == 1) {
		help_all(stdout);
		return 0;
	}
	if (argc > 2)
		cmd_usage("help", "unexpected argument %s", argv[2]);
	help_exit(is_help(argv[1]) ? "help" : argv[1]);
}
