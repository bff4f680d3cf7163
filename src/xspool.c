/* xspool.c - placeholder main until its issue lands; replaced by its owner. */
#include <stdio.h>

#include "xspool.h"

int
main(void)
{
	fprintf(stderr, "xspool: not built yet\n");
	return 1;
}
