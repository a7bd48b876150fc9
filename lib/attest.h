/*
 * attest.h - what lib/attest.c offers the other modules besides the public calls in
 * fairgate.h: the verification `fairgate verify` makes, with the verdict it attests.
 *
 * Ownership: *report is the caller's (free); nothing else is handed over.
 */
#ifndef FAIRGATE_ATTEST_H
#define FAIRGATE_ATTEST_H

#include "fairgate.h"

/* As fg_attest_verify, into outcome; once valid, the attested verdict, and whether require
 * (a mask of 1u << enum fg_verdict, 0: any verdict) accepts it, with a line in *report that
 * says why not. */
FG_MUST_CHECK enum fg_status fg_attest_verify_outcome(const char *path, const struct fg_key *key,
                                                      const struct fg_subject *checks,
                                                      size_t n_checks, unsigned require,
                                                      struct fg_verify_outcome *outcome,
                                                      char **report, struct fg_error *err);

#endif /* FAIRGATE_ATTEST_H */
