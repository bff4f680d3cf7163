/* t-config.c - the config file: defaults, every kind of value, relative
 * paths, and each kind of error with its exact line number. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "xspool.h"
#include "tap.h"

static char dir[] = "/tmp/t-config.XXXXXX";
static char path[PATH_MAX];
static char err[ERRLEN];

/* load - write text to the test file and load it; 0 or -1, err set */
static int
load(struct config *c, const char *text)
{
	FILE *fp;

	if ((fp = fopen(path, "w")) == NULL)
		return -2;
	fputs(text, fp);
	fclose(fp);
	err[0] = '\0';
	return config_load(c, path, err, sizeof(err));
}

/* refused - loading text fails with "PATH:LINE: " and reason in err */
static void
refused(const char *what, const char *text, int line, const char *reason)
{
	struct config c;
	char want[PATH_MAX + 32];
	int r;

	r = load(&c, text);
	if (line > 0)
		snprintf(want, sizeof(want), "%s:%d: ", path, line);
	else
		snprintf(want, sizeof(want), "%s: ", path);
	ok(r == -1 && strncmp(err, want, strlen(want)) == 0 &&
	    strstr(err + strlen(want), reason) != NULL,
	    "%s: refused at line %d", what, line);
	if (r != -1 || strncmp(err, want, strlen(want)) != 0 ||
	    strstr(err, reason) == NULL)
		printf("#   err: %s\n#   want: %s...%s\n", err, want, reason);
	if (r == 0)
		config_free(&c);
}

static void
t_defaults(void)
{
	struct config c;
	char cwd[PATH_MAX], want[PATH_MAX + 16], host[256];
	int r;

	getcwd(cwd, sizeof(cwd));
	r = load(&c, "");
	ok(r == 0, "an empty file loads (%s)", err);
	if (r != 0)
		return;
	snprintf(want, sizeof(want), "%s/spool", cwd);
	is_str(c.dir, want, "dir defaults to ./spool, made absolute");
	snprintf(want, sizeof(want), "%s/etc/keys", cwd);
	is_str(c.keys, want, "keys defaults to ./etc/keys, made absolute");
	gethostname(host, sizeof(host));
	host[strcspn(host, ".")] = '\0';
	is_str(c.node, host, "node defaults to the host name");
	ok(c.workers == 2 && c.max_attempts == 3, "workers 2, max_attempts 3");
	ok(c.retry_base_ms == 30000 && c.retry_max_ms == 3600000,
	    "retry_base 30s, retry_max 1h");
	ok(c.lease_ms == 120000 && c.rescan_ms == 30000, "lease 2m, rescan 30s");
	ok(c.retention_ms == 7 * 86400000LL && c.drop_grace_ms == 60000,
	    "retention 7d, drop_grace 60s");
	ok(c.min_free == 64 << 20 && c.kill_grace_ms == 5000,
	    "min_free 64M, kill_grace 5s");
	ok(c.sync == 1 && c.zip_level == 6, "sync yes, zip_level 6");
	is_str(c.listen, "127.0.0.1:8080", "listen 127.0.0.1:8080");
	ok(c.max_connections == 1024 && c.max_per_ip == 0 &&
	    c.max_header == 8192 && c.header_timeout_ms == 5000 &&
	    c.request_timeout_ms == 30000 && c.rate == 0 && c.threads == 2,
	    "http limits default");
	ok(!c.tls_cert && !c.tls_key && !c.access_log && !c.smtp && !c.from &&
	    !c.webhook_secret && !c.callback_allow && !c.base_url,
	    "optional strings unset");
	ok(c.webhook_timeout_ms == 10000 && c.webhook_attempts == 5 &&
	    c.webhook_retry_base_ms == 10000 && c.notify_each_failure == 0,
	    "notify defaults");
	ok(c.ntypes == 0 && c.types == NULL, "no types");
	is_str(c.path, path, "path kept");
	config_free(&c);
}

static const char full[] =
	"; a full config\n"					/* 1 */
	"# hash comment\n"					/* 2 */
	"[spool]\n"						/* 3 */
	"dir = /var/spool/xspool\n"				/* 4 */
	"  node = batch-2   ; indented, inline comment\n"		/* 5 */
	"workers = 8\n"						/* 6 */
	"max_attempts = 5\n"					/* 7 */
	"retry_base = 250ms\n"					/* 8 */
	"retry_max = 2h\n"					/* 9 */
	"lease = 90\n"						/* 10 */
	"rescan = 1s\n"						/* 11 */
	"retention = 30d\n"					/* 12 */
	"drop_grace = 2m\n"					/* 13 */
	"min_free = 1G\n"					/* 14 */
	"kill_grace = 3s\n"					/* 15 */
	"sync = off\n"						/* 16 */
	"zip_level = 1\n"					/* 17 */
	"[http]\n"						/* 18 */
	"listen = 0.0.0.0:80,[::1]:8080\n"			/* 19 */
	"keys = my/keys\n"					/* 20 */
	"max_connections = 10\n"				/* 21 */
	"max_header = 16K\n"					/* 22 */
	"request_timeout = 5s\n"				/* 23 */
	"rate = 600\n"						/* 24 */
	"threads = 4\n"						/* 25 */
	"tls_cert = ./tls/cert.pem\n"				/* 26 */
	"tls_key = /etc/tls/key.pem\n"				/* 27 */
	"access_log = -\n"					/* 28 */
	"[notify]\n"						/* 29 */
	"smtp = smtp://127.0.0.1:25\n"				/* 30 */
	"smtp_user = u\n"					/* 31 */
	"smtp_password = p#w\n"					/* 32 */
	"from = xspool@example.com\n"				/* 33 */
	"webhook_secret = whsec_AAAA\n"				/* 34 */
	"webhook_timeout = 2s\n"				/* 35 */
	"webhook_attempts = 2\n"				/* 36 */
	"webhook_retry_base = 1s\n"				/* 37 */
	"callback_allow = *.example.com,10.0.0.0/8\n"		/* 38 */
	"notify_each_failure = TRUE\n"				/* 39 */
	"base_url = https://x.example.com\n"			/* 40 */
	"\n"							/* 41 */
	"[type Invoices]\n"					/* 42 */
	"command = etc/exporters/invoices --since  2020\t-v\n"	/* 43 */
	"emits = csv\n"						/* 44 */
	"formats = csv\n"					/* 45 */
	"timeout = 90s\n"					/* 46 */
	"max_bytes = 512K\n"					/* 47 */
	"columns = id:int, amount:number,paid:bool,my note:string,x\n" /* 48 */
	"level = 9\n"						/* 49 */
	"[type Pat_2-x]\n"					/* 50 */
	"command = /bin/true\n"					/* 51 */
	"emits = JSONL\n"					/* 52 */
	"[type Sh]\n"						/* 53 */
	"command = sh -c true\n";				/* 54 */

static void
t_full(void)
{
	struct config c;
	const struct xtype *t;
	char cwd[PATH_MAX], want[PATH_MAX + 32];
	int r;

	getcwd(cwd, sizeof(cwd));
	r = load(&c, full);
	ok(r == 0, "a full config loads (%s)", err);
	if (r != 0)
		return;
	is_str(c.dir, "/var/spool/xspool", "dir");
	is_str(c.node, "batch-2", "indented key is a key, inline ; comment");
	ok(c.workers == 8 && c.max_attempts == 5, "ints");
	ok(c.retry_base_ms == 250 && c.retry_max_ms == 7200000 &&
	    c.lease_ms == 90000 && c.rescan_ms == 1000 &&
	    c.retention_ms == 30 * 86400000LL && c.drop_grace_ms == 120000 &&
	    c.kill_grace_ms == 3000, "durations, bare number is seconds");
	ok(c.min_free == 1LL << 30 && c.max_header == 16384, "sizes");
	ok(c.sync == 0 && c.zip_level == 1, "bool off");
	is_str(c.listen, "0.0.0.0:80,[::1]:8080", "listen list");
	snprintf(want, sizeof(want), "%s/my/keys", cwd);
	is_str(c.keys, want, "relative keys made absolute");
	snprintf(want, sizeof(want), "%s/tls/cert.pem", cwd);
	is_str(c.tls_cert, want, "./tls/cert.pem made absolute without ./");
	is_str(c.tls_key, "/etc/tls/key.pem", "absolute path kept");
	is_str(c.access_log, "-", "access_log - kept");
	ok(c.max_connections == 10 && c.request_timeout_ms == 5000 &&
	    c.rate == 600 && c.threads == 4, "http ints");
	is_str(c.smtp_password, "p#w", "# inside a value is kept");
	is_str(c.callback_allow, "*.example.com,10.0.0.0/8", "callback_allow");
	ok(c.notify_each_failure == 1 && c.webhook_attempts == 2 &&
	    c.webhook_timeout_ms == 2000 && c.webhook_retry_base_ms == 1000,
	    "notify values, TRUE is true");
	ok(c.ntypes == 3, "three types");
	t = config_type(&c, "Invoices");
	ok(t != NULL && t->line == 42, "config_type finds Invoices, line 42");
	if (t == NULL)
		goto out;
	snprintf(want, sizeof(want), "%s/etc/exporters/invoices", cwd);
	is_str(t->command, want, "command made absolute");
	is_str(t->argv[0], want, "argv[0] is the absolute command");
	ok(t->argv[1] && strcmp(t->argv[1], "--since") == 0 && t->argv[2] &&
	    strcmp(t->argv[2], "2020") == 0 && t->argv[3] &&
	    strcmp(t->argv[3], "-v") == 0 && t->argv[4] == NULL,
	    "command split on blanks and tabs, no empty words");
	ok(t->emits == EMITS_CSV && t->formats == FMT_CSV &&
	    t->timeout_ms == 90000 && t->max_bytes == 512 * 1024 &&
	    t->level == 9, "type values");
	ok(t->ncolumns == 5 && strcmp(t->columns[0].name, "id") == 0 &&
	    t->columns[0].type == COL_INT &&
	    strcmp(t->columns[1].name, "amount") == 0 &&
	    t->columns[1].type == COL_NUMBER &&
	    t->columns[2].type == COL_BOOL && t->columns[3].type == COL_STRING &&
	    strcmp(t->columns[3].name, "my note") == 0 &&
	    strcmp(t->columns[4].name, "x") == 0 &&
	    t->columns[4].type == COL_STRING, "columns spec, blanks trimmed,"
	    " type defaults to string");
	t = config_type(&c, "Pat_2-x");
	ok(t && t->emits == EMITS_JSONL && t->formats == (FMT_JSON | FMT_CSV)
	    && t->timeout_ms == 600000 && t->max_bytes == 10LL << 30 &&
	    t->level == -1 && t->columns == NULL && t->line == 50,
	    "type defaults: formats JSON,CSV, timeout 10m, max_bytes 10G");
	t = config_type(&c, "Sh");
	ok(t && t->command[0] == '/' && strstr(t->command, "/sh") &&
	    t->emits == EMITS_CSV, "bare command found in PATH; emits csv");
	ok(config_type(&c, "invoices") == NULL && config_type(&c, "X") == NULL
	    && config_type(&c, NULL) == NULL, "config_type: exact names only");
out:
	config_free(&c);
	ok(c.types == NULL && c.dir == NULL, "config_free clears");
}

static void
t_errors(void)
{
	char longline[300];

	refused("unknown key", "[spool]\nworkers = 2\nbogus = 1\n", 3,
	    "unknown key bogus");
	refused("key of another section", "[http]\n\nworkers = 2\n", 3,
	    "unknown key workers");
	refused("unknown section", "[spool]\n[spol]\ndir = x\n", 2,
	    "unknown section [spol]");
	refused("key outside a section", "; c\nworkers = 2\n", 2,
	    "outside of a section");
	refused("syntax error", "[spool]\nworkers 2\n", 2, "syntax error");
	refused("unclosed section", "\n\n[spool\n", 3, "syntax error");
	refused("bad int", "[spool]\nworkers = two\n", 2, "workers: bad value");
	refused("int with junk", "[spool]\nworkers = 2x\n", 2, "bad value");
	refused("int out of range", "[spool]\nworkers = 0\n", 2,
	    "out of range");
	refused("int overflow", "[spool]\nworkers = 99999999999999999999\n", 2,
	    "bad value");
	refused("bad bool", "[spool]\nsync = maybe\n", 2, "want yes or no");
	refused("bad duration", "[spool]\n\n\nlease = 10 minutes\n", 4,
	    "lease: bad value");
	refused("negative duration", "[spool]\nretry_base = -1s\n", 2,
	    "bad value");
	refused("duration overflow", "[spool]\nlease = 9999999999999999d\n", 2,
	    "bad value");
	refused("duration out of range", "[spool]\nlease = 0\n", 2,
	    "out of range");
	refused("bad size", "[spool]\nmin_free = 1X\n", 2, "want a size");
	refused("size overflow", "[spool]\nmin_free = 99999999999T\n", 2,
	    "bad value");
	refused("zip_level over 9", "[spool]\nzip_level = 10\n", 2,
	    "out of range");
	refused("level over 9", "[type A]\ncommand = /bin/true\nlevel = 10\n",
	    3, "out of range");
	refused("duplicate key", "[spool]\nworkers = 2\nworkers = 3\n", 3,
	    "workers set twice (first on line 2)");
	refused("duplicate key over two sections",
	    "[spool]\ndir = a\n[http]\n[spool]\ndir = b\n", 5, "set twice");
	refused("duplicate type",
	    "[type A]\ncommand = /bin/true\n\n[type A]\ncommand = /bin/true\n",
	    4, "duplicate type A (first on line 1)");
	refused("duplicate type, other case",
	    "[type A]\ncommand = /bin/true\n[type a]\n", 3, "duplicate type");
	refused("type without command",
	    "[spool]\n[type A]\nemits = csv\n[type B]\ncommand = /bin/true\n",
	    2, "[type A] has no command");
	refused("empty type section at the end",
	    "[type B]\ncommand = /bin/true\n\n[type Empty]\n", 4, "no command");
	refused("type without a name", "[spool]\n[type]\n", 2, "needs a name");
	refused("bad type name", "[type ../x]\n", 1, "a type name is");
	refused("type name with a blank", "[type a b]\n", 1, "a type name is");
	refused("emits neither csv nor jsonl",
	    "[type A]\ncommand = /bin/true\nemits = json\n", 3,
	    "emits: 'json' is not csv or jsonl");
	refused("webhook_secret that is not base64",
	    "[notify]\nfrom = x@example.com\nwebhook_secret = whsec_a!b\n", 3,
	    "webhook_secret: not base64");
	refused("formats not JSON/CSV",
	    "[type A]\ncommand = /bin/true\nformats = JSON,XML\n", 3,
	    "formats: 'XML' is not JSON or CSV");
	refused("formats empty item",
	    "[type A]\ncommand = /bin/true\nformats = JSON,\n", 3,
	    "formats: '' is not");
	refused("columns bad type",
	    "[type A]\ncommand = /bin/true\ncolumns = a:int,b:date\n", 3,
	    "columns: a column's type");
	refused("columns empty name",
	    "[type A]\ncommand = /bin/true\ncolumns = a:int,:bool\n", 3,
	    "columns: a column needs a name");
	refused("columns twice the same",
	    "[type A]\ncommand = /bin/true\ncolumns = a,b,a:int\n", 3,
	    "named twice");
	refused("command not in PATH",
	    "[type A]\ncommand = no-such-command-xspool\n", 2,
	    "not found in PATH");
	refused("empty command", "[type A]\ncommand = /bin/true\n"
	    "[type B]\ncommand =  \n", 4, "[type B]: empty command");
	refused("bad node", "[spool]\n\nnode = a/b\n", 3,
	    "node: 'a/b' is not a valid node name");
	refused("node too long", "[spool]\nnode = "
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "\n", 2, "not a valid node name");
	refused("retry_max < retry_base",
	    "[spool]\nretry_base = 1h\nretry_max = 1m\n", 3,
	    "retry_max is shorter");
	refused("tls_cert without tls_key", "[http]\ntls_cert = c.pem\n", 2,
	    "tls_cert and tls_key go together");
	refused("invalid UTF-8", "[spool]\nnode = caf\xc3\n", 2,
	    "invalid UTF-8");
	memset(longline, 'a', sizeof(longline));
	memcpy(longline, "[http]\n", 7);
	strcpy(longline + 250, " = 1\n");
	refused("line too long, a name", longline, 2, "line too long");
	memcpy(longline, "[spool]\n[", 9);
	strcpy(longline + 250, "]\n");
	refused("line too long, a section", longline, 2, "line too long");
	refused("first error wins", "[spool]\nworkers = x\nbogus = 1\n", 2,
	    "workers");
	refused("syntax error before a value error",
	    "[spool]\nnonsense\nworkers = x\n", 2, "syntax error");
}

/* t_long - lines over inih's 199 bytes still work */
static void
t_long(void)
{
	struct config c;
	struct buf b, want;
	int i, r;

	buf_init(&b);
	buf_init(&want);
	for (i = 0; i < 40; i++)
		buf_addf(&want, "%scolumn_%02d:int", i ? "," : "", i);
	buf_adds(&b, "; ");
	for (i = 0; i < 30; i++)
		buf_adds(&b, "a long comment ");
	buf_adds(&b, "\n[notify]\ncallback_allow =   ");
	buf_adds(&b, want.p);
	buf_adds(&b, "   ; a comment\n[type A]\ncommand = /bin/true\n");
	buf_addf(&b, "  columns=%s\nemits = csv\n", want.p);
	r = load(&c, b.p);
	ok(r == 0, "long lines load (%s)", err);
	if (r == 0) {
		is_str(c.callback_allow, want.p, "a %zu-byte value, blanks and"
		    " comment stripped", want.len);
		ok(c.types[0].ncolumns == 40 && c.types[0].emits == EMITS_CSV &&
		    strcmp(c.types[0].columns[39].name, "column_39") == 0 &&
		    c.types[0].columns[39].type == COL_INT,
		    "a 40-column spec on one line");
		config_free(&c);
	}
	buf_reset(&b);
	buf_addf(&b, "[type A]\ncommand = /bin/true\ncolumns = %s,x:date\n",
	    want.p);
	buf_reset(&want);
	buf_addf(&want, "%s:3: ", path);
	r = load(&c, b.p);
	ok(r == -1 && strncmp(err, want.p, want.len) == 0 &&
	    strstr(err, "column's type") && strstr(err, "at 'x'"),
	    "an error in a long value names its line (%s)", err);
	buf_free(&b);
	buf_free(&want);
}

static void
t_misc(void)
{
	struct config c;
	int r;

	unlink(path);
	err[0] = '\0';
	r = config_load(&c, path, err, sizeof(err));
	ok(r == -1 && strstr(err, path) == err &&
	    strstr(err, "No such file") != NULL &&
	    strchr(err + strlen(path) + 1, ':') == NULL,
	    "missing file: FILE: reason, no line (%s)", err);
	r = load(&c, "[type A]\ncommand = /bin/true\nformats = json\n"
	    "emits = jsonl\n");
	ok(r == 0 && c.types[0].formats == FMT_JSON,
	    "formats is case-insensitive");
	if (r == 0)
		config_free(&c);
	ok(format_parse("JSON") == FMT_JSON && format_parse("csv") == FMT_CSV
	    && format_parse("xml") == FMT_NONE && format_parse(NULL) == FMT_NONE,
	    "format_parse");
	is_str(format_name(FMT_JSON), "JSON", "format_name JSON");
	is_str(format_name(FMT_CSV), "CSV", "format_name CSV");
	is_str(format_ext(FMT_JSON), "json", "format_ext json");
	is_str(format_ext(FMT_CSV), "csv", "format_ext csv");
	is_str(format_name(FMT_NONE), "", "format_name unknown: empty");
	r = load(&c, "[spool]\r\nworkers = 7\r\n");
	ok(r == 0 && c.workers == 7, "CRLF line ends");
	if (r == 0)
		config_free(&c);
	r = load(&c, "[spool]\nnode =\n[notify]\nfrom = \n");
	ok(r == 0 && c.node && *c.node && c.from == NULL,
	    "an empty value means the default");
	if (r == 0)
		config_free(&c);
}

/* t_default - where the programs look without -c */
static void
t_default(void)
{
	char cwd[PATH_MAX], sub[PATH_MAX + 16], f[PATH_MAX + 32];
	FILE *fp;

	setenv("XSPOOL_CONF", "/some/where.conf", 1);
	is_str(config_default(), "/some/where.conf",
	    "default config: $XSPOOL_CONF first");
	unsetenv("XSPOOL_CONF");
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return;
	snprintf(sub, sizeof(sub), "%s/etc", dir);
	snprintf(f, sizeof(f), "%s/xspool.conf", sub);
	if (mkdir(sub, 0700) == -1 || (fp = fopen(f, "w")) == NULL)
		return;
	fclose(fp);
	if (chdir(dir) == -1)
		return;
	is_str(config_default(), "etc/xspool.conf",
	    "default config: etc/xspool.conf in a source tree");
	unlink(f);
	if (access("/usr/local/etc/xspool/xspool.conf", F_OK) == -1 &&
	    access("/etc/xspool/xspool.conf", F_OK) == -1)
		is_str(config_default(), "etc/xspool.conf",
		    "default config: nothing installed, etc/xspool.conf is"
		    " named in the error");
	rmdir(sub);
	if (chdir(cwd) == -1)
		return;
}

/* put - a secret's file in the test directory, with its mode */
static void
put(const char *name, const char *text, mode_t mode)
{
	char f[PATH_MAX + 32];
	FILE *fp;

	snprintf(f, sizeof(f), "%s/%s", dir, name);
	if ((fp = fopen(f, "w")) == NULL)
		return;
	fputs(text, fp);
	fclose(fp);
	chmod(f, mode);
}

/* t_secret_files - smtp_password_file and webhook_secret_file: one line,
 * newline dropped, refused when others may read it */
static void
t_secret_files(void)
{
	static const char *names[] = { "pw", "wh", "open", "two", "empty",
	    "bad" };
	struct config c;
	char text[3 * PATH_MAX];
	size_t i;

	put("pw", "s3cret pass\n", 0600);
	put("wh", "whsec_QUJDRA==\r\n", 0640);
	put("open", "x\n", 0644);
	put("two", "a\nb\n", 0600);
	put("empty", "\n", 0600);
	put("bad", "whsec_a!b\n", 0600);
	snprintf(text, sizeof(text), "[notify]\nsmtp_password_file = %s/pw\n"
	    "webhook_secret_file = %s/wh\n", dir, dir);
	ok(load(&c, text) == 0 && c.smtp_password != NULL &&
	    strcmp(c.smtp_password, "s3cret pass") == 0 &&
	    c.webhook_secret != NULL &&
	    strcmp(c.webhook_secret, "whsec_QUJDRA==") == 0,
	    "secrets from files, trailing newline dropped");
	if (c.smtp_password == NULL)
		printf("#   err: %s\n", err);
	config_free(&c);
	snprintf(text, sizeof(text), "[notify]\nsmtp_password_file = %s/open\n",
	    dir);
	refused("a secret's file readable by others", text, 2,
	    "is readable by others");
	snprintf(text, sizeof(text), "[notify]\nsmtp_password_file = %s/two\n",
	    dir);
	refused("a secret's file of two lines", text, 2, "want one non-empty");
	snprintf(text, sizeof(text), "[notify]\nsmtp_password_file = %s/empty\n",
	    dir);
	refused("an empty secret's file", text, 2, "want one non-empty");
	snprintf(text, sizeof(text), "[notify]\nsmtp_password_file = %s/none\n",
	    dir);
	refused("a missing secret's file", text, 2, "No such file");
	snprintf(text, sizeof(text), "[notify]\nwebhook_secret_file = %s/bad\n",
	    dir);
	refused("webhook_secret_file not base64", text, 2,
	    "webhook_secret: not base64");
	snprintf(text, sizeof(text), "[notify]\nsmtp_password = x\n"
	    "smtp_password_file = %s/pw\n", dir);
	refused("smtp_password and its file", text, 3, "exclude each other");
	snprintf(text, sizeof(text), "[notify]\nwebhook_secret_file = %s/wh\n"
	    "webhook_secret = whsec_QUJDRA==\n", dir);
	refused("webhook_secret after its file", text, 3,
	    "exclude each other");
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(text, sizeof(text), "%s/%s", dir, names[i]);
		unlink(text);
	}
}

/* t_sched - schedule, weights, max_queued, max_running */
static void
t_sched(void)
{
	struct config c;
	int r;

	r = load(&c, "[spool]\n");
	ok(r == 0 && c.fair == 1 && config_client(&c.weights, "x") == 1 &&
	    config_client(&c.max_queued, NULL) == 0, "defaults: fair, weight "
	    "1, no cap");
	if (r == 0)
		config_free(&c);
	r = load(&c, "[spool]\nschedule = fifo\nweights = 2, erp:3, -:5\n"
	    "max_queued = erp:10\n[type A]\ncommand = /bin/true\n"
	    "max_running = 4\n");
	ok(r == 0 && c.fair == 0 && config_client(&c.weights, "erp") == 3 &&
	    config_client(&c.weights, NULL) == 5 &&
	    config_client(&c.weights, "crm") == 2 &&
	    config_client(&c.max_queued, "erp") == 10 &&
	    config_client(&c.max_queued, "crm") == 0 &&
	    c.types[0].max_running == 4, "schedule, weights (\"-\": no "
	    "client), max_queued, max_running (%s)", r ? err : "ok");
	if (r == 0)
		config_free(&c);
	refused("schedule", "[spool]\nschedule = lottery\n", 2,
	    "not fair or fifo");
	refused("weight 0", "[spool]\nweights = erp:0\n", 2,
	    "not a number in range");
	refused("a bad client name", "[spool]\nweights = e r p:2\n", 2,
	    "client name");
	refused("max_queued", "[spool]\nmax_queued = x\n", 2,
	    "not a number");
}

int
main(void)
{
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/xspool.conf", dir);
	t_defaults();
	t_full();
	t_errors();
	t_long();
	t_misc();
	t_default();
	t_secret_files();
	t_sched();
	unlink(path);
	rmdir(dir);
	return done_testing();
}
