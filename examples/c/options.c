/*
 * snowid options in C: a generator by option name, the default generator
 * configured in code, a test generator on a manual clock, node numbers from
 * a source, and a clean exit. Built with pkg-config (see Makefile):
 * `make demo`. The README's blocks are the START/END regions below.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <snowid.h>

static int fail(const char *what) {
  fprintf(stderr, "%s failed: %s\n", what, snowid_last_error_message());
  return 1;
}

static int by_name(void) {
  /* START options */
  snowid_options_t *opts = NULL;
  snowid_generator_t *gen = NULL;
  uint64_t id = 0;

  if (snowid_options_new(&opts) != SNOWID_OK) return fail("options");
  snowid_options_set_str(opts, "layout", "discord");
  snowid_options_set_int(opts, "worker", 3); /* node fields by name */
  snowid_options_set_int(opts, "process", 1);
  snowid_options_set_int(opts, "max_wait_ms", 50);
  /* every value is checked here, by the same rules as in Python and Node */
  if (snowid_generator_new_with_options(opts, &gen) != SNOWID_OK) return fail("generator");
  snowid_options_free(opts); /* the generator keeps what it needs */
  if (snowid_next(gen, &id) != SNOWID_OK) return fail("next");
  snowid_generator_free(gen); /* releases worker 3 / process 1 */
  /* END options */
  printf("discord id %" PRIu64 " from worker 3, process 1\n", id);
  return 0;
}

static int bad_option(void) {
  /* START bad */
  snowid_options_t *opts = NULL;
  snowid_generator_t *gen = NULL;
  snowid_options_new(&opts);
  snowid_options_set_int(opts, "datacenter", 1);
  snowid_options_set_int(opts, "worker", -1);
  if (snowid_generator_new_with_options(opts, &gen) != SNOWID_OK)
    printf("worker -1 -> %s\n", snowid_last_error_message());
  /* worker -1 -> FIELD_OUT_OF_RANGE: worker = -1 is out of range; valid range is 0..=31 */
  snowid_options_free(opts);
  /* END bad */
  return gen == NULL ? 0 : 1;
}

static int in_tests(void) {
  /* START tests */
  snowid_options_t *opts = NULL;
  snowid_generator_t *gen = NULL;
  uint64_t first = 0, second = 0;

  snowid_options_new(&opts);
  snowid_options_set_int(opts, "datacenter", 1);
  snowid_options_set_int(opts, "worker", 7);
  snowid_options_set_manual_clock(opts, "clock", UINT64_C(1700000000000)); /* unprotected */
  if (snowid_generator_new_with_options(opts, &gen) != SNOWID_OK) return fail("test generator");
  snowid_next(gen, &first);                            /* 1700000000000 ms, sequence 0 */
  snowid_generator_advance_time(gen, 1);
  snowid_next(gen, &second);                           /* the next millisecond */
  snowid_generator_free(gen);
  snowid_options_free(opts);
  /* END tests */
  printf("manual clock: %" PRIu64 " then %" PRIu64 "\n", first, second);
  return second > first ? 0 : 1;
}

static int from_source(const char *state_dir) {
  snowid_layout_t *layout = NULL;
  snowid_generator_t *gen = NULL;
  snowid_status status;
  uint64_t id = 0;
  if (snowid_layout_preset("twitter", &layout) != SNOWID_OK) return fail("layout");
  {
    /* START source */
    snowid_config_t cfg;
    snowid_config_init(&cfg, sizeof cfg);
    cfg.node_source = SNOWID_NODE_SOURCE_LOCAL; /* or _ENV (SNOWID_WORKER_ID...), _K8S, _REDIS */
    cfg.state_dir = state_dir;                  /* NULL: SNOWID_STATE_DIR, else ~/.local/state/snowid */
    status = snowid_generator_new(layout, &cfg, &gen); /* _NODE_IN_USE, _NO_FREE_SLOT... */
    /* END source */
  }
  if (status != SNOWID_OK) return fail("generator from a source");
  if (snowid_next(gen, &id) != SNOWID_OK) return fail("next");
  printf("local slot id %" PRIu64 "\n", id);
  snowid_generator_free(gen);
  snowid_layout_free(layout);
  return 0;
}

int main(void) {
  uint64_t id = 0;
  const char *state = getenv("SNOWID_STATE_DIR");
  {
    /* START configure */
    snowid_options_t *opts = NULL;
    const snowid_generator_t *gen = NULL;

    atexit(snowid_shutdown); /* a clean exit: the next run need not wait */
    snowid_options_new(&opts);
    snowid_options_set_str(opts, "layout", "instagram"); /* the rest from SNOWID_* */
    if (snowid_configure(opts) != SNOWID_OK) return fail("configure");
    snowid_options_free(opts);
    if (snowid_default_generator(&gen) != SNOWID_OK || snowid_next(gen, &id) != SNOWID_OK)
      return fail("default generator");
    /* END configure */
  }
  printf("default instagram id %" PRIu64 "\n", id);
  if (by_name() || bad_option() || in_tests()) return 1;
  return from_source(state);
}
