/* SNOWID_NODE_SOURCE=etcd through the C release archive (built by
   scripts/package/test.sh against the unpacked archive with pkg-config), with
   the real etcd at $SNOWID_TEST_ETCD_ENDPOINTS. Two generators lease
   workers 0 and 1; a successor of worker 0 issues above its predecessor.
   Fails without etcd: it never pretends. */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <snowid.h>

static int failures = 0, checks = 0;
#define CHECK(cond, ...)                                       \
  do {                                                         \
    checks++;                                                  \
    if (!(cond)) {                                             \
      failures++;                                              \
      fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);          \
      fprintf(stderr, __VA_ARGS__);                            \
      fprintf(stderr, " (%s)\n", snowid_last_error_message()); \
    }                                                          \
  } while (0)

static uint32_t worker_of(const snowid_generator_t *g, uint64_t id) {
  const snowid_layout_t *l = NULL;
  snowid_parts_t p;
  if (snowid_generator_layout(g, &l) != SNOWID_OK || snowid_layout_decode(l, id, &p) != SNOWID_OK) return 999;
  return p.nodes[1];
}

int main(void) {
  const char *endpoints = getenv("SNOWID_TEST_ETCD_ENDPOINTS");
  char prefix[64];
  snowid_generator_t *a = NULL, *b = NULL, *c = NULL;
  uint64_t ida[1000], idb[1000], idc = 0, written = 0;
  size_t i, j;
  if (endpoints == NULL || *endpoints == '\0') {
    fprintf(stderr, "SNOWID_TEST_ETCD_ENDPOINTS is not set\n");
    return 1;
  }
  snprintf(prefix, sizeof prefix, "snowid-dist-c-%ld", (long)getpid());
  setenv("SNOWID_NODE_SOURCE", "etcd", 1);
  setenv("SNOWID_ETCD_ENDPOINTS", endpoints, 1);
  setenv("SNOWID_ETCD_PREFIX", prefix, 1);
  setenv("SNOWID_LEASE_TTL_MS", "3000", 1);

  CHECK(snowid_generator_new_default(&a) == SNOWID_OK, "first lease");
  CHECK(snowid_generator_new_default(&b) == SNOWID_OK, "second lease");
  if (a == NULL || b == NULL) return 1;
  CHECK(snowid_next_batch(a, ida, 1000, &written) == SNOWID_OK && written == 1000, "batch a");
  CHECK(snowid_next_batch(b, idb, 1000, &written) == SNOWID_OK && written == 1000, "batch b");
  CHECK(worker_of(a, ida[0]) == 0 && worker_of(b, idb[0]) == 1, "workers 0 and 1, got %" PRIu32 " and %" PRIu32,
        worker_of(a, ida[0]), worker_of(b, idb[0]));
  for (i = 0; i < 1000; i++)
    for (j = 0; j < 1000; j++)
      if (ida[i] == idb[j]) CHECK(0, "duplicate %" PRIu64, ida[i]);
  snowid_generator_free(a); /* revokes worker 0's lease, lowers its mark */
  CHECK(snowid_generator_new_default(&c) == SNOWID_OK, "lease again");
  if (c != NULL) {
    CHECK(snowid_next(c, &idc) == SNOWID_OK, "next");
    CHECK(worker_of(c, idc) == 0, "worker 0 reused, got %" PRIu32, worker_of(c, idc));
    CHECK(idc > ida[999], "successor above the previous holder");
  }
  snowid_generator_free(c);
  snowid_generator_free(b);
  printf("c-etcd: %d passed, %d failed\n", checks - failures, failures);
  return failures != 0;
}
