/* gen.c - synthetic export records for the benchmarks: about BYTES bytes
 * of CSV (with a header row) or JSON Lines on stdout.
 * usage: gen csv|jsonl BYTES */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *names[] = { "Jan Novák", "Eva Dvořáková", "Petr Černý",
    "Anna Svobodová", "Tomáš Procházka", "Marie Kučerová", "John Smith",
    "Zoë O'Brien" };
static const char *notes[] = { "", "check-up", "filling, upper left",
    "said \"no pain\"", "x-ray; follow-up in 6 months", "crown 2/3" };

int
main(int argc, char **argv)
{
	long long want, done = 0;
	int csv, n;
	long i;
	char line[512];

	if (argc != 3)
		return fprintf(stderr, "usage: gen csv|jsonl BYTES\n"), 2;
	csv = strcmp(argv[1], "csv") == 0;
	want = atoll(argv[2]);
	if (csv)
		done += printf("id,name,date,amount,paid,note\n");
	for (i = 1; done < want; i++) {
		const char *nm = names[i % 8], *no = notes[i % 6];

		if (csv) {
			char q[128];
			size_t k = 0;
			const char *p;

			/* RFC 4180: quote when needed, double the quotes */
			if (strpbrk(no, ",\"\n")) {
				q[k++] = '"';
				for (p = no; *p; p++) {
					if (*p == '"')
						q[k++] = '"';
					q[k++] = *p;
				}
				q[k++] = '"';
			} else
				for (p = no; *p; p++)
					q[k++] = *p;
			q[k] = '\0';
			n = snprintf(line, sizeof(line),
			    "%ld,%s,2026-%02ld-%02ld,%ld.%02ld,%s,%s\n", i, nm,
			    i % 12 + 1, i % 28 + 1, i % 5000, i % 100,
			    i % 3 ? "true" : "false", q);
		} else {
			char q[128];
			size_t k = 0;
			const char *p;

			for (p = no; *p; p++) {
				if (*p == '"')
					q[k++] = '\\';
				q[k++] = *p;
			}
			q[k] = '\0';
			n = snprintf(line, sizeof(line),
			    "{\"id\":%ld,\"name\":\"%s\",\"date\":\"2026-%02ld-%02ld\","
			    "\"amount\":%ld.%02ld,\"paid\":%s,\"note\":\"%s\"}\n",
			    i, nm, i % 12 + 1, i % 28 + 1, i % 5000, i % 100,
			    i % 3 ? "true" : "false", q);
		}
		fwrite(line, 1, (size_t)n, stdout);
		done += n;
	}
	return 0;
}
