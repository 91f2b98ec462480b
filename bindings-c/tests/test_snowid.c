/*
 * C tests of libsnowid: every section of testdata/vectors.json (compiled
 * into vectors.h by gen_vectors_h.py; the `options` cases run through the
 * same snowid_options_set_* conversions the constructors use), bad input for
 * every function (NULL for every pointer, every struct_size 0..200, bad enum
 * values), protected node numbers, threads sharing one generator, fork(),
 * and, in fresh processes (this program re-run with a scenario name), the
 * default generator: its configuration, the prefork rule and the clean-exit
 * mark. Built with -std=c99 -Wall -Wextra -Werror -pedantic and run plain,
 * under valgrind, and with -fsanitize=address,undefined.
 *
 * Closing line: "c-tests: N passed, M failed" (N and M count checks).
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "snowid.h"
#include "vectors.h"
#include "test_util.h"

/* Setting `cfg.field = bad` makes snowid_generator_new(layout, &cfg, ...)
 * fail with SNOWID_ERR_INVALID_SETTING, its message naming `needle`, and
 * make nothing; afterwards the field is set to `after`. */
#define CONFIG_REJECTS(layout, cfg, field, bad, after, needle)             \
  do {                                                                      \
    snowid_generator_t *made_ = NULL;                                       \
    (cfg).field = (bad);                                                    \
    EXPECT(snowid_generator_new((layout), &(cfg), &made_),                  \
           SNOWID_ERR_INVALID_SETTING);                                     \
    MESSAGE_HAS(needle);                                                    \
    CHECK(made_ == NULL, "no generator with " #field " = " #bad);           \
    snowid_generator_free(made_);                                           \
    (cfg).field = (after);                                                  \
  } while (0)

static const uint64_t SENTINEL = UINT64_C(0xdeadbeefcafef00d);

static snowid_layout_t *layout_named(const char *name) {
  size_t i;
  snowid_layout_t *l = NULL;
  for (i = 0; i < V_COUNT(V_LAYOUTS); i++) {
    if (strcmp(V_LAYOUTS[i].name, name) == 0) {
      if (V_LAYOUTS[i].preset) {
        OK(snowid_layout_preset(name, &l));
      } else {
        OK(snowid_layout_new(&V_LAYOUTS[i].spec, &l));
      }
      return l;
    }
  }
  CHECK(0, "no layout %s in the vectors", name);
  return NULL;
}

static uint32_t encoding_named(const char *name) {
  uint32_t e = 99;
  OK(snowid_encoding_from_name(name, &e));
  return e;
}

/* ---- vectors ------------------------------------------------------------ */

static void test_error_table(void) {
  size_t i;
  for (i = 0; i < V_COUNT(V_ERRORS); i++) {
    /* V_ERRORS[i].status is the header constant SNOWID_ERR_<code>. */
    CHECK(V_ERRORS[i].status == (snowid_status)V_ERRORS[i].number,
          "%s: header %d, vectors %u", V_ERRORS[i].code, V_ERRORS[i].status,
          V_ERRORS[i].number);
    CHECK(strcmp(snowid_status_str(V_ERRORS[i].status), V_ERRORS[i].code) == 0,
          "status_str(%d) = %s, want %s", V_ERRORS[i].status,
          snowid_status_str(V_ERRORS[i].status), V_ERRORS[i].code);
  }
  CHECK(strcmp(snowid_status_str(SNOWID_OK), "OK") == 0, "OK name");
  CHECK(strcmp(snowid_status_str(SNOWID_ERR_NULL_ARGUMENT), "NULL_ARGUMENT") == 0, "name");
  CHECK(strcmp(snowid_status_str(SNOWID_ERR_BUFFER_TOO_SMALL), "BUFFER_TOO_SMALL") == 0, "name");
  CHECK(strcmp(snowid_status_str(SNOWID_ERR_INVALID_UTF8), "INVALID_UTF8") == 0, "name");
  CHECK(strcmp(snowid_status_str(SNOWID_ERR_PANIC), "PANIC") == 0, "name");
  CHECK(strcmp(snowid_status_str(-5), "UNKNOWN_STATUS") == 0, "unknown status");
  CHECK(strcmp(snowid_status_str(77), "UNKNOWN_STATUS") == 0, "unknown status");
}

static void test_layouts(void) {
  size_t i;
  uint32_t f;
  for (i = 0; i < V_COUNT(V_LAYOUTS); i++) {
    const v_layout *v = &V_LAYOUTS[i];
    snowid_layout_t *l = layout_named(v->name);
    snowid_layout_t *from_spec = NULL;
    snowid_layout_info_t info;
    snowid_capacity_t cap;
    char a[256], b[256];
    uint32_t nodes_seen = 0;
    if (!l) continue;
    OK(snowid_layout_info(l, &info));
    CHECK(strcmp(info.name, v->name) == 0, "%s: name %s", v->name, info.name);
    CHECK(info.epoch_ms == v->spec.epoch_ms, "%s: epoch", v->name);
    CHECK(info.tick_ms == v->spec.tick_ms, "%s: tick", v->name);
    CHECK(info.max_id == v->max_id, "%s: max_id %" PRIu64, v->name, info.max_id);
    CHECK(info.sign_bit == v->spec.sign_bit, "%s: sign bit", v->name);
    CHECK(info.field_count == v->spec.field_count, "%s: field count", v->name);
    for (f = 0; f < info.field_count; f++) {
      snowid_field_t fl;
      OK(snowid_layout_field(l, f, &fl));
      CHECK(strcmp(fl.name, v->spec.fields[f].name) == 0, "%s: field %u", v->name, f);
      CHECK(fl.bits == v->spec.fields[f].bits, "%s: bits of %s", v->name, fl.name);
      CHECK(fl.kind == v->spec.fields[f].kind, "%s: kind of %s", v->name, fl.name);
      if (fl.kind == SNOWID_FIELD_NODE) {
        snowid_field_t nf;
        uint32_t idx = 99;
        OK(snowid_layout_node_field(l, nodes_seen, &nf));
        CHECK(strcmp(nf.name, fl.name) == 0 && nf.shift == fl.shift, "%s: node %u", v->name, nodes_seen);
        OK(snowid_layout_node_index(l, fl.name, &idx));
        CHECK(idx == nodes_seen, "%s: index of %s = %u", v->name, fl.name, idx);
        nodes_seen++;
      }
    }
    CHECK(info.node_count == nodes_seen, "%s: node count", v->name);
    OK(snowid_layout_capacity(l, &cap));
    CHECK(cap.lifespan_ms == v->capacity.lifespan_ms, "%s: lifespan", v->name);
    CHECK(cap.end_ms == v->capacity.end_ms, "%s: end", v->name);
    CHECK(cap.ids_per_tick == v->capacity.ids_per_tick, "%s: per tick", v->name);
    CHECK(cap.ids_per_second_per_node == v->capacity.ids_per_second_per_node, "%s: per s", v->name);
    CHECK(cap.nodes == v->capacity.nodes, "%s: nodes", v->name);
    /* A preset equals the custom layout built from its published spec. */
    OK(snowid_layout_new(&v->spec, &from_spec));
    OK(snowid_layout_describe(l, a, sizeof a, NULL));
    OK(snowid_layout_describe(from_spec, b, sizeof b, NULL));
    CHECK(strcmp(a, b) == 0, "%s: %s vs %s", v->name, a, b);
    snowid_layout_free(from_spec);
    snowid_layout_free(l);
  }
}

static void test_ids(void) {
  size_t i;
  uint32_t k;
  for (i = 0; i < V_COUNT(V_IDS); i++) {
    const v_id *v = &V_IDS[i];
    snowid_layout_t *l = layout_named(v->layout);
    snowid_parts_t p;
    uint64_t id = 0, id2 = 0;
    if (!l) continue;
    OK(snowid_layout_decode(l, v->id, &p));
    CHECK(p.timestamp_ms == v->timestamp_ms, "%s %" PRIu64 ": ts", v->layout, v->id);
    CHECK(p.tick == v->tick, "%s %" PRIu64 ": tick", v->layout, v->id);
    CHECK(p.sequence == v->sequence, "%s %" PRIu64 ": seq", v->layout, v->id);
    CHECK(p.node_count == v->node_count, "%s: node count", v->layout);
    for (k = 0; k < v->node_count; k++) {
      uint32_t value = 0, idx = 99;
      /* by name */
      OK(snowid_parts_node(l, &p, v->node_names[k], &value));
      CHECK(value == v->node_values[k], "%s: %s = %u", v->layout, v->node_names[k], value);
      /* by index, and the borrowed name in the parts */
      OK(snowid_layout_node_index(l, v->node_names[k], &idx));
      CHECK(p.nodes[idx] == v->node_values[k], "%s: nodes[%u]", v->layout, idx);
      CHECK(strcmp(p.node_names[idx], v->node_names[k]) == 0, "%s: node_names[%u]", v->layout, idx);
    }
    for (k = v->node_count; k < SNOWID_MAX_NODE_FIELDS; k++) {
      CHECK(p.nodes[k] == 0 && p.node_names[k] == NULL, "%s: unused node slot %u", v->layout, k);
    }
    OK(snowid_layout_compose(l, &p, &id));
    CHECK(id == v->id, "%s: compose %" PRIu64 " != %" PRIu64, v->layout, id, v->id);
    OK(snowid_layout_compose_named(l, v->timestamp_ms, v->sequence, v->node_names,
                                   v->node_values, v->node_count, &id2));
    CHECK(id2 == v->id, "%s: compose_named %" PRIu64, v->layout, id2);
    snowid_layout_free(l);
  }
}

static void test_bounds(void) {
  size_t i;
  for (i = 0; i < V_COUNT(V_BOUNDS); i++) {
    const v_bound *v = &V_BOUNDS[i];
    snowid_layout_t *l = layout_named(v->layout);
    uint64_t lo = 0, hi = 0;
    OK(snowid_layout_min_id_at(l, v->timestamp_ms, &lo));
    OK(snowid_layout_max_id_at(l, v->timestamp_ms, &hi));
    CHECK(lo == v->min_id, "%s min %" PRIu64, v->layout, lo);
    CHECK(hi == v->max_id, "%s max %" PRIu64, v->layout, hi);
    snowid_layout_free(l);
  }
}

static void test_encodings(void) {
  size_t i;
  uint32_t e;
  const char *names[4] = {"decimal", "hex", "base32", "base62"};
  for (e = 0; e < 4; e++) {
    CHECK(encoding_named(names[e]) == e, "encoding number of %s", names[e]);
  }
  CHECK(SNOWID_ENCODING_DECIMAL == 0 && SNOWID_ENCODING_HEX == 1 &&
        SNOWID_ENCODING_BASE32 == 2 && SNOWID_ENCODING_BASE62 == 3, "encoding constants");
  for (i = 0; i < V_COUNT(V_ENCODINGS); i++) {
    const v_encoding *v = &V_ENCODINGS[i];
    for (e = 0; e < 4; e++) {
      char buf[SNOWID_ENCODE_BUFFER_SIZE];
      uint32_t len = 0;
      uint64_t back = 0;
      OK(snowid_encode(v->id, e, buf, sizeof buf, &len));
      CHECK(strcmp(buf, v->text[e]) == 0, "%s(%" PRIu64 ") = %s, want %s", names[e], v->id, buf, v->text[e]);
      CHECK(len == strlen(v->text[e]), "%s length %u", names[e], len);
      OK(snowid_parse(e, v->text[e], &back));
      CHECK(back == v->id, "parse %s %s", names[e], v->text[e]);
    }
  }
  for (i = 0; i < V_COUNT(V_PARSE_ALIASES); i++) {
    const v_alias *v = &V_PARSE_ALIASES[i];
    uint64_t id = 0;
    OK(snowid_parse(encoding_named(v->encoding), v->input, &id));
    CHECK(id == v->id, "alias %s %s", v->encoding, v->input);
  }
  for (i = 0; i < V_COUNT(V_INVALID_STRINGS); i++) {
    const v_invalid_string *v = &V_INVALID_STRINGS[i];
    uint32_t enc = 0;
    uint64_t id = SENTINEL;
    snowid_status s = snowid_encoding_from_name(v->encoding, &enc);
    if (s == SNOWID_OK) s = snowid_parse(enc, v->input, &id);
    CHECK(s == v->error, "%s \"%s\": got %s, want %s", v->encoding, v->input,
          snowid_status_str(s), snowid_status_str(v->error));
    CHECK(id == SENTINEL, "out_id untouched on error");
    CHECK(strncmp(snowid_last_error_message(), snowid_status_str(v->error),
                  strlen(snowid_status_str(v->error))) == 0, "message starts with the code");
  }
}

static void test_invalid_inputs(void) {
  size_t i;
  for (i = 0; i < V_COUNT(V_INVALID_LAYOUTS); i++) {
    snowid_layout_t *l = NULL;
    EXPECT(snowid_layout_new(&V_INVALID_LAYOUTS[i].spec, &l), V_INVALID_LAYOUTS[i].error);
    CHECK(l == NULL, "no layout on error");
  }
  for (i = 0; i < V_COUNT(V_INVALID_PRESETS); i++) {
    snowid_layout_t *l = NULL;
    EXPECT(snowid_layout_preset(V_INVALID_PRESETS[i].name, &l), V_INVALID_PRESETS[i].error);
    CHECK(l == NULL, "no layout on error");
  }
  for (i = 0; i < V_COUNT(V_INVALID_IDS); i++) {
    snowid_layout_t *l = layout_named(V_INVALID_IDS[i].layout);
    snowid_parts_t p;
    EXPECT(snowid_layout_decode(l, V_INVALID_IDS[i].id, &p), V_INVALID_IDS[i].error);
    snowid_layout_free(l);
  }
  for (i = 0; i < V_COUNT(V_INVALID_COMPOSE); i++) {
    const v_invalid_compose *v = &V_INVALID_COMPOSE[i];
    snowid_layout_t *l = layout_named(v->layout);
    uint64_t id = SENTINEL;
    EXPECT(snowid_layout_compose_named(l, v->timestamp_ms, v->sequence, v->node_names,
                                       v->node_values, v->node_count, &id), v->error);
    CHECK(id == SENTINEL, "out_id untouched");
    snowid_layout_free(l);
  }
}

static void test_runs(void) {
  size_t r;
  uint32_t s, k;
  for (r = 0; r < V_COUNT(V_RUNS); r++) {
    const v_run *run = &V_RUNS[r];
    snowid_layout_t *l = layout_named(run->layout);
    snowid_generator_t *g = NULL;
    snowid_config_t cfg;
    OK(snowid_config_init(&cfg, sizeof cfg));
    cfg.clock = SNOWID_CLOCK_MANUAL;
    cfg.manual_start_ms = run->start_ms;
    cfg.max_borrow_ticks = run->max_borrow_ticks;
    cfg.on_regression = run->fail_on_regression ? SNOWID_REGRESSION_FAIL : SNOWID_REGRESSION_WAIT;
    for (k = 0; k < run->node_count; k++) {
      OK(snowid_config_set_node(&cfg, l, run->node_names[k], run->node_values[k]));
    }
    OK(snowid_generator_new(l, &cfg, &g));
    snowid_layout_free(l); /* the generator keeps its own copy */
    if (!g) continue;
    for (s = 0; s < run->step_count; s++) {
      const v_step *st = &run->steps[s];
      switch (st->op) {
        case V_SET:
          OK(snowid_generator_set_time(g, (uint64_t)st->ms));
          break;
        case V_ADVANCE:
          OK(snowid_generator_advance_time(g, st->ms));
          break;
        case V_NEXT: {
          uint64_t id = SENTINEL;
          EXPECT(snowid_next(g, &id), st->error);
          if (st->error == SNOWID_OK) {
            CHECK(id == st->expect[0], "%s step %u: %" PRIu64 " != %" PRIu64, run->layout, s, id, st->expect[0]);
          } else {
            CHECK(id == SENTINEL, "%s step %u: out_id untouched", run->layout, s);
          }
          break;
        }
        case V_BATCH: {
          uint64_t *buf = calloc((size_t)st->n, sizeof *buf);
          uint64_t written = SENTINEL;
          EXPECT(snowid_next_batch(g, buf, st->n, &written), st->error);
          if (st->error == SNOWID_OK) {
            CHECK(written == st->expect_count, "%s step %u: wrote %" PRIu64 " want %u", run->layout, s, written, st->expect_count);
            CHECK(written <= st->n && memcmp(buf, st->expect, (size_t)written * sizeof *buf) == 0,
                  "%s step %u: batch content", run->layout, s);
          }
          free(buf);
          break;
        }
        default:
          CHECK(0, "unknown op %d", st->op);
      }
    }
    snowid_generator_free(g);
  }
}

/* Each `options` case through the public setters (the conversions
   snowid_generator_new_with_options() and snowid_configure() use) and the
   test hook that resolves them against the case's environment. */
static snowid_options_t *vector_options(const v_options_case *c, snowid_layout_t **layouts) {
  snowid_options_t *o = NULL;
  uint32_t i;
  if (!c->has_options) return NULL;
  OK(snowid_options_new(&o));
  for (i = 0; i < c->option_count; i++) {
    const v_option *v = &c->options[i];
    switch (v->kind) {
      case V_OPT_INT: OK(snowid_options_set_int(o, v->key, v->number)); break;
      case V_OPT_UINT: OK(snowid_options_set_uint(o, v->key, (uint64_t)v->number)); break;
      case V_OPT_BOOL: OK(snowid_options_set_bool(o, v->key, v->flag != 0)); break;
      case V_OPT_STR: OK(snowid_options_set_str(o, v->key, v->text)); break;
      case V_OPT_CLOCK: OK(snowid_options_set_manual_clock(o, v->key, (uint64_t)v->number)); break;
      case V_OPT_LAYOUT:
        layouts[i] = layout_named(v->text);
        OK(snowid_options_set_layout(o, v->key, layouts[i]));
        break;
      default: CHECK(0, "option kind %d", v->kind);
    }
  }
  return o;
}

static void test_options_vectors(void) {
  size_t i, run = 0, skipped = 0;
  char buf[1024];
  for (i = 0; i < V_COUNT(V_OPTIONS); i++) {
    const v_options_case *c = &V_OPTIONS[i];
    snowid_layout_t *layouts[16] = {NULL};
    snowid_options_t *o;
    snowid_status st;
    uint32_t len = 0, k;
    if (c->skip) {
      printf("  options vector skipped (%s): %s\n", c->skip, c->why ? c->why : "");
      skipped++;
      continue;
    }
    CHECK(c->option_count <= 16, "too many options");
    o = vector_options(c, layouts);
    buf[0] = '\0';
    st = snowid_test_resolve(c->target, o, c->env_names, c->env_values, c->env_count, buf, sizeof buf, &len);
    if (c->expect) {
      CHECK(st == SNOWID_OK && strcmp(buf, c->expect) == 0,
            "options case \"%s\": got %s %s\n    want %s", c->why, snowid_status_str(st), buf, c->expect);
    } else {
      CHECK(st == c->error, "options case \"%s\": got %s (%s), want %s", c->why, snowid_status_str(st),
            st == SNOWID_OK ? buf : snowid_last_error_message(), snowid_status_str(c->error));
    }
    snowid_options_free(o);
    for (k = 0; k < 16; k++) snowid_layout_free(layouts[k]);
    run++;
  }
  printf("  options vectors: %zu run, %zu skipped (values a C caller cannot pass)\n", run, skipped);
  CHECK(run > 0, "no options vectors ran");
}

/* ---- API behaviour beyond the vectors ------------------------------------ */

static void test_version(void) {
  char want[32];
  sprintf(want, "%d.%d.%d", SNOWID_VERSION_MAJOR, SNOWID_VERSION_MINOR, SNOWID_VERSION_PATCH);
  CHECK(strcmp(SNOWID_VERSION, want) == 0, "header version %s vs %s", SNOWID_VERSION, want);
  CHECK(strcmp(snowid_version(), SNOWID_VERSION) == 0, "library %s, header %s", snowid_version(), SNOWID_VERSION);
  snowid_noop();
}

static snowid_generator_t *manual_twitter(uint64_t start_ms, uint32_t dc, uint32_t worker) {
  snowid_layout_t *l = NULL;
  snowid_generator_t *g = NULL;
  snowid_config_t cfg;
  OK(snowid_layout_preset("twitter", &l));
  OK(snowid_config_init(&cfg, sizeof cfg));
  cfg.clock = SNOWID_CLOCK_MANUAL;
  cfg.manual_start_ms = start_ms;
  OK(snowid_config_set_node_index(&cfg, l, 0, dc));
  OK(snowid_config_set_node_index(&cfg, l, 1, worker));
  OK(snowid_generator_new(l, &cfg, &g));
  snowid_layout_free(l);
  return g;
}

static void test_generator_basics(void) {
  snowid_layout_t *l = NULL;
  snowid_generator_t *g = NULL;
  const snowid_layout_t *gl = NULL;
  snowid_config_t cfg;
  snowid_parts_t p;
  snowid_stats_t st;
  uint64_t a = 0, b = 0, ids[10000], written = 0;
  size_t i;
  int clock_kinds[2] = {SNOWID_CLOCK_CACHED, SNOWID_CLOCK_MONOTONIC};
  int c;

  EXPECT(snowid_layout_preset("TWITTER", &l), SNOWID_ERR_UNKNOWN_LAYOUT); /* exact, like every language */
  OK(snowid_layout_preset("twitter", &l));
  for (c = 0; c < 2; c++) {
    OK(snowid_config_init(&cfg, sizeof cfg));
    CHECK(cfg.struct_size == sizeof cfg && cfg.clock == SNOWID_CLOCK_CACHED &&
          cfg.on_regression == SNOWID_REGRESSION_WAIT && cfg.regression_max_wait_ms == 1000 &&
          cfg.max_borrow_ticks == 0 && cfg.nodes_set == 0, "config defaults");
    cfg.clock = (uint32_t)clock_kinds[c];
    OK(snowid_config_set_node(&cfg, l, "datacenter", 3));
    OK(snowid_config_set_node(&cfg, l, "worker", 17));
    OK(snowid_generator_new(l, &cfg, &g));
    OK(snowid_next(g, &a));
    OK(snowid_next(g, &b));
    CHECK(b > a, "ids increase");
    OK(snowid_generator_layout(g, &gl));
    OK(snowid_layout_decode(gl, b, &p));
    CHECK(p.nodes[0] == 3 && p.nodes[1] == 17, "node values %u %u", p.nodes[0], p.nodes[1]);
    CHECK(strcmp(p.node_names[0], "datacenter") == 0 && strcmp(p.node_names[1], "worker") == 0, "names");
    /* a real clock: the ID's time is now, give or take */
    {
      struct timespec ts;
      int64_t now;
      clock_gettime(CLOCK_REALTIME, &ts);
      now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
      CHECK(llabs(now - (int64_t)p.timestamp_ms) < 2000, "timestamp %" PRIu64 " near now %" PRId64, p.timestamp_ms, now);
    }
    /* a batch larger than a tick: strictly increasing, waits for the clock */
    OK(snowid_next_batch(g, ids, 10000, &written));
    CHECK(written == 10000, "batch wrote %" PRIu64, written);
    for (i = 1; i < 10000; i++) {
      if (ids[i] <= ids[i - 1]) break;
    }
    CHECK(i == 10000, "batch increasing (broke at %zu)", i);
    CHECK(ids[0] > b, "batch after single ids");
    OK(snowid_generator_stats(g, &st));
    CHECK(st.issued == 10002, "issued %" PRIu64, st.issued);
    /* However slow the machine (valgrind): never more than 4096 IDs in one
       tick. IDs increase, so one tick's IDs are contiguous. */
    {
      size_t run = 1, longest = 1;
      for (i = 1; i < 10000; i++) {
        run = (ids[i] >> 22) == (ids[i - 1] >> 22) ? run + 1 : 1;
        if (run > longest) longest = run;
      }
      CHECK(longest <= 4096, "at most 4096 IDs per tick, got %zu", longest);
    }
    /* set/advance only on a manual clock */
    EXPECT(snowid_generator_set_time(g, 5), SNOWID_ERR_INVALID_SETTING);
    EXPECT(snowid_generator_advance_time(g, 5), SNOWID_ERR_INVALID_SETTING);
    MESSAGE_HAS("SNOWID_CLOCK_MANUAL");
    snowid_generator_free(g);
    g = NULL;
  }
  snowid_layout_free(l);
}

static void test_manual_clock_and_policies(void) {
  uint64_t t0 = UINT64_C(1700000000000), id = 0, first = 0, ids[4096], written = 0;
  snowid_generator_t *g = manual_twitter(t0, 1, 2);
  snowid_stats_t st;
  const snowid_layout_t *gl = NULL;
  snowid_parts_t p;
  OK(snowid_next(g, &first));
  OK(snowid_generator_layout(g, &gl));
  OK(snowid_layout_decode(gl, first, &p));
  CHECK(p.timestamp_ms == t0 && p.sequence == 0, "manual time %" PRIu64, p.timestamp_ms);
  /* default policy WAIT, but a manual clock never waits: immediate error */
  OK(snowid_generator_advance_time(g, -40));
  EXPECT(snowid_next(g, &id), SNOWID_ERR_CLOCK_MOVED_BACKWARDS);
  MESSAGE_HAS("40 ms behind");
  OK(snowid_generator_set_time(g, t0 + 1));
  OK(snowid_next(g, &id));
  CHECK(id > first, "after recovery");
  /* exhaust the tick */
  OK(snowid_next_batch(g, ids, 4096, &written));
  CHECK(written == 4095, "rest of the tick: %" PRIu64, written);
  EXPECT(snowid_next_batch(g, ids, 4096, &written), SNOWID_ERR_SEQUENCE_EXHAUSTED);
  MESSAGE_HAS("4096");
  OK(snowid_generator_stats(g, &st));
  CHECK(st.issued == 4097 && st.clock_regressions == 1 && st.largest_regression_ms == 40,
        "stats %" PRIu64 " %" PRIu64 " %" PRIu64, st.issued, st.clock_regressions, st.largest_regression_ms);
  /* before the epoch */
  OK(snowid_generator_set_time(g, 1000));
  EXPECT(snowid_next(g, &id), SNOWID_ERR_CLOCK_BEFORE_EPOCH);
  snowid_generator_free(g);
}

static void test_borrowing(void) {
  snowid_layout_t *l = NULL;
  snowid_generator_t *g = NULL;
  snowid_config_t cfg;
  snowid_stats_t st;
  uint64_t ids[4096 * 3], written = 0, id;
  OK(snowid_layout_preset("twitter", &l));
  OK(snowid_config_init(&cfg, sizeof cfg));
  cfg.clock = SNOWID_CLOCK_MANUAL;
  cfg.manual_start_ms = UINT64_C(1700000000000);
  cfg.max_borrow_ticks = 2;
  cfg.nodes_set = 3; /* both nodes given directly, value 0 */
  OK(snowid_generator_new(l, &cfg, &g));
  OK(snowid_next_batch(g, ids, 4096 * 3, &written));
  CHECK(written == 4096 * 3, "three ticks with two borrowed: %" PRIu64, written);
  EXPECT(snowid_next(g, &id), SNOWID_ERR_SEQUENCE_EXHAUSTED);
  OK(snowid_generator_stats(g, &st));
  CHECK(st.borrowed_ticks == 2, "borrowed %" PRIu64, st.borrowed_ticks);
  snowid_generator_free(g);
  snowid_layout_free(l);
}

/* lanes: two node numbers (worker 7 and 8), one run of 4096 per lane in a
   tick; random_sequence_start: the first ID of a tick starts past 0 for
   most ticks (a pseudo-random offset 0..255 on Twitter) */
static void test_lanes_and_random_start(void) {
  snowid_layout_t *l = NULL;
  snowid_generator_t *g = NULL;
  snowid_config_t cfg;
  snowid_parts_t p;
  static uint64_t ids[9000];
  uint64_t written = 0, id;
  unsigned shard0 = 0, i;
  OK(snowid_layout_preset("twitter", &l));
  OK(snowid_config_init(&cfg, sizeof cfg));
  cfg.clock = SNOWID_CLOCK_MANUAL;
  cfg.manual_start_ms = UINT64_C(1700000000000);
  OK(snowid_config_set_node(&cfg, l, "datacenter", 1));
  OK(snowid_config_set_node(&cfg, l, "worker", 7));
  cfg.lanes = 2;
  OK(snowid_generator_new(l, &cfg, &g));
  OK(snowid_next_batch(g, ids, 9000, &written));
  CHECK(written == 8192, "two lanes x 4096 in one tick: %" PRIu64, written);
  OK(snowid_layout_decode(l, ids[0], &p));
  uint32_t w0 = p.nodes[1];
  OK(snowid_layout_decode(l, ids[4096], &p));
  /* datacenter 1, worker 7 is node number 39: two lanes own the block 78, 79 */
  CHECK(p.nodes[0] == 2 && w0 + p.nodes[1] == 29 && w0 != p.nodes[1], "datacenter 2, workers 14 and 15: %u %u",
        w0, p.nodes[1]);
  snowid_generator_free(g);
  cfg.lanes = 2;
  OK(snowid_config_set_node(&cfg, l, "worker", 31));
  OK(snowid_config_set_node(&cfg, l, "datacenter", 31));
  EXPECT(snowid_generator_new(l, &cfg, &g), SNOWID_ERR_INVALID_SETTING);
  MESSAGE_HAS("lanes");
  cfg.lanes = 0;
  cfg.random_sequence_start = 1;
  OK(snowid_generator_new(l, &cfg, &g));
  for (i = 0; i < 100; i++) {
    OK(snowid_next(g, &id));
    shard0 += (id % 16) == 0;
    OK(snowid_generator_advance_time(g, 10));
  }
  CHECK(shard0 < 30, "random start: %u of 100 on shard 0", shard0);
  snowid_generator_free(g);
  cfg.random_sequence_start = 2;
  EXPECT(snowid_generator_new(l, &cfg, &g), SNOWID_ERR_INVALID_SETTING);
  MESSAGE_HAS("random_sequence_start");
  snowid_layout_free(l);
}

static void test_custom_layout_and_inferred_kinds(void) {
  snowid_field_spec_t fields[4] = {
      {"timestamp", 41, SNOWID_FIELD_INFERRED},
      {"zone", 6, SNOWID_FIELD_INFERRED},
      {"tick_seq", 10, SNOWID_FIELD_SEQUENCE},
      {"host", 6, SNOWID_FIELD_NODE},
  };
  snowid_layout_spec_t spec = {NULL, fields, 4, 1, UINT64_C(1600000000000), 1};
  snowid_layout_t *l = NULL;
  snowid_layout_info_t info;
  snowid_field_t f;
  char buf[200];
  uint32_t len = 0;
  OK(snowid_layout_new(&spec, &l));
  OK(snowid_layout_info(l, &info));
  CHECK(strcmp(info.name, "custom") == 0, "NULL name is custom: %s", info.name);
  CHECK(info.node_count == 2, "two node fields");
  OK(snowid_layout_field(l, 1, &f));
  CHECK(f.kind == SNOWID_FIELD_NODE && f.bits == 6 && f.max == 63 && f.shift == 16, "zone inferred as node");
  OK(snowid_layout_field(l, 0, &f));
  CHECK(f.kind == SNOWID_FIELD_TIMESTAMP, "timestamp inferred");
  /* size query, then too small, then exact */
  EXPECT(snowid_layout_describe(l, NULL, 0, &len), SNOWID_ERR_BUFFER_TOO_SMALL);
  CHECK(len > 10, "needed length reported: %u", len);
  EXPECT(snowid_layout_describe(l, buf, len, &len), SNOWID_ERR_BUFFER_TOO_SMALL);
  OK(snowid_layout_describe(l, buf, len + 1, &len));
  CHECK(strlen(buf) == len && strstr(buf, "custom(0|timestamp:41|zone:6|tick_seq:10|host:6") == buf, "describe %s", buf);
  snowid_layout_free(l);
}

/* ---- bad input for every function ---------------------------------------- */

static void test_bad_input(void) {
  snowid_layout_t *l = NULL, *lt = NULL;
  snowid_generator_t *g = NULL;
  const snowid_generator_t *cg = NULL;
  const snowid_layout_t *cl = NULL;
  snowid_config_t cfg, junk;
  snowid_parts_t p;
  snowid_layout_info_t info;
  snowid_field_t field;
  snowid_capacity_t cap;
  snowid_stats_t st;
  uint64_t id = SENTINEL, ids[4], written = 0;
  uint32_t u = 0, len = 0;
  char buf[SNOWID_ENCODE_BUFFER_SIZE];
  const char *names[2] = {"datacenter", NULL};
  const char *dup_names[3] = {"worker", "datacenter", "worker"};
  uint64_t values[3] = {1, 2, 3};
  snowid_field_spec_t bad_fields[1] = {{NULL, 41, SNOWID_FIELD_INFERRED}};
  snowid_field_spec_t kind_fields[3] = {
      {"timestamp", 41, 9}, {"worker", 10, SNOWID_FIELD_NODE}, {"sequence", 12, SNOWID_FIELD_SEQUENCE}};
  snowid_layout_spec_t spec = {"x", NULL, 3, 1, 0, 1};

  OK(snowid_layout_preset("twitter", &lt));
  g = manual_twitter(UINT64_C(1700000000000), 0, 0);

  /* layouts */
  EXPECT(snowid_layout_preset(NULL, &l), SNOWID_ERR_NULL_ARGUMENT);
  MESSAGE_HAS("`name`");
  EXPECT(snowid_layout_preset("twitter", NULL), SNOWID_ERR_NULL_ARGUMENT);
  MESSAGE_HAS("out_layout");
  EXPECT(snowid_layout_preset("tw\xff", &l), SNOWID_ERR_INVALID_UTF8);
  EXPECT(snowid_layout_new(NULL, &l), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_layout_new(&spec, &l), SNOWID_ERR_NULL_ARGUMENT); /* fields NULL */
  MESSAGE_HAS("spec->fields");
  spec.fields = bad_fields;
  spec.field_count = 1;
  EXPECT(snowid_layout_new(&spec, &l), SNOWID_ERR_NULL_ARGUMENT); /* field name NULL */
  spec.fields = kind_fields;
  spec.field_count = 3;
  EXPECT(snowid_layout_new(&spec, &l), SNOWID_ERR_INVALID_SETTING); /* kind 9 */
  MESSAGE_HAS("kind");
  spec.field_count = 1000; /* only 3 entries behind the pointer: never read */
  EXPECT(snowid_layout_new(&spec, &l), SNOWID_ERR_FIELD_COUNT);
  spec.field_count = 65;
  EXPECT(snowid_layout_new(&spec, &l), SNOWID_ERR_FIELD_COUNT);
  spec.field_count = 7;
  EXPECT(snowid_layout_new(&spec, &l), SNOWID_ERR_FIELD_COUNT);
  spec.field_count = UINT32_MAX;
  EXPECT(snowid_layout_new(&spec, &l), SNOWID_ERR_FIELD_COUNT);
  spec.field_count = 0;
  EXPECT(snowid_layout_new(&spec, &l), SNOWID_ERR_FIELD_COUNT);
  spec.field_count = 3;
  kind_fields[0].kind = SNOWID_FIELD_TIMESTAMP;
  {
    /* sign_bit is 0 or 1 (the core's boolean rule), nothing else */
    snowid_layout_t *ok = NULL;
    unsigned sb;
    kind_fields[1].bits = 10;
    for (sb = 2; sb < 256; sb++) {
      spec.sign_bit = (uint8_t)sb;
      EXPECT(snowid_layout_new(&spec, &l), SNOWID_ERR_INVALID_SETTING);
    }
    MESSAGE_HAS("sign_bit");
    spec.sign_bit = 1;
    OK(snowid_layout_new(&spec, &ok));
    snowid_layout_free(ok);
    spec.name = "\xff";
    EXPECT(snowid_layout_new(&spec, &l), SNOWID_ERR_INVALID_SETTING); /* the core judges names */
    spec.name = "x";
    spec.tick_ms = 0;
    EXPECT(snowid_layout_new(&spec, &l), SNOWID_ERR_TICK_OUT_OF_RANGE);
    spec.tick_ms = 1;
    for (sb = 4; sb < 40; sb += 7) {
      kind_fields[2].kind = sb;
      EXPECT(snowid_layout_new(&spec, &l), SNOWID_ERR_INVALID_SETTING);
    }
    kind_fields[2].kind = SNOWID_FIELD_SEQUENCE;
  }
  EXPECT(snowid_layout_new(&spec, NULL), SNOWID_ERR_NULL_ARGUMENT);
  CHECK(l == NULL, "out_layout untouched on every error");
  snowid_layout_free(NULL);
  EXPECT(snowid_layout_info(NULL, &info), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_layout_info(lt, NULL), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_layout_field(NULL, 0, &field), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_layout_field(lt, 0, NULL), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_layout_field(lt, 4, &field), SNOWID_ERR_FIELD_OUT_OF_RANGE);
  MESSAGE_HAS("0..=3");
  EXPECT(snowid_layout_node_field(NULL, 0, &field), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_layout_node_field(lt, 0, NULL), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_layout_node_field(lt, 2, &field), SNOWID_ERR_FIELD_OUT_OF_RANGE);
  EXPECT(snowid_layout_node_index(NULL, "worker", &u), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_layout_node_index(lt, NULL, &u), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_layout_node_index(lt, "worker", NULL), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_layout_node_index(lt, "shard", &u), SNOWID_ERR_UNKNOWN_FIELD);
  MESSAGE_HAS("datacenter, worker");
  EXPECT(snowid_layout_node_index(lt, "\xc3", &u), SNOWID_ERR_INVALID_UTF8);
  EXPECT(snowid_layout_describe(NULL, buf, sizeof buf, &len), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_layout_describe(lt, NULL, 100, &len), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_layout_describe(lt, NULL, 5, NULL), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_layout_decode(NULL, 1, &p), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_layout_decode(lt, 1, NULL), SNOWID_ERR_NULL_ARGUMENT);
  OK(snowid_layout_decode(lt, 1, &p));
  EXPECT(snowid_parts_node(NULL, &p, "worker", &u), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_parts_node(lt, NULL, "worker", &u), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_parts_node(lt, &p, NULL, &u), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_parts_node(lt, &p, "worker", NULL), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_parts_node(lt, &p, "process", &u), SNOWID_ERR_UNKNOWN_FIELD);
  EXPECT(snowid_layout_compose(NULL, &p, &id), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_layout_compose(lt, NULL, &id), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_layout_compose(lt, &p, NULL), SNOWID_ERR_NULL_ARGUMENT);
  p.timestamp_ms = UINT64_C(1700000000000);
  p.nodes[1] = 32;
  EXPECT(snowid_layout_compose(lt, &p, &id), SNOWID_ERR_FIELD_OUT_OF_RANGE);
  MESSAGE_HAS("worker = 32");
  p.nodes[1] = 0;
  p.sequence = 4096;
  EXPECT(snowid_layout_compose(lt, &p, &id), SNOWID_ERR_FIELD_OUT_OF_RANGE);
  p.sequence = 0;
  p.timestamp_ms = UINT64_MAX;
  EXPECT(snowid_layout_compose(lt, &p, &id), SNOWID_ERR_TIMESTAMP_OUT_OF_RANGE);
  CHECK(id == SENTINEL, "out_id untouched");
  EXPECT(snowid_layout_compose_named(NULL, 0, 0, NULL, NULL, 0, &id), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_layout_compose_named(lt, 0, 0, NULL, NULL, 0, NULL), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_layout_compose_named(lt, 0, 0, NULL, values, 2, &id), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_layout_compose_named(lt, 0, 0, names, NULL, 2, &id), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_layout_compose_named(lt, 0, 0, names, values, 2, &id), SNOWID_ERR_NULL_ARGUMENT);
  MESSAGE_HAS("names[i]");
  EXPECT(snowid_layout_compose_named(lt, UINT64_C(1700000000000), 0, dup_names, values, 3, &id),
         SNOWID_ERR_DUPLICATE_FIELD);
  EXPECT(snowid_layout_compose_named(lt, UINT64_C(1700000000000), 0, NULL, NULL, 0, &id),
         SNOWID_ERR_MISSING_FIELD);
  values[0] = UINT64_C(1) << 40;
  EXPECT(snowid_layout_compose_named(lt, UINT64_C(1700000000000), 0, dup_names, values, 2, &id),
         SNOWID_ERR_FIELD_OUT_OF_RANGE);
  MESSAGE_HAS("1099511627776");
  CHECK(id == SENTINEL, "out_id untouched");
  EXPECT(snowid_layout_min_id_at(NULL, 0, &id), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_layout_min_id_at(lt, 0, NULL), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_layout_min_id_at(lt, -1, &id), SNOWID_ERR_TIMESTAMP_OUT_OF_RANGE);
  EXPECT(snowid_layout_max_id_at(NULL, 0, &id), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_layout_max_id_at(lt, 0, NULL), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_layout_max_id_at(lt, INT64_MAX, &id), SNOWID_ERR_TIMESTAMP_OUT_OF_RANGE);
  EXPECT(snowid_layout_capacity(NULL, &cap), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_layout_capacity(lt, NULL), SNOWID_ERR_NULL_ARGUMENT);

  /* config */
  EXPECT(snowid_config_init(NULL, sizeof cfg), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_config_init(&cfg, 8), SNOWID_ERR_INVALID_SETTING);
  MESSAGE_HAS("struct_size = \"8\"");
  EXPECT(snowid_config_init(&cfg, (uint32_t)sizeof cfg + 8), SNOWID_ERR_INVALID_SETTING);
  MESSAGE_HAS("newer than the library");
  EXPECT(snowid_config_set_node(&junk, NULL, "worker", 1), SNOWID_ERR_NULL_ARGUMENT);
  OK(snowid_config_init(&cfg, SNOWID_CONFIG_SIZE_V1));
  memset(&junk, 0, sizeof junk); /* never initialised: struct_size 0 */
  EXPECT(snowid_config_set_node(&junk, lt, "worker", 1), SNOWID_ERR_INVALID_SETTING);
  EXPECT(snowid_generator_new(lt, &junk, &g), SNOWID_ERR_INVALID_SETTING);
  EXPECT(snowid_config_set_node(NULL, lt, "worker", 1), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_config_set_node(&cfg, NULL, "worker", 1), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_config_set_node(&cfg, lt, NULL, 1), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_config_set_node(&cfg, lt, "worker", 32), SNOWID_ERR_FIELD_OUT_OF_RANGE);
  MESSAGE_HAS("0..=31");
  EXPECT(snowid_config_set_node(&cfg, lt, "worker", UINT64_C(1) << 33), SNOWID_ERR_FIELD_OUT_OF_RANGE);
  EXPECT(snowid_config_set_node(&cfg, lt, "shard", 1), SNOWID_ERR_UNKNOWN_FIELD);
  EXPECT(snowid_config_set_node(&cfg, lt, "\xff", 1), SNOWID_ERR_INVALID_UTF8);
  CHECK(cfg.nodes_set == 0, "config untouched on error");
  EXPECT(snowid_config_set_node_index(NULL, lt, 0, 1), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_config_set_node_index(&cfg, NULL, 0, 1), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_config_set_node_index(&cfg, lt, 2, 1), SNOWID_ERR_FIELD_OUT_OF_RANGE);
  MESSAGE_HAS("node index");
  EXPECT(snowid_config_set_node_index(&cfg, lt, 0, 99), SNOWID_ERR_FIELD_OUT_OF_RANGE);

  /* generators */
  {
    snowid_generator_t *made = NULL;
    EXPECT(snowid_generator_new(NULL, &cfg, &made), SNOWID_ERR_NULL_ARGUMENT);
    EXPECT(snowid_generator_new(lt, NULL, &made), SNOWID_ERR_NULL_ARGUMENT);
    OK(snowid_config_set_node(&cfg, lt, "worker", 1));
    EXPECT(snowid_generator_new(lt, &cfg, NULL), SNOWID_ERR_NULL_ARGUMENT);
    EXPECT(snowid_generator_new(lt, &cfg, &made), SNOWID_ERR_MISSING_FIELD);
    MESSAGE_HAS("datacenter");
    OK(snowid_config_set_node(&cfg, lt, "datacenter", 1));
    CONFIG_REJECTS(lt, cfg, clock, 7, SNOWID_CLOCK_CACHED, "config.clock");
    CONFIG_REJECTS(lt, cfg, on_regression, 5, SNOWID_REGRESSION_FAIL, "on_regression");
    CONFIG_REJECTS(lt, cfg, nodes_set, cfg.nodes_set | 1u << 3, 3, "nodes_set");
    cfg.nodes[1] = 40; /* written directly, bypassing set_node: still checked */
    EXPECT(snowid_generator_new(lt, &cfg, &made), SNOWID_ERR_FIELD_OUT_OF_RANGE);
    CHECK(made == NULL, "out_generator untouched on error");
    cfg.nodes[1] = 31;
    OK(snowid_generator_new(lt, &cfg, &made));
    snowid_generator_free(made);
  }
  snowid_generator_free(NULL);
  EXPECT(snowid_generator_new_default(NULL), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_default_generator(NULL), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_generator_layout(NULL, &cl), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_generator_layout(g, NULL), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_next(NULL, &id), SNOWID_ERR_NULL_ARGUMENT);
  MESSAGE_HAS("generator");
  EXPECT(snowid_next(g, NULL), SNOWID_ERR_NULL_ARGUMENT);
  MESSAGE_HAS("out_id");
  EXPECT(snowid_next_batch(NULL, ids, 4, &written), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_next_batch(g, NULL, 4, &written), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_next_batch(g, ids, 4, NULL), SNOWID_ERR_NULL_ARGUMENT);
  written = SENTINEL;
  OK(snowid_next_batch(g, NULL, 0, &written)); /* count 0: no buffer needed */
  CHECK(written == 0, "zero written");
  /* the one batch limit of every language, checked before the buffer is touched */
  EXPECT(snowid_next_batch(g, ids, SNOWID_MAX_BATCH + 1, &written), SNOWID_ERR_INVALID_SETTING);
  MESSAGE_HAS("16777216");
  EXPECT(snowid_next_batch(g, ids, UINT64_MAX, &written), SNOWID_ERR_INVALID_SETTING);
  /* ... and before the buffer pointer, as in the wide and segment batches */
  EXPECT(snowid_next_batch(g, NULL, SNOWID_MAX_BATCH + 1, &written), SNOWID_ERR_INVALID_SETTING);
  EXPECT(snowid_generator_layout(NULL, NULL), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_generator_stats(NULL, &st), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_generator_stats(g, NULL), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_generator_set_time(NULL, 1), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_generator_advance_time(NULL, 1), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_bench_core_next(NULL, 1, &id), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_bench_core_next(g, 1, NULL), SNOWID_ERR_NULL_ARGUMENT);
  OK(snowid_bench_core_next(g, 3, &id));
  (void)cg;

  /* encodings */
  EXPECT(snowid_encoding_from_name(NULL, &u), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_encoding_from_name("hex", NULL), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_encoding_from_name("HEX", &u), SNOWID_ERR_UNKNOWN_ENCODING);
  EXPECT(snowid_encode(1, 4, buf, sizeof buf, &len), SNOWID_ERR_UNKNOWN_ENCODING);
  EXPECT(snowid_encode(1, SNOWID_ENCODING_HEX, NULL, 17, &len), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_encode(1, SNOWID_ENCODING_HEX, NULL, 5, NULL), SNOWID_ERR_NULL_ARGUMENT); /* as promised */
  MESSAGE_HAS("`buf` is NULL");
  len = 0;
  EXPECT(snowid_encode(1, SNOWID_ENCODING_HEX, buf, 16, &len), SNOWID_ERR_BUFFER_TOO_SMALL);
  CHECK(len == 16, "needed length %u", len);
  MESSAGE_HAS("17 are needed");
  EXPECT(snowid_encode(1, SNOWID_ENCODING_HEX, NULL, 0, NULL), SNOWID_ERR_BUFFER_TOO_SMALL);
  OK(snowid_encode(1, SNOWID_ENCODING_HEX, buf, 17, NULL)); /* out_len optional */
  CHECK(strcmp(buf, "0000000000000001") == 0, "hex 1 = %s", buf);
  OK(snowid_encode(UINT64_MAX, SNOWID_ENCODING_DECIMAL, buf, SNOWID_ENCODE_BUFFER_SIZE, &len));
  CHECK(len == SNOWID_MAX_ENCODED_LEN, "longest is %u", len);
  id = SENTINEL;
  EXPECT(snowid_parse(SNOWID_ENCODING_HEX, NULL, &id), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_parse(SNOWID_ENCODING_HEX, "0000000000000001", NULL), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_parse(9, "1", &id), SNOWID_ERR_UNKNOWN_ENCODING);
  EXPECT(snowid_parse(SNOWID_ENCODING_DECIMAL, "12\xff", &id), SNOWID_ERR_INVALID_UTF8);
  MESSAGE_HAS("offset 2");
  EXPECT(snowid_parse(SNOWID_ENCODING_BASE62, "0000000000!", &id), SNOWID_ERR_PARSE_CHARACTER);
  MESSAGE_HAS("position 10");
  CHECK(id == SENTINEL, "out_id untouched");

  /* extreme values of every integer argument: a status, never a crash */
  EXPECT(snowid_layout_field(lt, UINT32_MAX, &field), SNOWID_ERR_FIELD_OUT_OF_RANGE);
  MESSAGE_HAS("4294967295");
  EXPECT(snowid_layout_node_field(lt, UINT32_MAX, &field), SNOWID_ERR_FIELD_OUT_OF_RANGE);
  EXPECT(snowid_config_set_node_index(&cfg, lt, UINT32_MAX, 0), SNOWID_ERR_FIELD_OUT_OF_RANGE);
  EXPECT(snowid_layout_decode(lt, UINT64_MAX, &p), SNOWID_ERR_ID_OUT_OF_RANGE);
  EXPECT(snowid_layout_min_id_at(lt, INT64_MIN, &id), SNOWID_ERR_TIMESTAMP_OUT_OF_RANGE);
  EXPECT(snowid_layout_max_id_at(lt, INT64_MIN, &id), SNOWID_ERR_TIMESTAMP_OUT_OF_RANGE);
  EXPECT(snowid_layout_compose_named(lt, UINT64_MAX, 0, NULL, NULL, 0, &id), SNOWID_ERR_TIMESTAMP_OUT_OF_RANGE);
  EXPECT(snowid_encode(1, UINT32_MAX, buf, sizeof buf, &len), SNOWID_ERR_UNKNOWN_ENCODING);
  EXPECT(snowid_parse(UINT32_MAX, "1", &id), SNOWID_ERR_UNKNOWN_ENCODING);
  CHECK(strcmp(snowid_status_str(INT32_MIN), "UNKNOWN_STATUS") == 0, "status INT32_MIN");
  CHECK(strcmp(snowid_status_str(INT32_MAX), "UNKNOWN_STATUS") == 0, "status INT32_MAX");
  OK(snowid_encode(UINT64_MAX, SNOWID_ENCODING_BASE62, buf, sizeof buf, &len));
  OK(snowid_parse(SNOWID_ENCODING_BASE62, buf, &id));
  CHECK(id == UINT64_MAX, "largest ID round trip");
  snowid_generator_free(g);
  g = manual_twitter(UINT64_C(1700000000000), 1, 1);
  OK(snowid_generator_set_time(g, UINT64_MAX));
  EXPECT(snowid_next(g, &id), SNOWID_ERR_TIME_EXHAUSTED);
  OK(snowid_generator_set_time(g, 1000));
  OK(snowid_generator_advance_time(g, INT64_MIN)); /* stops at 0 */
  EXPECT(snowid_next(g, &id), SNOWID_ERR_CLOCK_BEFORE_EPOCH);
  OK(snowid_generator_advance_time(g, INT64_MAX));
  EXPECT(snowid_next(g, &id), SNOWID_ERR_TIME_EXHAUSTED);
  OK(snowid_bench_core_next(g, 0, &id));
  snowid_generator_free(g);
  snowid_layout_free(lt);
}

/* ---- last error: per thread, lifetime ------------------------------------- */

static void *fail_in_thread(void *arg) {
  snowid_layout_t *l = NULL;
  char **msg = (char **)arg;
  snowid_layout_preset("nope", &l);
  *msg = malloc(strlen(snowid_last_error_message()) + 1);
  strcpy(*msg, snowid_last_error_message());
  return NULL;
}

static void test_last_error(void) {
  pthread_t t;
  char *other = NULL;
  uint64_t id;
  snowid_layout_t *l = NULL;
  EXPECT(snowid_parse(SNOWID_ENCODING_HEX, "", &id), SNOWID_ERR_PARSE_EMPTY);
  CHECK(strcmp(snowid_last_error_message(), "PARSE_EMPTY: cannot parse an empty string as hex") == 0,
        "message: %s", snowid_last_error_message());
  /* a success leaves it alone */
  OK(snowid_layout_preset("discord", &l));
  MESSAGE_HAS("PARSE_EMPTY");
  /* another thread's failure does not touch ours */
  CHECK(pthread_create(&t, NULL, fail_in_thread, &other) == 0, "thread");
  pthread_join(t, NULL);
  CHECK(other && strstr(other, "UNKNOWN_LAYOUT: unknown layout \"nope\"") == other, "thread message %s", other);
  MESSAGE_HAS("PARSE_EMPTY");
  free(other);
  snowid_layout_free(l);
}

/* ---- threads share one generator ------------------------------------------ */

#define THREADS 4
#define PER_THREAD 40000

typedef struct {
  const snowid_generator_t *g;
  uint64_t *out;
  int use_batch;
  int errors;
} worker_arg;

static void *issue(void *p) {
  worker_arg *w = (worker_arg *)p;
  size_t i = 0;
  while (i < PER_THREAD) {
    if (w->use_batch) {
      uint64_t n = 0, want = PER_THREAD - i < 1000 ? PER_THREAD - i : 1000;
      if (snowid_next_batch(w->g, w->out + i, want, &n) != SNOWID_OK) {
        w->errors++;
        return NULL;
      }
      i += (size_t)n;
    } else {
      if (snowid_next(w->g, &w->out[i]) != SNOWID_OK) {
        w->errors++;
        return NULL;
      }
      i++;
    }
  }
  return NULL;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static void test_threads_share_a_generator(void) {
  snowid_generator_t *g = NULL;
  pthread_t t[THREADS];
  worker_arg w[THREADS];
  uint64_t *all = malloc(sizeof(uint64_t) * THREADS * PER_THREAD);
  snowid_stats_t st;
  size_t i, dups = 0;
  int k;
  OK(snowid_generator_new_default(&g));
  for (k = 0; k < THREADS; k++) {
    w[k].g = g;
    w[k].out = all + (size_t)k * PER_THREAD;
    w[k].use_batch = k % 2; /* singles and batches at the same time */
    w[k].errors = 0;
    CHECK(pthread_create(&t[k], NULL, issue, &w[k]) == 0, "create thread %d", k);
  }
  for (k = 0; k < THREADS; k++) {
    pthread_join(t[k], NULL);
    CHECK(w[k].errors == 0, "thread %d errors", k);
  }
  for (k = 0; k < THREADS; k++) {
    for (i = 1; i < PER_THREAD; i++) {
      if (w[k].out[i] <= w[k].out[i - 1]) break;
    }
    CHECK(i == PER_THREAD, "thread %d sees increasing ids", k);
  }
  qsort(all, THREADS * PER_THREAD, sizeof *all, cmp_u64);
  for (i = 1; i < THREADS * PER_THREAD; i++) {
    if (all[i] == all[i - 1]) dups++;
  }
  CHECK(dups == 0, "%zu duplicates among %d ids", dups, THREADS * PER_THREAD);
  OK(snowid_generator_stats(g, &st));
  CHECK(st.issued == THREADS * PER_THREAD, "issued %" PRIu64, st.issued);
  free(all);
  snowid_generator_free(g);
}

/* ---- fork ------------------------------------------------------------------ */

/* A generator you made before fork() refuses in the child (the default
   generator's rule is tested by the "prefork" scenario). */
static void test_fork(void) {
  snowid_generator_t *g = NULL;
  uint64_t before = 0;
  pid_t pid;
  int status = 0;
  OK(snowid_generator_new_default(&g));
  OK(snowid_next(g, &before));
  fflush(NULL);
  pid = fork();
  CHECK(pid >= 0, "fork");
  if (pid == 0) {
    /* child: old generators refuse; a new one (own node values) works */
    uint64_t id = 0;
    snowid_generator_t *fresh = NULL;
    int code = 0;
    if (snowid_next(g, &id) != SNOWID_ERR_FORKED) code |= 1;
    if (strstr(snowid_last_error_message(), "fork") == NULL) code |= 2;
    if (snowid_next_batch(g, &id, 1, &id) != SNOWID_ERR_FORKED) code |= 4;
    if (snowid_generator_ready(g) != SNOWID_ERR_FORKED) code |= 8;
    setenv("SNOWID_WORKER_ID", "9", 1);
    if (snowid_generator_new_default(&fresh) != SNOWID_OK) code |= 16;
    if (fresh && (snowid_next(fresh, &id) != SNOWID_OK || id <= before)) code |= 32;
    snowid_generator_free(fresh);
    snowid_generator_free(g);
    _exit(code);
  }
  waitpid(pid, &status, 0);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child result bits %d", WEXITSTATUS(status));
  /* the parent is unaffected */
  {
    uint64_t after = 0;
    OK(snowid_next(g, &after));
    CHECK(after > before, "parent continues");
  }
  snowid_generator_free(g);
}

/* ---- generators from the environment --------------------------------------- */

static void test_owned_default_from_environment(void) {
  snowid_generator_t *g = NULL;
  const snowid_layout_t *l = NULL;
  snowid_layout_info_t info;
  snowid_parts_t p;
  uint64_t id = 0;

  setenv("SNOWID_WORKER_ID", "40", 1);
  EXPECT(snowid_generator_new_default(&g), SNOWID_ERR_INVALID_SETTING);
  MESSAGE_HAS("SNOWID_WORKER_ID = \"40\"");
  MESSAGE_HAS("0..=31");
  setenv("SNOWID_WORKER_ID", "abc", 1);
  EXPECT(snowid_generator_new_default(&g), SNOWID_ERR_INVALID_SETTING);
  setenv("SNOWID_WORKER_ID", "7", 1);
  setenv("SNOWID_DATACENTER_ID", "3", 1);
  setenv("SNOWID_LAYOUT", "snowflake", 1);
  EXPECT(snowid_generator_new_default(&g), SNOWID_ERR_INVALID_SETTING);
  MESSAGE_HAS("SNOWID_LAYOUT");
  setenv("SNOWID_LAYOUT", "twitter", 1);
  OK(snowid_generator_new_default(&g));
  OK(snowid_next(g, &id));
  OK(snowid_generator_layout(g, &l));
  OK(snowid_layout_decode(l, id, &p));
  CHECK(p.nodes[0] == 3 && p.nodes[1] == 7, "env nodes %u %u", p.nodes[0], p.nodes[1]);
  snowid_generator_free(g);
  g = NULL;

  /* an ID variable the layout has no field for is an error, not ignored */
  setenv("SNOWID_LAYOUT", "instagram", 1);
  setenv("SNOWID_SHARD_ID", "1341", 1);
  EXPECT(snowid_generator_new_default(&g), SNOWID_ERR_INVALID_SETTING);
  MESSAGE_HAS("SNOWID_DATACENTER_ID");
  unsetenv("SNOWID_DATACENTER_ID");
  unsetenv("SNOWID_WORKER_ID");
  OK(snowid_generator_new_default(&g));
  OK(snowid_generator_layout(g, &l));
  OK(snowid_layout_info(l, &info));
  CHECK(strcmp(info.name, "instagram") == 0, "layout from env");
  OK(snowid_next(g, &id));
  OK(snowid_layout_decode(l, id, &p));
  CHECK(p.nodes[0] == 1341, "shard from env");
  snowid_generator_free(g);

  /* the same numbers twice at once: refused, not silently shared */
  {
    snowid_generator_t *a = NULL, *b = NULL;
    OK(snowid_generator_new_default(&a));
    EXPECT(snowid_generator_new_default(&b), SNOWID_ERR_NODE_IN_USE);
    MESSAGE_HAS("held by another generator of this process");
    CHECK(b == NULL, "no second generator");
    snowid_generator_free(a); /* releases the numbers */
    OK(snowid_generator_new_default(&b));
    snowid_generator_free(b);
  }

  unsetenv("SNOWID_LAYOUT");
  unsetenv("SNOWID_SHARD_ID");
  unsetenv("SNOWID_DATACENTER_ID");
  unsetenv("SNOWID_WORKER_ID");

  /* nothing set: each default generator claims its own machine-local slot */
  {
    snowid_generator_t *a = NULL, *b = NULL;
    const snowid_layout_t *la = NULL;
    snowid_parts_t pa, pb;
    uint64_t ia = 0, ib = 0;
    OK(snowid_generator_new_default(&a));
    OK(snowid_generator_new_default(&b));
    OK(snowid_next(a, &ia));
    OK(snowid_next(b, &ib));
    OK(snowid_generator_layout(a, &la));
    OK(snowid_layout_decode(la, ia, &pa));
    OK(snowid_layout_decode(la, ib, &pb));
    CHECK(pa.nodes[0] != pb.nodes[0] || pa.nodes[1] != pb.nodes[1],
          "two local slots differ: %u/%u vs %u/%u", pa.nodes[0], pa.nodes[1], pb.nodes[0], pb.nodes[1]);
    snowid_generator_free(a);
    snowid_generator_free(b);
  }
}

/* Node sources through the version-2 config fields: real slot files and
   locks in a fresh directory. */
static void test_node_sources(void) {
  snowid_layout_t *l = NULL;
  snowid_config_t cfg;
  snowid_generator_t *a = NULL, *b = NULL;
  const snowid_layout_t *gl = NULL;
  snowid_parts_t pa, pb;
  uint64_t ia = 0, ib = 0;
  char dir[] = "/tmp/snowid-c-sources-XXXXXX";
  CHECK(mkdtemp(dir) != NULL, "mkdtemp");
  OK(snowid_layout_preset("twitter", &l));
  OK(snowid_config_init(&cfg, sizeof cfg));
  CHECK(cfg.struct_size == SNOWID_CONFIG_SIZE_V4, "this header is version 4");
  CHECK(cfg.node_source == SNOWID_NODE_SOURCE_EXPLICIT && cfg.persist == 1 && cfg.state_dir == NULL &&
        cfg.protect == 1 && cfg.window_ms == 0 && cfg.random_sequence_start == 0 && cfg.lanes == 0,
        "version-2, -3 and -4 defaults");

  /* two local-source generators: two distinct slots */
  cfg.node_source = SNOWID_NODE_SOURCE_LOCAL;
  cfg.state_dir = dir;
  OK(snowid_generator_new(l, &cfg, &a));
  OK(snowid_generator_new(l, &cfg, &b));
  OK(snowid_next(a, &ia));
  OK(snowid_next(b, &ib));
  OK(snowid_generator_layout(a, &gl));
  OK(snowid_layout_decode(gl, ia, &pa));
  OK(snowid_layout_decode(gl, ib, &pb));
  CHECK(pa.nodes[1] == 0 && pb.nodes[1] == 1, "local slots 0 and 1, got %u and %u", pa.nodes[1], pb.nodes[1]);
  snowid_generator_free(a);
  snowid_generator_free(b);

  /* environment numbers are locked while a generator holds them */
  setenv("SNOWID_WORKER_ID", "9", 1);
  cfg.node_source = SNOWID_NODE_SOURCE_ENV;
  OK(snowid_generator_new(l, &cfg, &a));
  b = NULL;
  EXPECT(snowid_generator_new(l, &cfg, &b), SNOWID_ERR_NODE_IN_USE);
  MESSAGE_HAS("worker=9");
  CHECK(b == NULL, "no second generator");
  snowid_generator_free(a);
  OK(snowid_generator_new(l, &cfg, &b)); /* released by the free */
  snowid_generator_free(b);
  unsetenv("SNOWID_WORKER_ID");

  /* bad settings */
  CONFIG_REJECTS(l, cfg, node_source, 7, SNOWID_NODE_SOURCE_LOCAL, "config.node_source");
  CONFIG_REJECTS(l, cfg, persist, 2, 1, "persist = \"2\""); /* the core's boolean rule: 0 or 1 */
  OK(snowid_config_set_node(&cfg, l, "worker", 1));
  EXPECT(snowid_generator_new(l, &cfg, &a), SNOWID_ERR_INVALID_SETTING);
  MESSAGE_HAS("node_source"); /* a source together with node fields */
  OK(snowid_config_init(&cfg, sizeof cfg));
  cfg.node_source = SNOWID_NODE_SOURCE_LOCAL;
  /* handed to the core as bytes; it refuses them */
  CONFIG_REJECTS(l, cfg, state_dir, "/tmp/\xff\xfe", "", "state_dir");
  EXPECT(snowid_generator_new(l, &cfg, &a), SNOWID_ERR_INVALID_SETTING);
  MESSAGE_HAS("not empty");
  cfg.state_dir = dir;
  CONFIG_REJECTS(l, cfg, protect, 0, 1, "protect"); /* a source always locks its numbers */
  /* not compiled into this build */
  CONFIG_REJECTS(l, cfg, node_source, SNOWID_NODE_SOURCE_ETCD, 6, "etcd");
  a = NULL;
  EXPECT(snowid_generator_new(l, &cfg, &a), SNOWID_ERR_INVALID_SETTING);
  MESSAGE_HAS("config.node_source");
  CHECK(a == NULL, "no generator on error");

  /* a caller compiled against version 1: the library ignores the bytes past
     its struct_size, so explicit node values keep working unchanged */
  OK(snowid_config_init(&cfg, SNOWID_CONFIG_SIZE_V1));
  cfg.node_source = 99; /* past struct_size: never read */
  OK(snowid_config_set_node(&cfg, l, "datacenter", 2));
  OK(snowid_config_set_node(&cfg, l, "worker", 5));
  OK(snowid_generator_new(l, &cfg, &a));
  OK(snowid_next(a, &ia));
  OK(snowid_layout_decode(l, ia, &pa));
  CHECK(pa.nodes[0] == 2 && pa.nodes[1] == 5, "version-1 config");
  snowid_generator_free(a);
  snowid_layout_free(l);
}

/* ---- config struct sizes: exactly the published versions ------------------ */

/* stats version 2: skew_ms (0 on a manual clock, small on the real clocks);
   version 1 writes exactly SNOWID_STATS_SIZE_V1 bytes, so old callers stay safe */
static void test_stats_skew(void) {
  union {
    snowid_stats_t st;
    unsigned char raw[128];
  } big;
  snowid_stats_t st;
  snowid_layout_t *l = NULL;
  snowid_config_t cfg;
  snowid_generator_t *g = manual_twitter(UINT64_C(1700000000000), 3, 4);
  uint64_t id = 0;
  uint32_t size;
  size_t i;
  int clock_kinds[2] = {SNOWID_CLOCK_CACHED, SNOWID_CLOCK_MONOTONIC};
  int c;
  CHECK(sizeof(snowid_stats_t) == SNOWID_STATS_SIZE_V3, "sizeof stats %zu", sizeof(snowid_stats_t));
  OK(snowid_generator_advance_time(g, 1000000000));
  OK(snowid_next(g, &id));
  st.skew_ms = 12345;
  OK(snowid_generator_stats_sized(g, &st, sizeof st));
  CHECK(st.skew_ms == 0 && st.issued == 1, "manual skew %" PRId64, st.skew_ms);
  /* version 3: the runway (twitter ends at 1288834974657 + 2^41 ms; the
     clock is at 1700000000000 + 10^9), the node numbers, no lease (-1) */
  CHECK(st.runway_s == UINT64_C(1786858230), "runway %" PRIu64, st.runway_s);
  CHECK(st.nodes_total == 1024 && st.nodes_in_use == 1 && st.nodes_free == 1023, "nodes %" PRIu64 "/%" PRIu64 "/%" PRIu64,
        st.nodes_total, st.nodes_in_use, st.nodes_free);
  CHECK(st.lease_ttl_left_ms == -1, "lease ttl %" PRId64, st.lease_ttl_left_ms);
  for (size = 0; size <= 100; size++) {
    int valid = size == SNOWID_STATS_SIZE_V1 || size == SNOWID_STATS_SIZE_V2 || size == SNOWID_STATS_SIZE_V3;
    memset(big.raw, 0xab, sizeof big.raw);
    EXPECT(snowid_generator_stats_sized(g, &big.st, size), valid ? SNOWID_OK : SNOWID_ERR_INVALID_SETTING);
    for (i = valid ? size : 0; i < sizeof big.raw; i++) {
      if (big.raw[i] != 0xab) break;
    }
    CHECK(i == sizeof big.raw, "stats size %u: byte %zu written", size, i);
  }
  EXPECT(snowid_generator_stats_sized(g, &st, 1000), SNOWID_ERR_INVALID_SETTING);
  MESSAGE_HAS("48");
  EXPECT(snowid_generator_stats_sized(NULL, &st, sizeof st), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_generator_stats_sized(g, NULL, sizeof st), SNOWID_ERR_NULL_ARGUMENT);
  /* the version-1 entry point never touches skew_ms */
  memset(big.raw, 0xab, sizeof big.raw);
  OK(snowid_generator_stats(g, &big.st));
  for (i = SNOWID_STATS_SIZE_V1; i < sizeof big.raw; i++) {
    if (big.raw[i] != 0xab) break;
  }
  CHECK(i == sizeof big.raw && big.st.issued == 1, "stats v1 wrote byte %zu", i);
  snowid_generator_free(g);
  OK(snowid_layout_preset("twitter", &l));
  for (c = 0; c < 2; c++) {
    OK(snowid_config_init(&cfg, sizeof cfg));
    cfg.clock = (uint32_t)clock_kinds[c];
    cfg.protect = 0;
    OK(snowid_config_set_node(&cfg, l, "datacenter", 29));
    OK(snowid_config_set_node(&cfg, l, "worker", 30));
    OK(snowid_generator_new(l, &cfg, &g));
    OK(snowid_next(g, &id));
    OK(snowid_generator_stats_sized(g, &st, sizeof st));
    CHECK(llabs(st.skew_ms) < 1000 && st.issued == 1, "real clock %d skew %" PRId64, c, st.skew_ms);
    snowid_generator_free(g);
  }
  snowid_layout_free(l);
}

static void test_struct_sizes(void) {
  union {
    snowid_config_t cfg;
    unsigned char raw[256];
  } big;
  snowid_layout_t *l = NULL;
  snowid_config_t cfg;
  uint32_t size;
  size_t i;
  unsigned long accepted = 0;
  OK(snowid_layout_preset("twitter", &l));
  for (size = 0; size <= 200; size++) {
    int valid = size == SNOWID_CONFIG_SIZE_V1 || size == SNOWID_CONFIG_SIZE_V2 || size == SNOWID_CONFIG_SIZE_V3 ||
                size == SNOWID_CONFIG_SIZE_V4;
    snowid_status want = valid ? SNOWID_OK : SNOWID_ERR_INVALID_SETTING;
    snowid_generator_t *g = NULL;
    memset(big.raw, 0xab, sizeof big.raw);
    EXPECT(snowid_config_init(&big.cfg, size), want);
    /* init writes exactly struct_size bytes, nothing when refused */
    for (i = valid ? size : 0; i < sizeof big.raw; i++) {
      if (big.raw[i] != 0xab) break;
    }
    CHECK(i == sizeof big.raw, "size %u: byte %zu written", size, i);
    /* a config with this struct_size, otherwise valid (manual clock: no files) */
    OK(snowid_config_init(&cfg, sizeof cfg));
    cfg.clock = SNOWID_CLOCK_MANUAL;
    cfg.manual_start_ms = UINT64_C(1700000000000);
    OK(snowid_config_set_node(&cfg, l, "datacenter", 1));
    OK(snowid_config_set_node(&cfg, l, "worker", 2));
    cfg.state_dir = (const char *)(uintptr_t)1; /* never read below version 2 */
    cfg.state_dir = size >= SNOWID_CONFIG_SIZE_V2 ? NULL : cfg.state_dir;
    cfg.struct_size = size;
    EXPECT(snowid_generator_new(l, &cfg, &g), want);
    if (!valid) MESSAGE_HAS("config.struct_size");
    CHECK((g != NULL) == valid, "size %u: generator %p", size, (void *)g);
    snowid_generator_free(g);
    EXPECT(snowid_config_set_node(&cfg, l, "worker", 3), want);
    EXPECT(snowid_config_set_node_index(&cfg, l, 0, 3), want);
    accepted += valid;
  }
  CHECK(accepted == 4, "four published sizes, %lu accepted", accepted);
  EXPECT(snowid_config_init(&cfg, UINT32_MAX), SNOWID_ERR_INVALID_SETTING);
  snowid_layout_free(l);
}

/* ---- options by name --------------------------------------------------- */

static snowid_status make_from(snowid_options_t *o, snowid_generator_t **g) {
  *g = NULL;
  return snowid_generator_new_with_options(o, g);
}

static void test_options_api(void) {
  snowid_options_t *o = NULL;
  snowid_layout_t *discord = NULL, *twitter = NULL;
  snowid_generator_t *g = NULL;
  const snowid_layout_t *gl = NULL;
  snowid_parts_t p;
  uint64_t id = 0, want = 0;
  char buf[512];
  uint32_t len = 0;
  const char *names[2] = {"SNOWID_LAYOUT", NULL};
  const char *values[2] = {"discord", "x"};

  OK(snowid_layout_preset("discord", &discord));
  OK(snowid_layout_preset("twitter", &twitter));

  /* NULL for every pointer of every options function */
  EXPECT(snowid_options_new(NULL), SNOWID_ERR_NULL_ARGUMENT);
  OK(snowid_options_new(&o));
  snowid_options_free(NULL);
  EXPECT(snowid_options_set_int(NULL, "worker", 1), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_options_set_int(o, NULL, 1), SNOWID_ERR_NULL_ARGUMENT);
  MESSAGE_HAS("`key`");
  EXPECT(snowid_options_set_uint(NULL, "worker", 1), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_options_set_uint(o, NULL, 1), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_options_set_bool(NULL, "protect", false), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_options_set_bool(o, NULL, false), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_options_set_str(NULL, "clock", "cached"), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_options_set_str(o, NULL, "cached"), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_options_set_str(o, "clock", NULL), SNOWID_ERR_NULL_ARGUMENT);
  MESSAGE_HAS("`value`");
  EXPECT(snowid_options_set_layout(NULL, "layout", twitter), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_options_set_layout(o, NULL, twitter), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_options_set_layout(o, "layout", NULL), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_options_set_manual_clock(NULL, "clock", 1), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_options_set_manual_clock(o, NULL, 1), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_options_set_int(o, "wor\xffker", 1), SNOWID_ERR_INVALID_UTF8);
  EXPECT(snowid_generator_new_with_options(NULL, &g), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_generator_new_with_options(o, NULL), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_configure(NULL), SNOWID_ERR_NULL_ARGUMENT);
  CHECK(g == NULL, "no generator on error");
  /* no numbers and no source: the rule of every language */
  EXPECT(make_from(o, &g), SNOWID_ERR_MISSING_FIELD);
  MESSAGE_HAS("datacenter");
  snowid_options_free(o);

  /* bad values of every kind: the core's codes, naming the option and value */
#define BAD(code, needle, ...)                                  \
  do {                                                          \
    OK(snowid_options_new(&o));                                 \
    __VA_ARGS__;                                                \
    EXPECT(make_from(o, &g), code);                             \
    MESSAGE_HAS(needle);                                        \
    CHECK(g == NULL, "no generator");                           \
    snowid_options_free(o);                                     \
  } while (0)
#define DC_W OK(snowid_options_set_int(o, "datacenter", 1)); OK(snowid_options_set_int(o, "worker", 2))
  BAD(SNOWID_ERR_FIELD_OUT_OF_RANGE, "worker = -1 is out of range; valid range is 0..=31",
      OK(snowid_options_set_int(o, "datacenter", 1)); OK(snowid_options_set_int(o, "worker", -1)));
  BAD(SNOWID_ERR_FIELD_OUT_OF_RANGE, "worker = 18446744073709551615",
      OK(snowid_options_set_int(o, "datacenter", 1)); OK(snowid_options_set_uint(o, "worker", UINT64_MAX)));
  BAD(SNOWID_ERR_FIELD_OUT_OF_RANGE, "datacenter = -9223372036854775808",
      OK(snowid_options_set_int(o, "datacenter", INT64_MIN)); OK(snowid_options_set_int(o, "worker", 1)));
  BAD(SNOWID_ERR_WRONG_TYPE, "worker", OK(snowid_options_set_int(o, "datacenter", 1));
      OK(snowid_options_set_str(o, "worker", "7")));
  BAD(SNOWID_ERR_WRONG_TYPE, "worker", OK(snowid_options_set_int(o, "datacenter", 1));
      OK(snowid_options_set_bool(o, "worker", true)));
  BAD(SNOWID_ERR_WRONG_TYPE, "worker", OK(snowid_options_set_int(o, "datacenter", 1));
      OK(snowid_options_set_layout(o, "worker", twitter)));
  BAD(SNOWID_ERR_WRONG_TYPE, "worker", OK(snowid_options_set_int(o, "datacenter", 1));
      OK(snowid_options_set_manual_clock(o, "worker", 5)));
  BAD(SNOWID_ERR_MISSING_FIELD, "worker", OK(snowid_options_set_int(o, "datacenter", 1)));
  BAD(SNOWID_ERR_UNKNOWN_FIELD, "shard", DC_W; OK(snowid_options_set_int(o, "shard", 1)));
  BAD(SNOWID_ERR_INVALID_SETTING, "given once", DC_W; OK(snowid_options_set_int(o, "worker", 3)));
  BAD(SNOWID_ERR_INVALID_SETTING, "given once", DC_W; OK(snowid_options_set_int(o, "maxWaitMs", 3));
      OK(snowid_options_set_int(o, "max_wait_ms", 3)));
  BAD(SNOWID_ERR_INVALID_SETTING, "max_wait_ms = \"-1\"", DC_W; OK(snowid_options_set_int(o, "max_wait_ms", -1)));
  BAD(SNOWID_ERR_INVALID_SETTING, "18446744073709551615", DC_W;
      OK(snowid_options_set_uint(o, "max_wait_ms", UINT64_MAX)));
  BAD(SNOWID_ERR_INVALID_SETTING, "-9223372036854775808", DC_W;
      OK(snowid_options_set_int(o, "max_borrow_ticks", INT64_MIN)));
  BAD(SNOWID_ERR_INVALID_SETTING, "window_ms", DC_W; OK(snowid_options_set_int(o, "window_ms", 0)));
  BAD(SNOWID_ERR_INVALID_SETTING, "epoch", DC_W; OK(snowid_options_set_int(o, "epoch", -5)));
  BAD(SNOWID_ERR_EPOCH_IN_FUTURE, "future", DC_W; OK(snowid_options_set_int(o, "epoch", INT64_MAX / 2)));
  BAD(SNOWID_ERR_WRONG_TYPE, "clock", DC_W; OK(snowid_options_set_int(o, "clock", 1)));
  BAD(SNOWID_ERR_INVALID_SETTING, "sundial", DC_W; OK(snowid_options_set_str(o, "clock", "sundial")));
  BAD(SNOWID_ERR_INVALID_SETTING, "UTF-8", DC_W; OK(snowid_options_set_str(o, "clock", "\xff")));
  BAD(SNOWID_ERR_INVALID_SETTING, "panic", DC_W; OK(snowid_options_set_str(o, "on_regression", "panic")));
  BAD(SNOWID_ERR_INVALID_SETTING, "max_wait_ms", DC_W; OK(snowid_options_set_str(o, "on_regression", "fail"));
      OK(snowid_options_set_int(o, "max_wait_ms", 10)));
  BAD(SNOWID_ERR_UNKNOWN_LAYOUT, "snowflake", DC_W; OK(snowid_options_set_str(o, "layout", "snowflake")));
  BAD(SNOWID_ERR_UNKNOWN_LAYOUT, "Twitter", DC_W; OK(snowid_options_set_str(o, "layout", "Twitter")));
  BAD(SNOWID_ERR_WRONG_TYPE, "layout", DC_W; OK(snowid_options_set_bool(o, "layout", true)));
  BAD(SNOWID_ERR_INVALID_SETTING, "state_dir", DC_W; OK(snowid_options_set_str(o, "state_dir", "")));
  BAD(SNOWID_ERR_INVALID_SETTING, "state_dir", DC_W; OK(snowid_options_set_str(o, "state_dir", "/tmp/\xfe")));
  BAD(SNOWID_ERR_INVALID_SETTING, "everywhere", OK(snowid_options_set_str(o, "node_source", "everywhere")));
  BAD(SNOWID_ERR_INVALID_SETTING, "node_source", DC_W; OK(snowid_options_set_str(o, "node_source", "local")));
  BAD(SNOWID_ERR_INVALID_SETTING, "protect = \"2\"", DC_W; OK(snowid_options_set_int(o, "protect", 2)));
  BAD(SNOWID_ERR_WRONG_TYPE, "persist", DC_W; OK(snowid_options_set_str(o, "persist", "yes")));
  BAD(SNOWID_ERR_INVALID_SETTING, "protect", DC_W; OK(snowid_options_set_manual_clock(o, "clock", 1));
      OK(snowid_options_set_bool(o, "protect", true)));
  BAD(SNOWID_ERR_INVALID_SETTING, "persist", DC_W; OK(snowid_options_set_bool(o, "protect", false));
      OK(snowid_options_set_bool(o, "persist", true)));
#undef DC_W
#undef BAD

  /* a manual-clock generator by name: deterministic IDs, its clock moved
     through the generator */
  OK(snowid_options_new(&o));
  OK(snowid_options_set_layout(o, "layout", discord));
  OK(snowid_options_set_int(o, "worker", 3));
  OK(snowid_options_set_uint(o, "process", 1));
  OK(snowid_options_set_manual_clock(o, "clock", UINT64_C(1700000000000)));
  OK(snowid_options_set_str(o, "onRegression", "fail"));
  OK(snowid_options_set_int(o, "max_borrow_ticks", 0));
  OK(make_from(o, &g));
  snowid_layout_free(discord); /* the options and the generator keep copies */
  discord = NULL;
  OK(snowid_next(g, &id));
  OK(snowid_generator_layout(g, &gl));
  OK(snowid_layout_decode(gl, id, &p));
  CHECK(p.timestamp_ms == UINT64_C(1700000000000) && p.sequence == 0 && p.nodes[0] == 3 && p.nodes[1] == 1,
        "manual discord id %" PRIu64, id);
  {
    const char *n[2] = {"worker", "process"};
    const uint64_t v[2] = {3, 1};
    OK(snowid_layout_compose_named(gl, UINT64_C(1700000000000), 0, n, v, 2, &want));
    CHECK(id == want, "composed %" PRIu64 " vs issued %" PRIu64, want, id);
  }
  OK(snowid_generator_advance_time(g, -5));
  EXPECT(snowid_next(g, &id), SNOWID_ERR_CLOCK_MOVED_BACKWARDS); /* on_regression fail */
  OK(snowid_generator_set_time(g, UINT64_C(1700000000001)));
  OK(snowid_next(g, &id));
  snowid_generator_free(g);
  /* the same options again: a second generator sharing the manual clock
     (unprotected, so the same numbers are allowed) */
  OK(make_from(o, &g));
  snowid_generator_free(g);
  snowid_options_free(o);

  /* the test hook: NULLs, an unknown target, a buffer too small */
  OK(snowid_options_new(&o));
  OK(snowid_options_set_str(o, "layout", "sonyflake"));
  EXPECT(snowid_test_resolve(SNOWID_RESOLVE_INSPECT, o, NULL, values, 1, buf, sizeof buf, &len),
         SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_test_resolve(SNOWID_RESOLVE_INSPECT, o, names, NULL, 1, buf, sizeof buf, &len),
         SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_test_resolve(SNOWID_RESOLVE_INSPECT, o, names, values, 2, buf, sizeof buf, &len),
         SNOWID_ERR_NULL_ARGUMENT); /* names[1] */
  EXPECT(snowid_test_resolve(SNOWID_RESOLVE_INSPECT, o, names, values, 1, NULL, 9, &len),
         SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_test_resolve(4, o, names, values, 1, buf, sizeof buf, &len), SNOWID_ERR_INVALID_SETTING);
  EXPECT(snowid_test_resolve(SNOWID_RESOLVE_INSPECT, o, names, values, 1, NULL, 0, &len),
         SNOWID_ERR_BUFFER_TOO_SMALL);
  CHECK(len == strlen("{\"layout\":\"sonyflake\"}"), "size query %u", len);
  OK(snowid_test_resolve(SNOWID_RESOLVE_INSPECT, o, names, values, 1, buf, sizeof buf, NULL));
  CHECK(strcmp(buf, "{\"layout\":\"sonyflake\"}") == 0, "configured layout wins: %s", buf);
  OK(snowid_test_resolve(SNOWID_RESOLVE_INSPECT, NULL, names, values, 1, buf, sizeof buf, NULL));
  CHECK(strcmp(buf, "{\"layout\":\"discord\"}") == 0, "SNOWID_LAYOUT: %s", buf);
  snowid_options_free(o);
  snowid_layout_free(twitter);
}

/* ---- protected node numbers ------------------------------------------------ */

/* Calls `fn(path, arg)` for every slot-<k>.mark file under `state`; returns
   how many there are. */
static int each_mark(const char *state, void (*fn)(const char *, void *), void *arg) {
  DIR *top = opendir(state), *sub;
  struct dirent *e, *f;
  char dir[1024], path[1536];
  int n = 0;
  if (!top) return -1;
  while ((e = readdir(top)) != NULL) {
    if (e->d_name[0] == '.') continue;
    snprintf(dir, sizeof dir, "%s/%s", state, e->d_name);
    if ((sub = opendir(dir)) == NULL) continue;
    while ((f = readdir(sub)) != NULL) {
      size_t len = strlen(f->d_name);
      if (strncmp(f->d_name, "slot-", 5) != 0 || len < 6 || strcmp(f->d_name + len - 5, ".mark") != 0) continue;
      snprintf(path, sizeof path, "%s/%s", dir, f->d_name);
      if (fn) fn(path, arg);
      n++;
    }
    closedir(sub);
  }
  closedir(top);
  return n;
}

static void test_protected_numbers(void) {
  snowid_layout_t *l = NULL;
  snowid_config_t cfg;
  snowid_options_t *o = NULL;
  snowid_generator_t *a = NULL, *b = NULL;
  uint64_t id = 0;
  char dir[] = "/tmp/snowid-c-protect-XXXXXX";
  const char *state = getenv("SNOWID_STATE_DIR");
  char saved[1024];
  snprintf(saved, sizeof saved, "%s", state ? state : "");
  CHECK(mkdtemp(dir) != NULL, "mkdtemp");
  OK(snowid_layout_preset("twitter", &l));
  OK(snowid_config_init(&cfg, sizeof cfg));
  cfg.state_dir = dir;
  OK(snowid_config_set_node(&cfg, l, "datacenter", 4));
  OK(snowid_config_set_node(&cfg, l, "worker", 4));

  /* explicit numbers are locked: a second live holder is refused */
  OK(snowid_generator_new(l, &cfg, &a));
  EXPECT(snowid_generator_new(l, &cfg, &b), SNOWID_ERR_NODE_IN_USE);
  MESSAGE_HAS("datacenter=4");
  CHECK(b == NULL, "no second generator");
  OK(snowid_next(a, &id));
  snowid_generator_free(a); /* releases them, lowers the mark */
  CHECK(each_mark(dir, NULL, NULL) == 1, "one mark under %s", dir);
  OK(snowid_generator_new(l, &cfg, &b));
  snowid_generator_free(b);

  /* version 3 opt-out: protect = 0, numbers you keep unique yourself */
  cfg.protect = 0;
  OK(snowid_generator_new(l, &cfg, &a));
  OK(snowid_generator_new(l, &cfg, &b));
  snowid_generator_free(a);
  snowid_generator_free(b);
  CONFIG_REJECTS(l, cfg, protect, 2, 0, "protect");
  cfg.persist = 0; /* persist 0 goes with protect 0; 1 is the default */
  OK(snowid_generator_new(l, &cfg, &a));
  snowid_generator_free(a);
  cfg.protect = 1;
  cfg.window_ms = 5;
  OK(snowid_generator_new(l, &cfg, &a)); /* locked, no mark */
  snowid_generator_free(a);
  cfg.persist = 1;
  CONFIG_REJECTS(l, cfg, window_ms, 3600001, 0, "window_ms");
  /* a wait with "fail" is a conflict; the default wait counts as not given */
  cfg.on_regression = SNOWID_REGRESSION_FAIL;
  OK(snowid_generator_new(l, &cfg, &a));
  snowid_generator_free(a);
  cfg.regression_max_wait_ms = 10;
  EXPECT(snowid_generator_new(l, &cfg, &a), SNOWID_ERR_INVALID_SETTING);
  MESSAGE_HAS("max_wait_ms");
  cfg.on_regression = SNOWID_REGRESSION_WAIT;
  cfg.regression_max_wait_ms = 3600001;
  EXPECT(snowid_generator_new(l, &cfg, &a), SNOWID_ERR_INVALID_SETTING);
  cfg.regression_max_wait_ms = 1000;
  CONFIG_REJECTS(l, cfg, max_borrow_ticks, 1000001, 0, "max_borrow_ticks");
  CONFIG_REJECTS(l, cfg, on_regression, 2, SNOWID_REGRESSION_WAIT, "config.on_regression");
  CONFIG_REJECTS(l, cfg, clock, 3, SNOWID_CLOCK_CACHED, "config.clock");

  /* callers compiled against versions 1 and 2 get protection by default */
  cfg.struct_size = SNOWID_CONFIG_SIZE_V2;
  cfg.protect = 0; /* past struct_size: never read */
  OK(snowid_generator_new(l, &cfg, &a));
  EXPECT(snowid_generator_new(l, &cfg, &b), SNOWID_ERR_NODE_IN_USE);
  snowid_generator_free(a);
  setenv("SNOWID_STATE_DIR", dir, 1); /* version 1 has no state_dir */
  cfg.struct_size = SNOWID_CONFIG_SIZE_V1;
  OK(snowid_generator_new(l, &cfg, &a));
  EXPECT(snowid_generator_new(l, &cfg, &b), SNOWID_ERR_NODE_IN_USE);

  /* the same numbers by name, in the same state directory: in use too */
  OK(snowid_options_new(&o));
  OK(snowid_options_set_int(o, "datacenter", 4));
  OK(snowid_options_set_int(o, "worker", 4));
  OK(snowid_options_set_str(o, "state_dir", dir));
  EXPECT(snowid_generator_new_with_options(o, &b), SNOWID_ERR_NODE_IN_USE);
  OK(snowid_options_set_bool(o, "protect", false));
  OK(snowid_generator_new_with_options(o, &b)); /* opted out */
  snowid_generator_free(b);
  snowid_options_free(o);
  snowid_generator_free(a);
  if (saved[0]) {
    setenv("SNOWID_STATE_DIR", saved, 1);
  } else {
    unsetenv("SNOWID_STATE_DIR");
  }
  snowid_layout_free(l);
}

/* ---- the default generator, in fresh processes ------------------------------ */

static const char *self_path;
extern char **environ;

/* Unsets every SNOWID_* variable and the replicated-environment markers. */
static void clean_environment(void) {
  static const char *const markers[] = {"KUBERNETES_SERVICE_HOST", "AWS_LAMBDA_FUNCTION_NAME", "K_SERVICE"};
  char name[256];
  size_t i;
  int again = 1;
  for (i = 0; i < sizeof markers / sizeof markers[0]; i++) unsetenv(markers[i]);
  while (again) {
    char **e;
    again = 0;
    for (e = environ; *e; e++) {
      const char *eq = strchr(*e, '=');
      size_t len = eq ? (size_t)(eq - *e) : strlen(*e);
      if (strncmp(*e, "SNOWID_", 7) == 0 && len < sizeof name) {
        memcpy(name, *e, len);
        name[len] = '\0';
        unsetenv(name);
        again = 1;
        break;
      }
    }
  }
}

/* Runs this program with `scenario` (and `arg`) in a fresh process whose
   state directory is `state`; returns its exit status. */
static int run_scenario(const char *scenario, const char *arg, const char *state) {
  pid_t pid;
  int status = 0;
  fflush(NULL);
  pid = fork();
  if (pid == 0) {
    char *argv[4];
    argv[0] = (char *)(uintptr_t)self_path;
    argv[1] = (char *)(uintptr_t)scenario;
    argv[2] = (char *)(uintptr_t)(arg ? arg : "-");
    argv[3] = NULL;
    clean_environment();
    setenv("SNOWID_STATE_DIR", state, 1);
    setenv("SNOWID_HOST_LOCK_DIR", "off", 1);
    execv(self_path, argv);
    _exit(127);
  }
  if (pid < 0 || waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void test_default_generator(void) {
  char state[] = "/tmp/snowid-c-default-XXXXXX";
  CHECK(mkdtemp(state) != NULL, "mkdtemp");
  CHECK(run_scenario("default", NULL, state) == 0, "scenario default failed (output above)");
}

static void test_prefork(void) {
  char state[] = "/tmp/snowid-c-prefork-XXXXXX";
  CHECK(mkdtemp(state) != NULL, "mkdtemp");
  CHECK(run_scenario("prefork", NULL, state) == 0, "scenario prefork failed (output above)");
}

static void read_tick(const char *path, void *arg) {
  char line[256];
  FILE *fp = fopen(path, "r");
  if (!fp) return;
  while (fgets(line, sizeof line, fp)) {
    long long t;
    if (sscanf(line, "tick %lld", &t) == 1) *(int64_t *)arg = (int64_t)t;
  }
  fclose(fp);
}

/* The tick in the one mark file under `state` (-1 if none). */
static int64_t mark_tick(const char *state) {
  int64_t tick = -1;
  int n = each_mark(state, read_tick, &tick);
  CHECK(n == 1, "%d mark files under %s", n, state);
  return tick;
}

/* The last ID a scenario wrote to `file`, and its tick (Twitter layout). */
static int64_t last_id_tick(const char *file, uint64_t *id_out) {
  FILE *fp = fopen(file, "r");
  unsigned long long id = 0;
  snowid_layout_t *l = NULL;
  snowid_parts_t p;
  int64_t tick = -1;
  if (!fp) return -1;
  if (fscanf(fp, "%llu", &id) == 1 && snowid_layout_preset("twitter", &l) == SNOWID_OK &&
      snowid_layout_decode(l, (uint64_t)id, &p) == SNOWID_OK)
    tick = (int64_t)p.tick;
  fclose(fp);
  snowid_layout_free(l);
  *id_out = (uint64_t)id;
  return tick;
}

static void test_clean_exit_mark(void) {
  char clean[] = "/tmp/snowid-c-exit-XXXXXX", crash[] = "/tmp/snowid-c-crash-XXXXXX";
  char out[1100];
  uint64_t first = 0, second = 0, id = 0;
  int64_t last, mark;
  CHECK(mkdtemp(clean) != NULL && mkdtemp(crash) != NULL, "mkdtemp");

  /* a process that exits normally (atexit(snowid_shutdown)) leaves the mark
     at its last ID's tick, so its successor need not wait */
  snprintf(out, sizeof out, "%s/last-1", clean);
  CHECK(run_scenario("exit", out, clean) == 0, "clean exit scenario");
  last = last_id_tick(out, &first);
  mark = mark_tick(clean);
  CHECK(last > 0 && mark >= 0 && mark <= last, "clean exit: mark tick %" PRId64 " <= last ID tick %" PRId64,
        mark, last);
  /* its successor in the same state directory: same slot, IDs above */
  snprintf(out, sizeof out, "%s/last-2", clean);
  CHECK(run_scenario("exit", out, clean) == 0, "second clean exit");
  last = last_id_tick(out, &second);
  mark = mark_tick(clean);
  CHECK(second > first, "successor issues above: %" PRIu64 " > %" PRIu64, second, first);
  CHECK(mark >= 0 && mark <= last, "second clean exit: mark %" PRId64 " <= %" PRId64, mark, last);

  /* without snowid_shutdown() (a crash) the mark stays a window ahead */
  snprintf(out, sizeof out, "%s/last", crash);
  CHECK(run_scenario("crash", out, crash) == 0, "crash scenario");
  last = last_id_tick(out, &id);
  mark = mark_tick(crash);
  CHECK(last > 0 && mark > last, "no shutdown: mark tick %" PRId64 " ahead of last ID tick %" PRId64, mark, last);
}

/* ---- scenarios: each runs in its own process (argv[1]) ---------------------- */

static int scenario_default(void) {
  const snowid_generator_t *d1 = NULL, *d2 = NULL;
  const snowid_layout_t *l = NULL, *l2 = NULL;
  snowid_layout_info_t info;
  snowid_options_t *o = NULL, *other = NULL;
  snowid_stats_t st;
  snowid_parts_t p;
  uint64_t id = 0, next = 0, ids[10], written = 0;

  /* a replicated environment needs a node source; nothing is kept on error */
  setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1", 1);
  setenv("HOSTNAME", "web-7f9c-abcde", 1);
  EXPECT(snowid_default_generator(&d1), SNOWID_ERR_NODE_SOURCE_REQUIRED);
  MESSAGE_HAS("Kubernetes");
  CHECK(d1 == NULL, "no default on error");
  setenv("SNOWID_WORKER_ID", "40", 1);
  EXPECT(snowid_default_generator(&d1), SNOWID_ERR_INVALID_SETTING);
  MESSAGE_HAS("SNOWID_WORKER_ID = \"40\"");
  unsetenv("SNOWID_WORKER_ID");
  unsetenv("KUBERNETES_SERVICE_HOST");
  setenv("SNOWID_LAYOUT", "snowflake", 1);
  EXPECT(snowid_default_generator(&d1), SNOWID_ERR_INVALID_SETTING);
  MESSAGE_HAS("SNOWID_LAYOUT");
  setenv("SNOWID_LAYOUT", " Discord ", 1); /* trimmed, case-insensitive */

  /* configure() wins over the environment and is checked at once */
  OK(snowid_options_new(&o));
  OK(snowid_options_set_int(o, "shard", 1));
  EXPECT(snowid_configure(o), SNOWID_ERR_UNKNOWN_FIELD); /* discord has no shard */
  snowid_options_free(o);
  OK(snowid_options_new(&o));
  OK(snowid_options_set_str(o, "layout", "instagram"));
  OK(snowid_configure(o));
  OK(snowid_default_generator(&d1));
  OK(snowid_default_generator(&d2));
  CHECK(d1 != NULL && d1 == d2, "one default handle");
  /* ready() of the default: it exists now (created above), nothing is issued */
  OK(snowid_generator_ready(d1));
  OK(snowid_generator_stats(d1, &st));
  CHECK(st.issued == 0, "default ready() issued %" PRIu64, st.issued);
  OK(snowid_generator_layout(d1, &l));
  OK(snowid_generator_layout(d2, &l2));
  CHECK(l == l2, "one layout handle");
  OK(snowid_layout_info(l, &info));
  CHECK(strcmp(info.name, "instagram") == 0, "configured layout: %s", info.name);
  OK(snowid_next(d1, &id));
  OK(snowid_layout_decode(l, id, &p));
  CHECK(p.nodes[0] == 0, "first local slot: shard %u", p.nodes[0]);
  OK(snowid_next_batch(d1, ids, 10, &written));
  CHECK(written == 10 && ids[0] > id, "batch from the default");
  OK(snowid_generator_stats(d1, &st));
  CHECK(st.issued == 11, "default issued %" PRIu64, st.issued);
  OK(snowid_bench_core_next(d1, 5, &next));
  CHECK(next > ids[9], "bench helper on the default");

  /* re-configure: the same settings are a no-op; others, after IDs, refused */
  OK(snowid_configure(o));
  OK(snowid_options_new(&other));
  OK(snowid_options_set_str(other, "layout", "twitter"));
  EXPECT(snowid_configure(other), SNOWID_ERR_INVALID_SETTING);
  MESSAGE_HAS("(running) vs"); /* names the first setting that differs */
  MESSAGE_HAS("issued 16 IDs");
  snowid_options_free(other);
  snowid_options_free(o);

  /* the default's clock is not manual; its handle is never freed */
  EXPECT(snowid_generator_set_time(d1, 5), SNOWID_ERR_INVALID_SETTING);
  EXPECT(snowid_generator_advance_time(d1, 5), SNOWID_ERR_INVALID_SETTING);
  snowid_generator_free((snowid_generator_t *)(uintptr_t)d1);
  OK(snowid_next(d1, &id));

  /* clean exit twice, then IDs still work and keep increasing */
  snowid_shutdown();
  snowid_shutdown();
  OK(snowid_next(d1, &next));
  CHECK(next > id, "after shutdown: %" PRIu64 " > %" PRIu64, next, id);
  snowid_shutdown();
  return failed != 0;
}

#define PREFORK_CHILDREN 3
#define PREFORK_IDS 3000

/* A prefork server: the default generator is touched before fork(); every
   worker then gets IDs from its own machine-local slot. */
static int scenario_prefork(void) {
  static uint64_t all[(PREFORK_CHILDREN + 1) * PREFORK_IDS + 1];
  const snowid_generator_t *d = NULL;
  const snowid_layout_t *l = NULL;
  uint32_t parent_slot = 0;
  int fds[PREFORK_CHILDREN][2], k;
  size_t n = 0, i, dups = 0;
  pid_t pids[PREFORK_CHILDREN];
  snowid_parts_t p;
  OK(snowid_default_generator(&d));
  OK(snowid_next(d, &all[n++]));
  OK(snowid_generator_layout(d, &l));
  OK(snowid_layout_decode(l, all[0], &p));
  parent_slot = p.nodes[0] * 32 + p.nodes[1];
  fflush(NULL);
  for (k = 0; k < PREFORK_CHILDREN; k++) {
    CHECK(pipe(fds[k]) == 0, "pipe");
    pids[k] = fork();
    if (pids[k] == 0) {
      static uint64_t mine[PREFORK_IDS];
      size_t j;
      close(fds[k][0]);
      for (j = 0; j < PREFORK_IDS; j++) {
        if (snowid_next(d, &mine[j]) != SNOWID_OK) {
          fprintf(stderr, "prefork worker: %s\n", snowid_last_error_message());
          _exit(1);
        }
      }
      if (write(fds[k][1], mine, sizeof mine) != (ssize_t)sizeof mine) _exit(2);
      snowid_shutdown();
      _exit(0);
    }
    close(fds[k][1]);
  }
  for (i = 0; i < PREFORK_IDS; i++) OK(snowid_next(d, &all[n++])); /* the parent goes on */
  for (k = 0; k < PREFORK_CHILDREN; k++) {
    size_t start = n;
    int status = 0;
    for (;;) {
      ssize_t r = read(fds[k][0], (char *)&all[n], sizeof all - n * sizeof all[0]);
      if (r <= 0) break;
      CHECK(r % 8 == 0, "whole IDs");
      n += (size_t)r / 8;
    }
    close(fds[k][0]);
    waitpid(pids[k], &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "worker %d exit %d", k, WEXITSTATUS(status));
    CHECK(n - start == PREFORK_IDS, "worker %d sent %zu IDs", k, n - start);
    if (n > start) {
      /* each worker claimed its own slot, not the parent's */
      OK(snowid_layout_decode(l, all[start], &p));
      CHECK(p.nodes[0] * 32 + p.nodes[1] != parent_slot, "worker %d uses the parent's slot %u", k, parent_slot);
    }
  }
  CHECK(n == (PREFORK_CHILDREN + 1) * PREFORK_IDS + 1, "collected %zu IDs", n);
  /* a child may configure the default afresh, although the parent's has
     issued IDs */
  {
    pid_t pid;
    int status = 0;
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
      snowid_options_t *o = NULL;
      const snowid_layout_t *cl = NULL;
      snowid_layout_info_t info;
      uint64_t id = 0;
      int bad = snowid_options_new(&o) != SNOWID_OK || snowid_options_set_str(o, "layout", "discord") != SNOWID_OK ||
                snowid_configure(o) != SNOWID_OK || snowid_next(d, &id) != SNOWID_OK ||
                snowid_generator_layout(d, &cl) != SNOWID_OK || snowid_layout_info(cl, &info) != SNOWID_OK ||
                strcmp(info.name, "discord") != 0;
      if (bad) fprintf(stderr, "configure in a child: %s\n", snowid_last_error_message());
      snowid_options_free(o);
      snowid_shutdown();
      _exit(bad);
    }
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "configure in a forked child");
  }
  qsort(all, n, sizeof all[0], cmp_u64);
  for (i = 1; i < n; i++) dups += all[i] == all[i - 1];
  CHECK(dups == 0, "%zu duplicate IDs across the prefork workers", dups);
  snowid_shutdown();
  return failed != 0;
}

/* Issues IDs from the default generator, writes the last one to `out`, and
   exits cleanly (atexit(snowid_shutdown)) or, if `clean` is 0, without a
   shutdown, as a crash would. */
static int scenario_exit(const char *out, int clean) {
  const snowid_generator_t *d = NULL;
  uint64_t ids[100], written = 0;
  FILE *fp;
  if (clean) atexit(snowid_shutdown);
  OK(snowid_default_generator(&d));
  OK(snowid_next_batch(d, ids, 100, &written));
  CHECK(written == 100, "batch");
  fp = fopen(out, "w");
  CHECK(fp != NULL, "open %s", out);
  if (fp) {
    fprintf(fp, "%" PRIu64 "\n", ids[99]);
    fclose(fp);
  }
  fflush(NULL);
  if (!clean) _exit(failed != 0);
  return failed != 0;
}

/* The contents of one mark file (the first each_mark finds). */
typedef struct {
  char path[1536];
  char text[512];
  size_t len;
} saved_mark;

static void save_mark(const char *path, void *arg) {
  saved_mark *m = (saved_mark *)arg;
  FILE *fp = fopen(path, "rb");
  snprintf(m->path, sizeof m->path, "%s", path);
  if (!fp) return;
  m->len = fread(m->text, 1, sizeof m->text, fp);
  fclose(fp);
}

/* snowid_generator_ready(): no ID spent; the status the next ID would get. */
static void test_ready(void) {
  snowid_layout_t *l = NULL;
  snowid_config_t cfg;
  snowid_generator_t *g = NULL, *m = NULL;
  snowid_stats_t st;
  saved_mark mark;
  uint64_t id = 0, ids[4096], written = 0;
  char dir[] = "/tmp/snowid-c-ready-XXXXXX";
  FILE *fp;
  int i;

  EXPECT(snowid_generator_ready(NULL), SNOWID_ERR_NULL_ARGUMENT);
  MESSAGE_HAS("generator");

  /* a fresh generator is ready, and asking spends nothing */
  CHECK(mkdtemp(dir) != NULL, "mkdtemp");
  OK(snowid_layout_preset("twitter", &l));
  OK(snowid_config_init(&cfg, sizeof cfg));
  cfg.state_dir = dir;
  cfg.window_ms = 3600000; /* one mark write reserves an hour */
  OK(snowid_config_set_node(&cfg, l, "datacenter", 9));
  OK(snowid_config_set_node(&cfg, l, "worker", 10));
  OK(snowid_generator_new(l, &cfg, &g));
  for (i = 0; i < 3; i++) OK(snowid_generator_ready(g));
  OK(snowid_generator_stats(g, &st));
  CHECK(st.issued == 0, "ready() issued %" PRIu64, st.issued);
  OK(snowid_next(g, &id));
  OK(snowid_generator_ready(g));
  OK(snowid_generator_stats(g, &st));
  CHECK(st.issued == 1, "issued %" PRIu64, st.issued);

  /* A holder killed after issuing leaves its mark a window (an hour) ahead;
     freeing lowers it, so keep the file as it was before the free and put
     it back, as a crash would have left it. The next holder's first ID
     would wait longer than the floor allows: BEHIND_HIGH_WATER. */
  memset(&mark, 0, sizeof mark);
  CHECK(each_mark(dir, save_mark, &mark) == 1 && mark.len > 0, "one mark under %s", dir);
  snowid_generator_free(g);
  g = NULL;
  fp = fopen(mark.path, "wb");
  CHECK(fp != NULL && fwrite(mark.text, 1, mark.len, fp) == mark.len, "restore %s", mark.path);
  if (fp) fclose(fp);
  OK(snowid_generator_new(l, &cfg, &g));
  EXPECT(snowid_generator_ready(g), SNOWID_ERR_BEHIND_HIGH_WATER);
  MESSAGE_HAS("high-water");
  EXPECT(snowid_next(g, &id), SNOWID_ERR_BEHIND_HIGH_WATER);
  OK(snowid_generator_stats(g, &st));
  CHECK(st.issued == 0, "nothing issued behind the mark: %" PRIu64, st.issued);
  snowid_generator_free(g);

  /* a manual clock: a spent sequence, a clock behind */
  m = manual_twitter(UINT64_C(1700000000000), 9, 11);
  OK(snowid_generator_ready(m));
  OK(snowid_next_batch(m, ids, 4096, &written));
  CHECK(written == 4096, "one tick: %" PRIu64, written);
  EXPECT(snowid_generator_ready(m), SNOWID_ERR_SEQUENCE_EXHAUSTED);
  EXPECT(snowid_next(m, &id), SNOWID_ERR_SEQUENCE_EXHAUSTED);
  OK(snowid_generator_advance_time(m, 1));
  OK(snowid_generator_ready(m));
  OK(snowid_next(m, &id));
  OK(snowid_generator_advance_time(m, -5));
  EXPECT(snowid_generator_ready(m), SNOWID_ERR_CLOCK_MOVED_BACKWARDS);
  MESSAGE_HAS("behind");
  EXPECT(snowid_next(m, &id), SNOWID_ERR_CLOCK_MOVED_BACKWARDS);
  OK(snowid_generator_stats(m, &st));
  CHECK(st.issued == 4097, "issued %" PRIu64, st.issued);
  snowid_generator_free(m);
  snowid_layout_free(l);
}

typedef struct {
  const char *name;
  void (*fn)(void);
} test_case;

/* Segment mode with the file store: dense increasing IDs, a new handle
 * never reissues; bad keys and URLs (the vectors) are status codes. */
static void test_segments(void) {
  char dir[] = "/tmp/snowid-c-seg-XXXXXX";
  char url[64];
  snowid_segment_t *s = NULL, *again = NULL, *bad = (snowid_segment_t *)1;
  int64_t id = 0, batch[5];
  size_t i;
  CHECK(mkdtemp(dir) != NULL, "mkdtemp");
  snprintf(url, sizeof url, "file://%s", dir);
  OK(snowid_segment_new("orders", url, 10, &s));
  OK(snowid_segment_next(s, &id));
  CHECK(id == 1, "first id %" PRId64, id);
  OK(snowid_segment_next_batch(s, batch, 5));
  OK(snowid_segment_next_batch(s, NULL, 0)); /* count 0: no buffer needed */
  EXPECT(snowid_segment_next_batch(s, NULL, 1), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_segment_next_batch(s, NULL, SNOWID_MAX_BATCH + 1), SNOWID_ERR_INVALID_SETTING);
  EXPECT(snowid_segment_next_batch(NULL, batch, 1), SNOWID_ERR_NULL_ARGUMENT);
  for (i = 0; i < 5; i++) CHECK(batch[i] == (int64_t)i + 2, "batch[%zu] = %" PRId64, i, batch[i]);
  OK(snowid_segment_new("orders", url, 10, &again));
  OK(snowid_segment_next(again, &id));
  CHECK(id > 6, "a second handle starts above the first's ranges: %" PRId64, id);
  snowid_segment_free(again);
  snowid_segment_free(s);
  snowid_segment_free(NULL);

  for (i = 0; i < V_COUNT(V_SEGMENT_KEYS); i++) {
    s = NULL;
    EXPECT(snowid_segment_new(V_SEGMENT_KEYS[i].text, url, 0, &s), V_SEGMENT_KEYS[i].error);
    CHECK((s != NULL) == (V_SEGMENT_KEYS[i].error == SNOWID_OK), "key %s", V_SEGMENT_KEYS[i].text);
    snowid_segment_free(s);
  }
  for (i = 0; i < V_COUNT(V_SEGMENT_URLS); i++) {
    if (V_SEGMENT_URLS[i].error == SNOWID_OK) continue; /* valid ones may name unreachable servers */
    EXPECT(snowid_segment_new("k", V_SEGMENT_URLS[i].text, 0, &bad), V_SEGMENT_URLS[i].error);
  }
  EXPECT(snowid_segment_new("", url, 0, &bad), SNOWID_ERR_SEGMENT_KEY);
  MESSAGE_HAS("empty");
  EXPECT(snowid_segment_new("k", "ftp://h/x", 0, &bad), SNOWID_ERR_SEGMENT_STORE_URL);
  MESSAGE_HAS("unknown scheme");
  EXPECT(snowid_segment_new("k", "redis://127.0.0.1:1/", 0, &bad), SNOWID_ERR_SEGMENT_STORE_UNAVAILABLE);
  EXPECT(snowid_segment_new("k", url, UINT64_C(2000000000), &bad), SNOWID_ERR_INVALID_SETTING);
  EXPECT(snowid_segment_new("\xff", url, 0, &bad), SNOWID_ERR_SEGMENT_KEY);
  EXPECT(snowid_segment_new(NULL, url, 0, &bad), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_segment_new("k", url, 0, NULL), SNOWID_ERR_NULL_ARGUMENT);
  CHECK(bad == (snowid_segment_t *)1, "no handle written on error");
  EXPECT(snowid_segment_next(NULL, &id), SNOWID_ERR_NULL_ARGUMENT);
}

/* The README's segment example (bindings-c/README.md, "Segment mode"). */
static int readme_segment(const char *store, int64_t *first, snowid_segment_stats_t *out) {
#define fail(what) (fprintf(stderr, "%s: %s\n", what, snowid_last_error_message()), 1)
  /* START segment */
  snowid_options_t *opts = NULL;
  snowid_segment_t *orders = NULL;
  snowid_segment_stats_t st;
  int64_t id = 0;

  snowid_options_new(&opts);
  snowid_options_set_str(opts, "store", store); /* left out: $SNOWID_SEGMENT_STORE, else the state dir */
  snowid_options_set_int(opts, "step", 100);
  snowid_options_set_int(opts, "max_step", 10000);
  if (snowid_segment_new_with_options("orders", opts, &orders) != SNOWID_OK) return fail("segment");
  snowid_options_free(opts); /* the segment keeps what it needs */
  if (snowid_segment_next(orders, &id) != SNOWID_OK) return fail("next"); /* 1, then 2, 3, ... */
  snowid_segment_stats(orders, &st, sizeof st); /* ranges_fetched, step, waits, fetch latency */
  printf("id %lld from range %llu..%llu\n", (long long)id, (unsigned long long)st.current_start,
         (unsigned long long)st.current_end);
  snowid_segment_free(orders);
  /* END segment */
#undef fail
  *first = id;
  *out = st;
  return 0;
}

/* Segment mode with every option through snowid_options_t: the options
 * reach the core (a max_step of 20 caps every range), the core judges and
 * names bad ones, NULL options mean the defaults, and the size-versioned
 * stats move as IDs are taken. */
static void test_segment_options(void) {
  char dir[] = "/tmp/snowid-c-segopt-XXXXXX";
  char url[64];
  snowid_options_t *o = NULL;
  snowid_segment_t *s = NULL, *bad = (snowid_segment_t *)1;
  snowid_segment_stats_t st, before;
  int64_t id = 0, ids[100];
  const char *old_store = getenv("SNOWID_SEGMENT_STORE");
  char *saved = old_store ? strdup(old_store) : NULL;
  size_t i;
  CHECK(mkdtemp(dir) != NULL, "mkdtemp");
  snprintf(url, sizeof url, "file://%s", dir);
  CHECK(sizeof(snowid_segment_stats_t) == SNOWID_SEGMENT_STATS_SIZE_V1, "stats size %zu",
        sizeof(snowid_segment_stats_t));

  OK(snowid_options_new(&o));
  OK(snowid_options_set_str(o, "store", url));
  OK(snowid_options_set_int(o, "step", 10));
  OK(snowid_options_set_int(o, "min_step", 5));
  OK(snowid_options_set_int(o, "maxStep", 20)); /* lowerCamelCase too, as in Node */
  OK(snowid_options_set_int(o, "prefetch_at", 50));
  OK(snowid_options_set_int(o, "range_ms", 86400000));
  OK(snowid_segment_new_with_options("opts", o, &s));
  OK(snowid_segment_stats(s, &before, sizeof before));
  CHECK(before.current_start == 0 && before.current_end == 0, "no range before the first ID: %" PRIu64
        "..%" PRIu64, before.current_start, before.current_end);
  CHECK(before.step >= 5 && before.step <= 20, "step %" PRIu64, before.step);
  OK(snowid_segment_next(s, &id));
  CHECK(id == 1, "first id %" PRId64, id);
  OK(snowid_segment_stats(s, &st, sizeof st));
  CHECK(st.current_start == 1 && st.current_end == 11, "first range of step 10: %" PRIu64 "..%" PRIu64,
        st.current_start, st.current_end);
  CHECK(st.ranges_fetched >= 1 && st.ranges_fetched > before.ranges_fetched, "ranges %" PRIu64 " -> %" PRIu64,
        before.ranges_fetched, st.ranges_fetched);
  CHECK(st.fetch_failures == 0, "fetch failures %" PRIu64, st.fetch_failures);
  CHECK(st.total_fetch_us >= st.max_fetch_us && st.max_fetch_us >= st.last_fetch_us,
        "latencies total %" PRIu64 " max %" PRIu64 " last %" PRIu64, st.total_fetch_us, st.max_fetch_us,
        st.last_fetch_us);
  CHECK(st.buffered <= 1, "buffered %" PRIu64, st.buffered);
  OK(snowid_segment_next_batch(s, ids, 100));
  for (i = 0; i < 100; i++) CHECK(ids[i] == (int64_t)i + 2, "ids[%zu] = %" PRId64, i, ids[i]);
  before = st;
  OK(snowid_segment_stats(s, &st, sizeof st));
  /* 101 IDs in ranges of at most max_step (20): at least 6 ranges taken */
  CHECK(st.ranges_fetched >= 6, "ranges after 101 IDs: %" PRIu64, st.ranges_fetched);
  CHECK(st.current_end - st.current_start <= 20 && st.step <= 20, "max_step caps the range %" PRIu64 "..%" PRIu64
        " step %" PRIu64, st.current_start, st.current_end, st.step);
  CHECK(st.current_start <= 101 && 101 < st.current_end, "the range holds the last ID: %" PRIu64 "..%" PRIu64,
        st.current_start, st.current_end);
  CHECK(st.total_fetch_us >= before.total_fetch_us, "total fetch time moves");
  snowid_segment_free(s);
  s = NULL;

  /* the README's example */
  {
    char dir2[] = "/tmp/snowid-c-segreadme-XXXXXX";
    char url2[64];
    CHECK(mkdtemp(dir2) != NULL, "mkdtemp");
    snprintf(url2, sizeof url2, "file://%s", dir2);
    CHECK(readme_segment(url2, &id, &st) == 0, "readme segment");
    CHECK(id == 1 && st.current_start == 1 && st.current_end == 101, "readme: id %" PRId64 " range %" PRIu64
          "..%" PRIu64, id, st.current_start, st.current_end);
  }
  /* every struct_size 0..200: only version 1 accepted, exactly its bytes written */
  {
    union {
      snowid_segment_stats_t st;
      unsigned char raw[256];
    } big;
    uint32_t size;
    unsigned long accepted = 0;
    OK(snowid_segment_new_with_options("sizes", o, &s));
    for (size = 0; size <= 200; size++) {
      int valid = size == SNOWID_SEGMENT_STATS_SIZE_V1;
      memset(big.raw, 0xab, sizeof big.raw);
      EXPECT(snowid_segment_stats(s, &big.st, size), valid ? SNOWID_OK : SNOWID_ERR_INVALID_SETTING);
      for (i = valid ? size : 0; i < sizeof big.raw; i++) {
        if (big.raw[i] != 0xab) break;
      }
      CHECK(i == sizeof big.raw, "size %u: byte %zu written", size, i);
      if (valid) CHECK(big.st.step == 10 && big.st.buffered <= 1, "stats written");
      accepted += valid;
    }
    CHECK(accepted == 1, "one published size, %lu accepted", accepted);
    EXPECT(snowid_segment_stats(s, &big.st, UINT32_MAX), SNOWID_ERR_INVALID_SETTING);
    snowid_segment_free(s);
    s = NULL;
  }
  /* the options object is only read: a second segment on it, other key */
  OK(snowid_segment_new_with_options("opts2", o, &s));
  OK(snowid_segment_next(s, &id));
  CHECK(id == 1, "another key starts at 1: %" PRId64, id);
  /* stats: NULLs and sizes */
  memset(&st, 0xAB, sizeof st);
  EXPECT(snowid_segment_stats(s, &st, sizeof st - 8), SNOWID_ERR_INVALID_SETTING);
  MESSAGE_HAS("sizeof(snowid_segment_stats_t)");
  EXPECT(snowid_segment_stats(s, &st, sizeof st + 8), SNOWID_ERR_INVALID_SETTING);
  CHECK(st.ranges_fetched == UINT64_C(0xABABABABABABABAB), "nothing written on a bad size");
  EXPECT(snowid_segment_stats(NULL, &st, sizeof st), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_segment_stats(s, NULL, sizeof st), SNOWID_ERR_NULL_ARGUMENT);
  MESSAGE_HAS("out_stats");
  snowid_segment_free(s);
  s = NULL;
  snowid_options_free(o);

  /* bad options: the core's code, and its message names the option and the valid range */
  OK(snowid_options_new(&o));
  OK(snowid_options_set_str(o, "store", url));
  OK(snowid_options_set_int(o, "stepp", 10));
  EXPECT(snowid_segment_new_with_options("k", o, &bad), SNOWID_ERR_INVALID_SETTING);
  MESSAGE_HAS("stepp");
  MESSAGE_HAS("one of store, step, min_step, max_step, prefetch_at, range_ms");
  snowid_options_free(o);

  OK(snowid_options_new(&o));
  OK(snowid_options_set_int(o, "prefetch_at", 100));
  EXPECT(snowid_segment_new_with_options("k", o, &bad), SNOWID_ERR_INVALID_SETTING);
  MESSAGE_HAS("prefetch_at");
  MESSAGE_HAS("0..=99");
  snowid_options_free(o);

  OK(snowid_options_new(&o));
  OK(snowid_options_set_int(o, "step", 0));
  EXPECT(snowid_segment_new_with_options("k", o, &bad), SNOWID_ERR_INVALID_SETTING);
  MESSAGE_HAS("step");
  MESSAGE_HAS("1..=1000000000");
  snowid_options_free(o);

  OK(snowid_options_new(&o));
  OK(snowid_options_set_int(o, "step", 100));
  OK(snowid_options_set_int(o, "min_step", 200));
  EXPECT(snowid_segment_new_with_options("k", o, &bad), SNOWID_ERR_INVALID_SETTING);
  MESSAGE_HAS("min_step");
  MESSAGE_HAS("at most step (100)");
  snowid_options_free(o);

  OK(snowid_options_new(&o));
  OK(snowid_options_set_int(o, "step", 10));
  OK(snowid_options_set_int(o, "step", 20));
  EXPECT(snowid_segment_new_with_options("k", o, &bad), SNOWID_ERR_INVALID_SETTING);
  MESSAGE_HAS("given twice");
  snowid_options_free(o);

  OK(snowid_options_new(&o));
  OK(snowid_options_set_str(o, "step", "10"));
  EXPECT(snowid_segment_new_with_options("k", o, &bad), SNOWID_ERR_WRONG_TYPE);
  MESSAGE_HAS("step");
  snowid_options_free(o);

  OK(snowid_options_new(&o));
  OK(snowid_options_set_int(o, "store", 5));
  EXPECT(snowid_segment_new_with_options("k", o, &bad), SNOWID_ERR_WRONG_TYPE);
  MESSAGE_HAS("store");
  snowid_options_free(o);

  OK(snowid_options_new(&o));
  OK(snowid_options_set_str(o, "store", "ftp://h/x"));
  EXPECT(snowid_segment_new_with_options("k", o, &bad), SNOWID_ERR_SEGMENT_STORE_URL);
  /* the key is checked first */
  EXPECT(snowid_segment_new_with_options("a/b", o, &bad), SNOWID_ERR_SEGMENT_KEY);
  /* NULLs */
  EXPECT(snowid_segment_new_with_options(NULL, o, &bad), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_segment_new_with_options("k", o, NULL), SNOWID_ERR_NULL_ARGUMENT);
  MESSAGE_HAS("out_segment");
  snowid_options_free(o);
  CHECK(bad == (snowid_segment_t *)1, "no handle written on error");

  /* NULL options: every default, the store from SNOWID_SEGMENT_STORE */
  setenv("SNOWID_SEGMENT_STORE", url, 1);
  OK(snowid_segment_new_with_options("defaults", NULL, &s));
  OK(snowid_segment_next(s, &id));
  CHECK(id == 1, "first id %" PRId64, id);
  OK(snowid_segment_stats(s, &st, sizeof st));
  CHECK(st.current_start == 1 && st.current_end == 1001, "default step 1000: %" PRIu64 "..%" PRIu64,
        st.current_start, st.current_end);
  snowid_segment_free(s);
  s = NULL;
  {
    char path[128];
    FILE *f;
    snprintf(path, sizeof path, "%s/defaults.segment", dir);
    f = fopen(path, "r");
    CHECK(f != NULL, "the default store from SNOWID_SEGMENT_STORE holds %s", path);
    if (f) fclose(f);
  }
  setenv("SNOWID_SEGMENT_STORE", "ftp://h/x", 1);
  EXPECT(snowid_segment_new_with_options("defaults", NULL, &bad), SNOWID_ERR_SEGMENT_STORE_URL);
  MESSAGE_HAS("SNOWID_SEGMENT_STORE");
  if (saved) {
    setenv("SNOWID_SEGMENT_STORE", saved, 1);
    free(saved);
  } else {
    unsetenv("SNOWID_SEGMENT_STORE");
  }
}

/* Keyed public IDs: the vectors, then bad input, NULLs and buffer sizes. */
static void test_public_ids(void) {
  static const uint8_t key16[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
  snowid_public_ids_t *ids = NULL, *other = NULL;
  char buf[SNOWID_PUBLIC_ID_BUFFER_SIZE];
  char small[16];
  uint32_t len = 0;
  uint64_t id = 0;
  size_t i;
  for (i = 0; i < V_COUNT(V_PUBLIC_IDS); i++) {
    const v_public_id *v = &V_PUBLIC_IDS[i];
    OK(snowid_public_ids_new((const uint8_t *)v->key, v->key_len, v->context, &ids));
    OK(snowid_public_ids_decode(ids, v->text, &id));
    CHECK(id == v->id, "public id %s decodes to %llu", v->text, (unsigned long long)id);
    OK(snowid_public_ids_encode(ids, v->id, buf, sizeof buf, &len));
    CHECK(len == 16, "length %u", (unsigned)len);
    /* aliases (lower case, I, L, O) decode but encode to the canonical text */
    if (strcmp(buf, v->text) != 0) {
      char upper[17];
      size_t k;
      for (k = 0; k < 16; k++) {
        char c = v->text[k];
        upper[k] = (char)(c >= 'a' && c <= 'z' ? c - 32 : c);
      }
      upper[16] = 0;
      CHECK(strchr(upper, 'I') || strchr(upper, 'L') || strchr(upper, 'O') || strcmp(buf, upper) == 0,
            "encode %llu: %s, not %s", (unsigned long long)v->id, buf, v->text);
    }
    snowid_public_ids_free(ids);
    ids = NULL;
  }
  for (i = 0; i < V_COUNT(V_PUBLIC_BAD_TEXTS); i++) {
    const v_public_bad_text *v = &V_PUBLIC_BAD_TEXTS[i];
    OK(snowid_public_ids_new((const uint8_t *)v->key, v->key_len, v->context, &ids));
    id = 12345;
    EXPECT(snowid_public_ids_decode(ids, v->text, &id), v->error);
    CHECK(id == 12345, "out_id unchanged on error");
    snowid_public_ids_free(ids);
    ids = NULL;
  }
  for (i = 0; i < V_COUNT(V_PUBLIC_BAD_KEYS); i++) {
    EXPECT(snowid_public_ids_new((const uint8_t *)V_PUBLIC_BAD_KEYS[i].key, V_PUBLIC_BAD_KEYS[i].key_len, NULL, &ids),
           V_PUBLIC_BAD_KEYS[i].error);
    CHECK(ids == NULL, "nothing written on error");
  }
  for (i = 0; i < V_COUNT(V_PUBLIC_BAD_CONTEXTS); i++)
    EXPECT(snowid_public_ids_new(key16, 16, V_PUBLIC_BAD_CONTEXTS[i].context, &ids), V_PUBLIC_BAD_CONTEXTS[i].error);

  EXPECT(snowid_public_ids_new(key16, 15, NULL, &ids), SNOWID_ERR_PUBLIC_ID_KEY);
  MESSAGE_HAS("15 bytes");
  EXPECT(snowid_public_ids_new(NULL, 16, NULL, &ids), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_public_ids_new(key16, 16, NULL, NULL), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_public_ids_new(key16, 16, "\xff", &ids), SNOWID_ERR_INVALID_UTF8);
  OK(snowid_public_ids_new(key16, 16, NULL, &ids));
  OK(snowid_public_ids_new(key16, 16, "orders", &other));
  EXPECT(snowid_public_ids_encode(NULL, 1, buf, sizeof buf, &len), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_public_ids_encode(ids, 1, NULL, 17, &len), SNOWID_ERR_NULL_ARGUMENT);
  len = 0;
  EXPECT(snowid_public_ids_encode(ids, 1, small, sizeof small, &len), SNOWID_ERR_BUFFER_TOO_SMALL);
  CHECK(len == 16, "needed length reported: %u", (unsigned)len);
  OK(snowid_public_ids_encode(ids, UINT64_MAX, buf, sizeof buf, NULL));
  OK(snowid_public_ids_decode(ids, buf, &id));
  CHECK(id == UINT64_MAX, "UINT64_MAX round trip");
  EXPECT(snowid_public_ids_decode(other, buf, &id), SNOWID_ERR_PUBLIC_ID_CHECK);
  MESSAGE_HAS(buf);
  EXPECT(snowid_public_ids_decode(NULL, buf, &id), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_public_ids_decode(ids, NULL, &id), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_public_ids_decode(ids, buf, NULL), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_public_ids_decode(ids, "", &id), SNOWID_ERR_PARSE_EMPTY);
  EXPECT(snowid_public_ids_decode(ids, "0123456789abcdefg", &id), SNOWID_ERR_PARSE_LENGTH);
  EXPECT(snowid_public_ids_decode(ids, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", &id),
         SNOWID_ERR_INVALID_UTF8);
  snowid_public_ids_free(ids);
  snowid_public_ids_free(other);
  snowid_public_ids_free(NULL);
}

int main(int argc, char **argv) {
  const test_case tests[] = {
      {"segments", test_segments},
      {"segment_options", test_segment_options},
      {"error_table", test_error_table},
      {"version", test_version},
      {"layouts", test_layouts},
      {"ids", test_ids},
      {"bounds", test_bounds},
      {"encodings", test_encodings},
      {"invalid_inputs", test_invalid_inputs},
      {"runs", test_runs},
      {"options_vectors", test_options_vectors},
      {"generator_basics", test_generator_basics},
      {"manual_clock_and_policies", test_manual_clock_and_policies},
      {"borrowing", test_borrowing},
      {"lanes_and_random_start", test_lanes_and_random_start},
      {"custom_layout_and_inferred_kinds", test_custom_layout_and_inferred_kinds},
      {"bad_input", test_bad_input},
      {"stats_skew", test_stats_skew},
      {"struct_sizes", test_struct_sizes},
      {"options_api", test_options_api},
      {"protected_numbers", test_protected_numbers},
      {"last_error", test_last_error},
      {"owned_default_from_environment", test_owned_default_from_environment},
      {"node_sources", test_node_sources},
      {"threads_share_a_generator", test_threads_share_a_generator},
      {"fork", test_fork},
      {"default_generator", test_default_generator},
      {"prefork", test_prefork},
      {"clean_exit_mark", test_clean_exit_mark},
      {"ready", test_ready},
      {"public_ids", test_public_ids},
  };
  size_t i;
  self_path = argv[0];
  if (argc == 3) {
    /* a scenario in its own process (see run_scenario) */
    if (strcmp(argv[1], "default") == 0) return scenario_default();
    if (strcmp(argv[1], "prefork") == 0) return scenario_prefork();
    if (strcmp(argv[1], "exit") == 0) return scenario_exit(argv[2], 1);
    if (strcmp(argv[1], "crash") == 0) return scenario_exit(argv[2], 0);
    fprintf(stderr, "unknown scenario %s\n", argv[1]);
    return 2;
  }
  for (i = 0; i < sizeof tests / sizeof tests[0]; i++) {
    unsigned long before = failed, checks = passed + failed;
    tests[i].fn();
    printf("%s %s (%lu checks)\n", failed == before ? "ok  " : "FAIL", tests[i].name,
           passed + failed - checks);
  }
  return test_finish("c-tests");
}
