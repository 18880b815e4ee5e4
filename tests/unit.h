/* SPDX-License-Identifier: ISC */
/* A minimal TAP-ish harness for the C unit tests. */
#ifndef UNIT_H
#define UNIT_H

#include <stdio.h>
#include <stdlib.h>

static int unit_passed, unit_failed;

#define CHECK(cond, what) do {						\
	if (cond) {							\
		unit_passed++;						\
		printf("ok - %s\n", what);				\
	} else {							\
		unit_failed++;						\
		printf("not ok - %s (%s:%d)\n", what, __FILE__, __LINE__); \
	}								\
} while (0)

static inline int
unit_finish(void)
{
	printf("%d passed, %d failed\n", unit_passed, unit_failed);
	return unit_failed ? 1 : 0;
}

#endif
