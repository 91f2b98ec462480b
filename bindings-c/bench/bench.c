/*
 * snowid C bench: ns per call of the C ABI against its floor (an empty
 * exported Rust function) and a C peer (an inline clock_gettime), and the
 * core's own cost per ID measured in the same run (snowid_bench_core_next,
 * a loop inside the library), and the time to the first ID of a process
 * that follows a clean exit (snowid_shutdown) or a crash. Built twice by
 * `make bench`: linked against libsnowid.so and against libsnowid.a. Prints
 * tables; never fails on speed.
 *
 * usage: bench [label]    (bench first-id clean|crash: one such process)
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "snowid.h"

#define RUNS 5

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what) {
  fprintf(stderr, "bench: %s: %s\n", what, snowid_last_error_message());
  exit(1);
}

static volatile uint64_t sink;

/* Each measure runs `n` operations and returns the seconds taken. */
typedef double (*measure_fn)(const void *ctx, uint64_t n);

static double best_ns(measure_fn f, const void *ctx, uint64_t n) {
  double best = 1e30;
  int r;
  f(ctx, n / 10 + 1); /* warm up */
  for (r = 0; r < RUNS; r++) {
    double s = f(ctx, n);
    if (s < best) best = s;
  }
  return best * 1e9 / (double)n;
}

static double m_noop(const void *ctx, uint64_t n) {
  uint64_t i;
  double t = now_s();
  (void)ctx;
  for (i = 0; i < n; i++) snowid_noop();
  return now_s() - t;
}

static double m_clock_gettime(const void *ctx, uint64_t n) {
  uint64_t i, acc = 0;
  struct timespec ts;
  double t = now_s();
  (void)ctx;
  for (i = 0; i < n; i++) {
    clock_gettime(CLOCK_MONOTONIC, &ts);
    acc += (uint64_t)ts.tv_nsec;
  }
  sink = acc;
  return now_s() - t;
}

static double m_core(const void *ctx, uint64_t n) {
  uint64_t last = 0;
  double t = now_s();
  if (snowid_bench_core_next((const snowid_generator_t *)ctx, n, &last) != SNOWID_OK) die("core");
  sink = last;
  return now_s() - t;
}

static double m_next(const void *ctx, uint64_t n) {
  const snowid_generator_t *g = (const snowid_generator_t *)ctx;
  uint64_t i, id = 0, acc = 0;
  double t = now_s();
  for (i = 0; i < n; i++) {
    if (snowid_next(g, &id) != SNOWID_OK) die("next");
    acc ^= id;
  }
  sink = acc;
  return now_s() - t;
}

#define BATCH 1024
static uint64_t batch_buf[BATCH];

static double m_batch(const void *ctx, uint64_t n) {
  const snowid_generator_t *g = (const snowid_generator_t *)ctx;
  uint64_t done = 0, written = 0;
  double t = now_s();
  while (done < n) {
    if (snowid_next_batch(g, batch_buf, BATCH, &written) != SNOWID_OK) die("batch");
    done += written;
  }
  sink = batch_buf[BATCH - 1];
  return (now_s() - t) * (double)n / (double)done;
}

typedef struct {
  const snowid_layout_t *layout;
  uint64_t base;
} decode_ctx;

static double m_decode(const void *ctx, uint64_t n) {
  const decode_ctx *d = (const decode_ctx *)ctx;
  snowid_parts_t p;
  uint64_t i, acc = 0;
  double t = now_s();
  for (i = 0; i < n; i++) {
    if (snowid_layout_decode(d->layout, d->base + i, &p) != SNOWID_OK) die("decode");
    acc += p.sequence;
  }
  sink = acc;
  return now_s() - t;
}

static snowid_generator_t *make_generator(const snowid_layout_t *l) {
  snowid_config_t cfg;
  snowid_generator_t *g = NULL;
  snowid_layout_info_t info;
  uint32_t i;
  if (snowid_config_init(&cfg, sizeof cfg) != SNOWID_OK) die("config");
  snowid_layout_info(l, &info);
  for (i = 0; i < info.node_count; i++) {
    if (snowid_config_set_node_index(&cfg, l, i, 1) != SNOWID_OK) die("node");
  }
  if (snowid_generator_new(l, &cfg, &g) != SNOWID_OK) die("generator");
  return g;
}

/* Issue `seconds` worth of the layout's cap as fast as possible. */
static void saturated(const char *label, const snowid_layout_t *l, int use_batch, double seconds) {
  snowid_generator_t *g = make_generator(l);
  snowid_capacity_t cap;
  uint64_t target, done = 0, id = 0, written = 0;
  double t, elapsed, rate;
  snowid_layout_capacity(l, &cap);
  target = (uint64_t)((double)cap.ids_per_second_per_node * seconds);
  snowid_next(g, &id); /* start the clock thread, align to a tick */
  t = now_s();
  while (done < target) {
    if (use_batch) {
      uint64_t want = target - done < BATCH ? target - done : BATCH;
      if (snowid_next_batch(g, batch_buf, want, &written) != SNOWID_OK) die("batch");
      done += written;
    } else {
      if (snowid_next(g, &id) != SNOWID_OK) die("next");
      done++;
    }
  }
  elapsed = now_s() - t;
  rate = (double)done / elapsed;
  printf("  %-36s %8" PRIu64 " IDs in %.3f s: %6.1f ns/ID, %8.0f IDs/s = %6.2f%% of cap %" PRIu64 "/s\n",
         label, done, elapsed, 1e9 / rate, rate, 100.0 * rate / (double)cap.ids_per_second_per_node,
         cap.ids_per_second_per_node);
  snowid_generator_free(g);
}

/* One short-lived process: its first ID from the default generator, the
   time that took (printed, ms), then a clean exit or a crash. */
static int first_id(int clean) {
  const snowid_generator_t *g = NULL;
  uint64_t id = 0;
  double t = now_s();
  if (snowid_default_generator(&g) != SNOWID_OK || snowid_next(g, &id) != SNOWID_OK) die("first id");
  printf("%.3f\n", (now_s() - t) * 1e3);
  fflush(stdout);
  if (clean) snowid_shutdown();
  _exit(0);
}

/* Runs `self first-id mode` and returns the ms it printed. */
static double run_first_id(const char *self, const char *mode) {
  int fds[2], status = 0;
  char buf[64] = {0};
  pid_t pid;
  if (pipe(fds) != 0) die("pipe");
  pid = fork();
  if (pid == 0) {
    dup2(fds[1], 1);
    execl(self, self, "first-id", mode, (char *)NULL);
    _exit(127);
  }
  close(fds[1]);
  if (read(fds[0], buf, sizeof buf - 1) < 0) die("read");
  close(fds[0]);
  waitpid(pid, &status, 0);
  return atof(buf);
}

/* The second of two back-to-back processes with one state directory. */
static void successor(const char *self, const char *label) {
  char dir[] = "/tmp/snowid-bench-XXXXXX";
  double clean, crash;
  if (mkdtemp(dir) == NULL) die("mkdtemp");
  setenv("SNOWID_STATE_DIR", dir, 1);
  setenv("SNOWID_HOST_LOCK_DIR", "off", 1);
  run_first_id(self, "clean");
  clean = run_first_id(self, "clean");
  run_first_id(self, "crash");
  crash = run_first_id(self, "clean");
  printf("time to the first ID of a second process (default generator, %s):\n", label);
  printf("  %-48s %8.3f ms\n", "after a clean exit (snowid_shutdown)", clean);
  printf("  %-48s %8.3f ms\n", "after a crash (no shutdown: waits out the mark)", crash);
}

int main(int argc, char **argv) {
  const char *label = argc > 1 ? argv[1] : "?";
  snowid_field_spec_t wide_fields[3] = {
      {"timestamp", 41, SNOWID_FIELD_TIMESTAMP},
      {"node", 2, SNOWID_FIELD_NODE},
      {"sequence", 20, SNOWID_FIELD_SEQUENCE},
  };
  snowid_layout_spec_t wide_spec = {"wide", wide_fields, 3, 1, UINT64_C(1700000000000), 1};
  snowid_layout_t *wide = NULL, *twitter = NULL;
  snowid_generator_t *g;
  decode_ctx dctx;
  double noop, cg, core, next, dflt, batch, decode;
  const snowid_generator_t *d = NULL;
  snowid_options_t *opts = NULL;
  const uint64_t n = 20000000;

  if (argc == 3 && strcmp(argv[1], "first-id") == 0) return first_id(strcmp(argv[2], "clean") == 0);
  if (snowid_layout_new(&wide_spec, &wide) != SNOWID_OK) die("wide layout");
  if (snowid_layout_preset("twitter", &twitter) != SNOWID_OK) die("twitter");
  g = make_generator(wide);
  if (snowid_next(g, &dctx.base) != SNOWID_OK) die("next");
  dctx.layout = wide;

  noop = best_ns(m_noop, NULL, 100000000);
  cg = best_ns(m_clock_gettime, NULL, n / 2);
  core = best_ns(m_core, g, n);
  next = best_ns(m_next, g, n);
  /* the default generator on the same layout (through snowid::default) */
  if (snowid_options_new(&opts) != SNOWID_OK || snowid_options_set_layout(opts, "layout", wide) != SNOWID_OK ||
      snowid_configure(opts) != SNOWID_OK || snowid_default_generator(&d) != SNOWID_OK)
    die("default generator");
  snowid_options_free(opts);
  dflt = best_ns(m_next, d, n);
  batch = best_ns(m_batch, g, n);
  decode = best_ns(m_decode, &dctx, n);

  printf("snowid %s C bench, library linked %s (best of %d runs; cached clock; wide = 41-bit ms,\n"
         "2-bit node, 20-bit sequence, so one node can issue 1,048,576 IDs per ms: unsaturated)\n",
         snowid_version(), label, RUNS);
  printf("  %-48s %8s %10s\n", "call", "ns/call", "vs noop");
  printf("  %-48s %8.2f %9.2fx\n", "snowid_noop (empty exported Rust fn)", noop, 1.0);
  printf("  %-48s %8.2f %9.2fx\n", "clock_gettime(CLOCK_MONOTONIC), inline in C", cg, cg / noop);
  printf("  %-48s %8.2f %9.2fx\n", "core next_id per ID (loop inside the library)", core, core / noop);
  printf("  %-48s %8.2f %9.2fx\n", "snowid_next (wide, unsaturated)", next, next / noop);
  printf("  %-48s %8.2f %9.2fx\n", "snowid_next, default generator (wide)", dflt, dflt / noop);
  printf("  %-48s %8.2f %9.2fx\n", "snowid_next_batch per ID (wide, 1024 per call)", batch, batch / noop);
  printf("  %-48s %8.2f %9.2fx\n", "snowid_layout_decode", decode, decode / noop);
  printf("  snowid_next overhead over the core: %+.2f ns per ID (target <= +3 ns): %s\n", next - core,
         next - core <= 3.0 ? "met" : "NOT met");
  printf("saturated (Twitter: 4096 IDs per ms per node), %s:\n", label);
  saturated("snowid_next, twitter", twitter, 0, 2.0);
  saturated("snowid_next_batch (1024), twitter", twitter, 1, 2.0);

  snowid_generator_free(g);
  snowid_layout_free(wide);
  snowid_layout_free(twitter);
  snowid_shutdown();
  successor(argv[0], label);
  return 0;
}
