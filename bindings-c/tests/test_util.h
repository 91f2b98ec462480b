/*
 * What every C test of libsnowid shares: the check counters, CHECK /
 * EXPECT / OK / MESSAGE_HAS, and the closing line. Include it after
 * "snowid.h"; call test_finish() at the end of main (C99, no other file).
 */
#ifndef SNOWID_TEST_UTIL_H
#define SNOWID_TEST_UTIL_H

#include <stdio.h>
#include <string.h>

static unsigned long passed, failed;

/* Counts a check; on failure prints where, the condition, the printf-style
 * explanation and the thread's last snowid error. */
#define CHECK(cond, ...)                                                    \
  do {                                                                      \
    if (cond) {                                                             \
      passed++;                                                             \
    } else {                                                                \
      failed++;                                                             \
      fprintf(stderr, "FAIL %s:%d: %s -- ", __FILE__, __LINE__, #cond);     \
      fprintf(stderr, __VA_ARGS__);                                         \
      fprintf(stderr, " [last error: %s]\n", snowid_last_error_message());  \
    }                                                                       \
  } while (0)

/* A call must return `want`; on mismatch both names and the message show. */
#define EXPECT(call, want)                                                  \
  do {                                                                      \
    snowid_status got_ = (call);                                            \
    snowid_status want_ = (want);                                           \
    CHECK(got_ == want_, "%s: got %s (%d), want %s (%d)", #call,            \
          snowid_status_str(got_), (int)got_, snowid_status_str(want_),     \
          (int)want_);                                                      \
  } while (0)

#define OK(call) EXPECT(call, SNOWID_OK)

/* The thread's last-error message mentions `needle`. */
#define MESSAGE_HAS(needle)                                                 \
  CHECK(strstr(snowid_last_error_message(), (needle)) != NULL,              \
        "message lacks \"%s\"", (needle))

/* Prints the closing line "<name>: N passed, M failed" (N and M count
 * checks) and returns the exit status: 0 when no check failed. */
static int test_finish(const char *name) {
  printf("%s: %lu passed, %lu failed\n", name, passed, failed);
  return failed == 0 ? 0 : 1;
}

#endif
