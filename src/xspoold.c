/* xspoold.c - placeholder main until its issue lands; replaced by its owner. */
#include <stdio.h>

#include "xspool.h"

int
main(void)
{
	fprintf(stderr, "xspoold: not built yet\n");
	return 1;
}
