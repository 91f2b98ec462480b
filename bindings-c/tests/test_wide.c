/*
 * C tests of the wide API (snowid_u128_t, snowid_wide_*): the "wide" section
 * of testdata/vectors.json (compiled into wide_vectors.h by gen_wide_h.py),
 * NULL arguments, the unsigned __int128 helpers, threads sharing one wide
 * generator. Built with -std=c99 -Wall -Wextra -Werror -pedantic, run plain
 * and with -fsanitize=address,undefined.
 *
 * Closing line: "c-wide-tests: N passed, M failed".
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snowid.h"
#include "wide_vectors.h"
#include "test_util.h"

static int eq(snowid_u128_t a, snowid_u128_t b) { return a.hi == b.hi && a.lo == b.lo; }
static int less(snowid_u128_t a, snowid_u128_t b) {
  return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo);
}

static snowid_options_t *options_of(const w_opt *o, int n) {
  snowid_options_t *opts = NULL;
  int i;
  if (snowid_options_new(&opts) != SNOWID_OK) return NULL;
  for (i = 0; i < n; i++) {
    if (o[i].is_str) snowid_options_set_str(opts, o[i].key, o[i].str);
    else snowid_options_set_int(opts, o[i].key, o[i].num);
  }
  return opts;
}

static snowid_wide_layout_t *layout_of(const char *key) {
  size_t i;
  for (i = 0; i < sizeof W_LAYOUTS / sizeof W_LAYOUTS[0]; i++) {
    if (strcmp(W_LAYOUTS[i].key, key) == 0) {
      snowid_options_t *o = options_of(W_LAYOUTS[i].opts, W_LAYOUTS[i].nopts);
      snowid_wide_layout_t *l = NULL;
      OK(snowid_wide_layout_new(o, &l));
      snowid_options_free(o);
      return l;
    }
  }
  return NULL;
}

static void test_layouts(void) {
  size_t i;
  for (i = 0; i < sizeof W_LAYOUTS / sizeof W_LAYOUTS[0]; i++) {
    const w_layout *v = &W_LAYOUTS[i];
    snowid_wide_layout_t *l = layout_of(v->key);
    snowid_wide_layout_info_t info;
    OK(snowid_wide_layout_info(l, &info));
    CHECK(info.width == v->width && info.js_safe == (v->js_safe != 0), "%s width", v->key);
    CHECK(info.epoch_ms == v->epoch_ms && info.tick_ms == v->tick_ms, "%s epoch/tick", v->key);
    CHECK(eq(info.max_id, v->max_id), "%s max_id", v->key);
    CHECK(info.ids_per_tick == v->ids_per_tick && info.ids_per_second_per_node == v->ids_per_second
          && info.nodes == v->nodes, "%s capacity", v->key);
    CHECK(eq(info.lifespan_ms, v->lifespan_ms) && eq(info.end_ms, v->end_ms)
          && eq(info.issue_end_ms, v->issue_end_ms), "%s lifespan", v->key);
    snowid_wide_layout_free(l);
  }
}

static void test_ids_and_encodings(void) {
  size_t i;
  uint32_t e;
  char buf[SNOWID_WIDE_ENCODE_BUFFER_SIZE];
  for (i = 0; i < sizeof W_IDS / sizeof W_IDS[0]; i++) {
    const w_id *v = &W_IDS[i];
    snowid_wide_layout_t *l = layout_of(v->layout);
    snowid_wide_parts_t p;
    snowid_u128_t id;
    uint32_t k;
    OK(snowid_wide_layout_decode(l, v->id, &p));
    CHECK(p.timestamp_ms == v->timestamp_ms && p.tick == v->tick && p.sequence == v->sequence,
          "%s decode", v->layout);
    CHECK(p.node_count == v->count, "%s node count", v->layout);
    for (k = 0; k < v->count; k++) CHECK(p.nodes[k] == v->values[k], "%s node %u", v->layout, k);
    OK(snowid_wide_layout_compose_named(l, v->timestamp_ms, v->sequence, v->names, v->values, v->count, &id));
    CHECK(eq(id, v->id), "%s compose", v->layout);
    for (e = 0; e < 4; e++) {
      uint32_t len = 0;
      OK(snowid_wide_encode(v->id, e, buf, sizeof buf, &len));
      CHECK(strcmp(buf, v->text[e]) == 0 && len == strlen(v->text[e]), "encode %u: %s vs %s", e, buf, v->text[e]);
      OK(snowid_wide_parse(e, v->text[e], &id));
      CHECK(eq(id, v->id), "parse %u %s", e, v->text[e]);
    }
    snowid_wide_layout_free(l);
  }
  for (i = 0; i < sizeof W_ENCODINGS / sizeof W_ENCODINGS[0]; i++) {
    for (e = 0; e < 4; e++) {
      snowid_u128_t id;
      OK(snowid_wide_encode(W_ENCODINGS[i].id, e, buf, sizeof buf, NULL));
      CHECK(strcmp(buf, W_ENCODINGS[i].text[e]) == 0, "encode %s", W_ENCODINGS[i].text[e]);
      OK(snowid_wide_parse(e, W_ENCODINGS[i].text[e], &id));
      CHECK(eq(id, W_ENCODINGS[i].id), "parse %s", W_ENCODINGS[i].text[e]);
    }
  }
  for (i = 0; i < sizeof W_ALIASES / sizeof W_ALIASES[0]; i++) {
    snowid_u128_t id;
    OK(snowid_wide_parse(W_ALIASES[i].encoding, W_ALIASES[i].input, &id));
    CHECK(eq(id, W_ALIASES[i].id), "alias %s", W_ALIASES[i].input);
  }
  /* too small a buffer: nothing written, the length reported */
  {
    uint32_t len = 0;
    snowid_u128_t big = { UINT64_MAX, UINT64_MAX };
    EXPECT(snowid_wide_encode(big, SNOWID_ENCODING_HEX, buf, 32, &len), SNOWID_ERR_BUFFER_TOO_SMALL);
    CHECK(len == 32, "len %u", len);
  }
}

static void test_bounds(void) {
  size_t i;
  for (i = 0; i < sizeof W_BOUNDS / sizeof W_BOUNDS[0]; i++) {
    snowid_wide_layout_t *l = layout_of(W_BOUNDS[i].layout);
    snowid_u128_t lo, hi;
    OK(snowid_wide_layout_min_id_at(l, W_BOUNDS[i].ms, &lo));
    OK(snowid_wide_layout_max_id_at(l, W_BOUNDS[i].ms, &hi));
    CHECK(eq(lo, W_BOUNDS[i].min) && eq(hi, W_BOUNDS[i].max), "bounds %s", W_BOUNDS[i].layout);
    snowid_wide_layout_free(l);
  }
}

static void test_invalid(void) {
  size_t i;
  for (i = 0; i < sizeof W_BAD_LAYOUTS / sizeof W_BAD_LAYOUTS[0]; i++) {
    snowid_options_t *o = options_of(W_BAD_LAYOUTS[i].opts, W_BAD_LAYOUTS[i].nopts);
    snowid_wide_layout_t *l = NULL;
    EXPECT(snowid_wide_layout_new(o, &l), W_BAD_LAYOUTS[i].status);
    CHECK(l == NULL, "no layout on failure");
    snowid_options_free(o);
  }
  for (i = 0; i < sizeof W_BAD_IDS / sizeof W_BAD_IDS[0]; i++) {
    snowid_wide_layout_t *l = layout_of(W_BAD_IDS[i].layout);
    snowid_wide_parts_t p;
    EXPECT(snowid_wide_layout_decode(l, W_BAD_IDS[i].id, &p), W_BAD_IDS[i].status);
    snowid_wide_layout_free(l);
  }
  for (i = 0; i < sizeof W_BAD_STRINGS / sizeof W_BAD_STRINGS[0]; i++) {
    snowid_u128_t id = { 7, 7 };
    EXPECT(snowid_wide_parse(W_BAD_STRINGS[i].encoding, W_BAD_STRINGS[i].input, &id), W_BAD_STRINGS[i].status);
    CHECK(id.hi == 7 && id.lo == 7, "out unchanged");
  }
  /* NULL for every pointer */
  {
    snowid_u128_t id = { 0, 0 };
    snowid_wide_layout_t *l = layout_of("jssafe");
    snowid_wide_parts_t p;
    snowid_wide_layout_info_t info;
    uint64_t w;
    EXPECT(snowid_wide_layout_new(NULL, &l), SNOWID_ERR_NULL_ARGUMENT);
    EXPECT(snowid_wide_layout_info(NULL, &info), SNOWID_ERR_NULL_ARGUMENT);
    EXPECT(snowid_wide_layout_info(l, NULL), SNOWID_ERR_NULL_ARGUMENT);
    EXPECT(snowid_wide_layout_decode(NULL, id, &p), SNOWID_ERR_NULL_ARGUMENT);
    EXPECT(snowid_wide_layout_decode(l, id, NULL), SNOWID_ERR_NULL_ARGUMENT);
    EXPECT(snowid_wide_layout_compose_named(l, 0, 0, NULL, NULL, 1, &id), SNOWID_ERR_NULL_ARGUMENT);
    EXPECT(snowid_wide_layout_min_id_at(l, 0, NULL), SNOWID_ERR_NULL_ARGUMENT);
    EXPECT(snowid_wide_next(NULL, &id), SNOWID_ERR_NULL_ARGUMENT);
    EXPECT(snowid_wide_next_batch(NULL, &id, 1, &w), SNOWID_ERR_NULL_ARGUMENT);
    EXPECT(snowid_wide_generator_new(NULL, NULL), SNOWID_ERR_NULL_ARGUMENT);
    EXPECT(snowid_wide_parse(SNOWID_ENCODING_HEX, NULL, &id), SNOWID_ERR_NULL_ARGUMENT);
    EXPECT(snowid_wide_encode(id, 9, NULL, 0, NULL), SNOWID_ERR_UNKNOWN_ENCODING);
    snowid_wide_layout_free(l);
    snowid_wide_layout_free(NULL);
    snowid_wide_generator_free(NULL);
  }
}

static void test_runs(void) {
  size_t i;
  int s;
  for (i = 0; i < sizeof W_RUNS / sizeof W_RUNS[0]; i++) {
    const w_run *r = &W_RUNS[i];
    snowid_options_t *o = options_of(r->opts, r->nopts);
    snowid_wide_generator_t *g = NULL;
    uint32_t k;
    snowid_options_set_manual_clock(o, "clock", r->start_ms);
    for (k = 0; k < r->count; k++) snowid_options_set_uint(o, r->names[k], r->values[k]);
    OK(snowid_wide_generator_new(o, &g));
    snowid_options_free(o);
    if (i == 0 && g) {
      /* batch arguments (nothing issued): the limit is checked before the
         buffer, a count of 0 needs no buffer */
      snowid_u128_t one;
      uint64_t w = 7;
      EXPECT(snowid_wide_next_batch(g, NULL, 1, &w), SNOWID_ERR_NULL_ARGUMENT);
      EXPECT(snowid_wide_next_batch(g, NULL, SNOWID_MAX_BATCH + 1, &w), SNOWID_ERR_INVALID_SETTING);
      EXPECT(snowid_wide_next_batch(g, &one, 1, NULL), SNOWID_ERR_NULL_ARGUMENT);
      OK(snowid_wide_next_batch(g, NULL, 0, &w));
      CHECK(w == 0, "zero written, got %" PRIu64, w);
    }
    for (s = 0; g && s < r->nsteps; s++) {
      const w_step *st = &r->steps[s];
      snowid_u128_t id;
      if (st->op == 0) {
        OK(snowid_wide_generator_advance_time(g, st->ms));
      } else if (st->op == 1) {
        OK(snowid_wide_next(g, &id));
        CHECK(eq(id, st->expect), "run %zu step %d", i, s);
      } else if (st->op == 2) {
        EXPECT(snowid_wide_next(g, &id), st->status);
      } else {
        snowid_u128_t *ids = calloc(st->n, sizeof *ids);
        uint64_t w = 0, j;
        OK(snowid_wide_next_batch(g, ids, st->n, &w));
        CHECK(w == st->nids, "batch wrote %" PRIu64, w);
        for (j = 0; j < w && j < st->nids; j++) CHECK(eq(ids[j], st->ids[j]), "batch id %" PRIu64, j);
        free(ids);
      }
    }
    snowid_wide_generator_free(g);
  }
}

#define THREADS 4
#define PER_THREAD 20000

static void *work(void *arg) {
  const snowid_wide_generator_t *g = arg;
  snowid_u128_t *out = malloc(PER_THREAD * sizeof *out);
  int i;
  for (i = 0; i < PER_THREAD; i++) {
    if (snowid_wide_next(g, &out[i]) != SNOWID_OK) {
      free(out);
      return NULL;
    }
  }
  return out;
}

static int cmp(const void *a, const void *b) {
  const snowid_u128_t *x = a, *y = b;
  return less(*x, *y) ? -1 : less(*y, *x) ? 1 : 0;
}

static void test_threads_and_native(void) {
  snowid_options_t *o = NULL;
  snowid_wide_generator_t *g = NULL;
  pthread_t t[THREADS];
  snowid_u128_t *all = malloc(THREADS * PER_THREAD * sizeof *all);
  int i, j, dups = 0, ordered = 1;
  OK(snowid_options_new(&o));
  OK(snowid_options_set_str(o, "layout", "wide128"));
  OK(snowid_options_set_str(o, "node_source", "local"));
  OK(snowid_wide_generator_new(o, &g));
  snowid_options_free(o);
  for (i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, work, g);
  for (i = 0; i < THREADS; i++) {
    snowid_u128_t *got = NULL;
    pthread_join(t[i], (void **)&got);
    CHECK(got != NULL, "thread %d issued", i);
    if (!got) continue;
    for (j = 0; j < PER_THREAD; j++) {
      if (j > 0 && !less(got[j - 1], got[j])) ordered = 0;
      all[i * PER_THREAD + j] = got[j];
    }
    free(got);
  }
  CHECK(ordered, "each thread's ids increase");
  qsort(all, THREADS * PER_THREAD, sizeof *all, cmp);
  for (i = 1; i < THREADS * PER_THREAD; i++) dups += eq(all[i - 1], all[i]);
  CHECK(dups == 0, "%d duplicates", dups);
  CHECK(all[0].hi > 0, "a wide128 id has its Unix ms in the high word");
#ifdef SNOWID_NATIVE_U128
  {
    snowid_native_u128 n = snowid_u128_to_native(all[0]);
    snowid_u128_t back = snowid_u128_from_native(n + 1);
    snowid_wide_parts_t p;
    const snowid_wide_layout_t *l = NULL;
    CHECK((uint64_t)(n >> 64) == all[0].hi && (uint64_t)n == all[0].lo, "to native");
    CHECK(less(all[0], back), "from native");
    OK(snowid_wide_generator_layout(g, &l));
    OK(snowid_wide_layout_decode(l, snowid_u128_from_native(n), &p));
    CHECK(p.timestamp_ms == all[0].hi, "wide128: the high word is the Unix ms");
  }
#endif
  free(all);
  snowid_wide_generator_free(g);
}

static snowid_u128_t from_bytes(const uint8_t b[16]) {
  snowid_u128_t v = { 0, 0 };
  int i;
  for (i = 0; i < 8; i++) v.hi = (v.hi << 8) | b[i];
  for (i = 8; i < 16; i++) v.lo = (v.lo << 8) | b[i];
  return v;
}

/* UUIDv7 and ULID: the "uuid" vectors, the default generators, explicit
 * generators of the presets, NULL arguments and short buffers. */
static void test_uuid(void) {
  size_t i;
  uint8_t b[16], c[16];
  char text[SNOWID_UUID_TEXT_BUFFER_SIZE], prev[SNOWID_UUID_TEXT_BUFFER_SIZE];
  char ulid[SNOWID_ULID_TEXT_BUFFER_SIZE], prev_ulid[SNOWID_ULID_TEXT_BUFFER_SIZE];
  uint32_t len = 0;
  for (i = 0; i < sizeof U_IDS / sizeof U_IDS[0]; i++) {
    const u_id *v = &U_IDS[i];
    char hex[33];
    int k;
    OK(snowid_uuid_parse(v->uuid, b));
    for (k = 0; k < 16; k++) sprintf(hex + 2 * k, "%02x", b[k]);
    CHECK(strcmp(hex, v->bytes_hex) == 0 && eq(from_bytes(b), v->id), "uuid bytes %s", v->uuid);
    OK(snowid_uuid_encode(b, text, sizeof text, &len));
    CHECK(strcmp(text, v->uuid) == 0 && len == 36, "uuid text %s", v->uuid);
    OK(snowid_ulid_parse(v->ulid, c));
    CHECK(memcmp(b, c, 16) == 0, "ulid %s", v->ulid);
    OK(snowid_ulid_encode(c, ulid, sizeof ulid, &len));
    CHECK(strcmp(ulid, v->ulid) == 0 && len == 26, "ulid text %s", v->ulid);
  }
  for (i = 0; i < sizeof U_ALIASES / sizeof U_ALIASES[0]; i++) {
    const u_text *a = &U_ALIASES[i];
    OK(a->is_uuid ? snowid_uuid_parse(a->input, b) : snowid_ulid_parse(a->input, b));
    CHECK(eq(from_bytes(b), a->id), "alias %s", a->input);
  }
  for (i = 0; i < sizeof U_BAD_STRINGS / sizeof U_BAD_STRINGS[0]; i++) {
    const u_bad *x = &U_BAD_STRINGS[i];
    memset(b, 0xAB, 16);
    EXPECT(x->is_uuid ? snowid_uuid_parse(x->input, b) : snowid_ulid_parse(x->input, b), x->status);
    CHECK(b[0] == 0xAB && b[15] == 0xAB, "out unchanged on error: %s", x->input);
  }
  /* The default generators: version 7, RFC variant, increasing. */
  OK(snowid_uuid7(b));
  CHECK((b[6] >> 4) == 7 && (b[8] >> 6) == 2, "version 7, variant 0b10");
  OK(snowid_uuid7_text(prev, sizeof prev, NULL));
  OK(snowid_uuid7_text(text, sizeof text, &len));
  CHECK(len == 36 && strcmp(prev, text) < 0 && text[14] == '7', "uuid7 text increases: %s %s", prev, text);
  OK(snowid_uuid7(c));
  OK(snowid_uuid_encode(c, prev, sizeof prev, NULL));
  CHECK(strcmp(text, prev) < 0, "bytes after text");
  OK(snowid_ulid(prev_ulid, sizeof prev_ulid, NULL));
  OK(snowid_ulid(ulid, sizeof ulid, &len));
  CHECK(len == 26 && strcmp(prev_ulid, ulid) < 0, "ulid increases: %s %s", prev_ulid, ulid);
  /* NULLs and short buffers. */
  EXPECT(snowid_uuid7(NULL), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_uuid_parse(NULL, b), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_uuid_parse("018f3c1e-7d2a-7abc-8def-0123456789ab", NULL), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_uuid_encode(NULL, text, sizeof text, NULL), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_uuid7_text(text, 36, &len), SNOWID_ERR_BUFFER_TOO_SMALL);
  CHECK(len == 36, "the size a caller needs, without the NUL");
  EXPECT(snowid_ulid(ulid, 26, NULL), SNOWID_ERR_BUFFER_TOO_SMALL);
  EXPECT(snowid_ulid_parse(NULL, b), SNOWID_ERR_NULL_ARGUMENT);
  /* Explicit generators: the preset's method only. */
  {
    snowid_options_t *o = NULL;
    snowid_wide_generator_t *g = NULL;
    OK(snowid_options_new(&o));
    OK(snowid_options_set_str(o, "layout", "uuid7"));
    OK(snowid_options_set_int(o, "datacenter", 1));
    OK(snowid_options_set_int(o, "worker", 2));
    OK(snowid_options_set_bool(o, "protect", false));
    OK(snowid_wide_generator_new(o, &g));
    OK(snowid_wide_next_uuid(g, b));
    /* datacenter: the 8 bits under the 2-bit variant (bits 61..54) */
    CHECK((b[6] >> 4) == 7 && (((b[8] & 0x3F) << 2) | (b[9] >> 6)) == 1, "explicit uuid7: version, datacenter");
    EXPECT(snowid_wide_next_ulid(g, ulid, sizeof ulid, NULL), SNOWID_ERR_INVALID_SETTING);
    EXPECT(snowid_wide_next_uuid(NULL, b), SNOWID_ERR_NULL_ARGUMENT);
    EXPECT(snowid_wide_next_uuid(g, NULL), SNOWID_ERR_NULL_ARGUMENT);
    snowid_wide_generator_free(g);
    snowid_options_free(o);
  }
}

int main(void) {
  test_uuid();
  test_layouts();
  test_ids_and_encodings();
  test_bounds();
  test_invalid();
  test_runs();
  test_threads_and_native();
  return test_finish("c-wide-tests");
}
