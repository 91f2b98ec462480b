/* Segment mode on a real PostgreSQL and Redis through the C ABI (run by the
 * root `make test-leases`, which starts them and sets
 * SNOWID_TEST_POSTGRES_URL / SNOWID_TEST_REDIS_URL). Without them this test
 * fails: it never pretends. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "snowid.h"
#include "test_util.h"

#define N 1000

static int cmp(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

static void two_handles_share_a_key(const char *var) {
  static int64_t ids[2 * N];
  const char *url = getenv(var);
  char key[64];
  snowid_segment_t *a = NULL, *b = NULL;
  size_t i;
  CHECK(url != NULL, "%s is not set: run `make test-leases` at the repository root", var);
  if (url == NULL) return;
  snprintf(key, sizeof key, "c-%ld-%ld", (long)getpid(), (long)time(NULL));
  CHECK(snowid_segment_new(key, url, 100, &a) == SNOWID_OK, "%s: new a", var);
  CHECK(snowid_segment_new(key, url, 100, &b) == SNOWID_OK, "%s: new b", var);
  if (a == NULL || b == NULL) return;
  CHECK(snowid_segment_next_batch(a, ids, N) == SNOWID_OK, "%s: batch", var);
  for (i = 0; i < N; i++) CHECK(snowid_segment_next(b, &ids[N + i]) == SNOWID_OK, "%s: next", var);
  for (i = 1; i < N; i++) {
    CHECK(ids[i] > ids[i - 1], "%s: a increases", var);
    CHECK(ids[N + i] > ids[N + i - 1], "%s: b increases", var);
  }
  qsort(ids, 2 * N, sizeof ids[0], cmp);
  CHECK(ids[0] == 1, "%s: a new key starts at 1, got %" PRId64, var, ids[0]);
  for (i = 1; i < 2 * N; i++) CHECK(ids[i] != ids[i - 1], "%s: %" PRId64 " twice", var, ids[i]);
  snowid_segment_free(a);
  snowid_segment_free(b);
}

int main(void) {
  snowid_segment_t *s = NULL;
  two_handles_share_a_key("SNOWID_TEST_POSTGRES_URL");
  two_handles_share_a_key("SNOWID_TEST_REDIS_URL");
  CHECK(snowid_segment_new("k", "postgres://snowid:secret@127.0.0.1:1/x", 0, &s) ==
            SNOWID_ERR_SEGMENT_STORE_UNAVAILABLE, "unreachable postgres");
  CHECK(strstr(snowid_last_error_message(), "secret") == NULL, "password hidden");
  return test_finish("c-segment-stores");
}
