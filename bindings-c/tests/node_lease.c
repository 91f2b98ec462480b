/* Node numbers leased from a real coordination service through the C ABI:
 * `node_lease redis` (SNOWID_NODE_SOURCE=redis, the server at
 * $SNOWID_TEST_REDIS_URL) or `node_lease etcd` (SNOWID_NODE_SOURCE=etcd, at
 * $SNOWID_TEST_ETCD_ENDPOINTS). Two generators lease workers 0 and 1 and
 * issue no common ID; a successor of worker 0 issues above its predecessor.
 *
 * Not part of `make test` in this folder: the root `make test-leases` starts
 * Redis and runs `make -C bindings-c test-redis`; scripts/package/test.sh
 * builds it against the unpacked release archive (pkg-config) and runs it on
 * etcd. Without the service this program fails: it never pretends. */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "snowid.h"
#include "test_util.h"

/* A source: its name, the variable the test harness sets, and the
 * variables that point snowid at it. */
typedef struct {
  const char *name;
  const char *test_var;
  const char *address_var;
  const char *prefix_var;
} source_t;

static const source_t SOURCES[] = {
    {"redis", "SNOWID_TEST_REDIS_URL", "SNOWID_REDIS_URL", "SNOWID_REDIS_PREFIX"},
    {"etcd", "SNOWID_TEST_ETCD_ENDPOINTS", "SNOWID_ETCD_ENDPOINTS", "SNOWID_ETCD_PREFIX"},
};

static uint32_t worker_of(const snowid_generator_t *g, uint64_t id) {
  const snowid_layout_t *l = NULL;
  snowid_parts_t p;
  if (snowid_generator_layout(g, &l) != SNOWID_OK || snowid_layout_decode(l, id, &p) != SNOWID_OK) return 999;
  return p.nodes[1];
}

int main(int argc, char **argv) {
  const source_t *src = NULL;
  const char *address;
  char prefix[64], name[32];
  snowid_generator_t *a = NULL, *b = NULL, *c = NULL;
  uint64_t ida[1000], idb[1000], idc = 0, written = 0;
  size_t i, j;
  for (i = 0; argc == 2 && i < sizeof SOURCES / sizeof SOURCES[0]; i++)
    if (strcmp(argv[1], SOURCES[i].name) == 0) src = &SOURCES[i];
  if (src == NULL) {
    fprintf(stderr, "usage: %s redis|etcd\n", argv[0]);
    return 2;
  }
  address = getenv(src->test_var);
  if (address == NULL || *address == '\0') {
    fprintf(stderr, "%s is not set: run `make test-leases` at the repository root\n", src->test_var);
    return 1;
  }
  snprintf(prefix, sizeof prefix, "snowid-c-%s-%ld", src->name, (long)getpid());
  setenv("SNOWID_NODE_SOURCE", src->name, 1);
  setenv(src->address_var, address, 1);
  setenv(src->prefix_var, prefix, 1);
  setenv("SNOWID_LEASE_TTL_MS", "3000", 1);

  OK(snowid_generator_new_default(&a));
  OK(snowid_generator_new_default(&b));
  if (a == NULL || b == NULL) return 1;
  CHECK(snowid_next_batch(a, ida, 1000, &written) == SNOWID_OK && written == 1000, "batch a");
  CHECK(snowid_next_batch(b, idb, 1000, &written) == SNOWID_OK && written == 1000, "batch b");
  CHECK(worker_of(a, ida[0]) == 0 && worker_of(b, idb[0]) == 1, "workers 0 and 1, got %" PRIu32 " and %" PRIu32,
        worker_of(a, ida[0]), worker_of(b, idb[0]));
  for (i = 0; i < 1000; i++)
    for (j = 0; j < 1000; j++)
      if (ida[i] == idb[j]) CHECK(0, "duplicate %" PRIu64, ida[i]);
  /* a clean free releases worker 0 and lowers its mark; its next holder
     issues above it */
  snowid_generator_free(a);
  OK(snowid_generator_new_default(&c));
  if (c != NULL) {
    OK(snowid_next(c, &idc));
    CHECK(worker_of(c, idc) == 0, "worker 0 reused, got %" PRIu32, worker_of(c, idc));
    CHECK(idc > ida[999], "successor above the previous holder");
  }
  snowid_generator_free(c);
  snowid_generator_free(b);
  snprintf(name, sizeof name, "c-%s", src->name);
  return test_finish(name);
}
