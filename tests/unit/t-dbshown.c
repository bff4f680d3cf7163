/* t-dbshown.c - config_db_shown: a [type]'s database string for people,
 * with any password in it masked (xspool types). */
#include <stdlib.h>
#include <string.h>

#include "xspool.h"
#include "tap.h"

int
main(void)
{
	static const struct { const char *in, *want; } t[] = {
		{ "postgresql://bob:s3cret@db.example.com:5432/acc",
		  "postgresql://bob:***@db.example.com:5432/acc" },
		{ "postgres://bob@db/acc", "postgres://bob@db/acc" },
		{ "postgresql://db/acc?sslmode=require&password=pw&x=1",
		  "postgresql://db/acc?sslmode=require&password=***&x=1" },
		{ "postgresql://u:a@b@db/x?password=c",
		  "postgresql://u:***@db/x?password=***" },
		{ "postgresql://db/acc?passfile=/etc/pgpass",
		  "postgresql://db/acc?passfile=/etc/pgpass" },
		{ "postgresql://db/x?mypassword=1",
		  "postgresql://db/x?mypassword=1" },
		{ "sqlite:/var/lib/demo.db", "sqlite:/var/lib/demo.db" },
		{ "postgresql://u:@db/x", "postgresql://u:***@db/x" },
	};
	struct buf b;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		buf_init(&b);
		config_db_shown(t[i].in, &b);
		buf_addc(&b, '\0');
		is_str(b.p, t[i].want, "%s", t[i].want);
		buf_free(&b);
	}
	return done_testing();
}
