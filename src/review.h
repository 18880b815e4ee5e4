/* SPDX-License-Identifier: ISC */
/* review.c's face: what a tools file would change, for people. */
#ifndef REVIEW_H
#define REVIEW_H

#include <stddef.h>

struct json_object;
struct toolspec;

char			 *review_text(const char *, const struct toolspec *const *,
			    size_t, const struct toolspec *const *, size_t,
			    struct json_object *, const char *, int *);
char			 *review_file(const char *, const char *, size_t,
			    const char *, const struct toolspec *const *, size_t,
			    int *, int *);

#endif /* REVIEW_H */
