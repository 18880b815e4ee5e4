/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer harnesses over the supervisor's and the worker's parsers (see
 * tests/fuzz/run and `make fuzz-smoke`). Each defines LLVMFuzzerTestOneInput;
 * a harness that finds a broken invariant aborts, which libFuzzer reports.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int	LLVMFuzzerInitialize(int *, char ***);

#define FUZZ_ASSERT(cond, what) do {					\
	if (!(cond)) {							\
		fprintf(stderr, "invariant broken: %s\n", what);	\
		abort();						\
	}								\
} while (0)

#endif /* FUZZ_H */
