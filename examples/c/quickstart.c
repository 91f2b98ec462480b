/*
 * snowid quickstart in C: make a generator, issue IDs one at a time and in a
 * batch, decode one, encode it as text, build a range query, and read an
 * error. Built with pkg-config (see Makefile): `make demo`.
 */
#include <inttypes.h>
#include <stdio.h>

#include <snowid.h>

static int fail(const char *what) {
  fprintf(stderr, "%s failed: %s\n", what, snowid_last_error_message());
  return 1;
}

int main(void) {
  /* START quickstart */
  snowid_layout_t *layout = NULL;
  snowid_generator_t *gen = NULL;
  snowid_config_t cfg;
  snowid_parts_t parts;
  uint64_t id;
  char text[SNOWID_ENCODE_BUFFER_SIZE];

  if (snowid_layout_preset("twitter", &layout) != SNOWID_OK) return fail("layout");
  snowid_config_init(&cfg, sizeof cfg); /* defaults: cached clock, wait on regression */
  if (snowid_config_set_node(&cfg, layout, "datacenter", 1) != SNOWID_OK ||
      snowid_config_set_node(&cfg, layout, "worker", 7) != SNOWID_OK)
    return fail("config");
  if (snowid_generator_new(layout, &cfg, &gen) != SNOWID_OK) return fail("generator");

  if (snowid_next(gen, &id) != SNOWID_OK) return fail("next"); /* thread-safe */
  snowid_layout_decode(layout, id, &parts);
  snowid_encode(id, SNOWID_ENCODING_BASE62, text, sizeof text, NULL);
  printf("id %" PRIu64 " (base62 %s): time %" PRIu64 " ms, %s %u, %s %u, sequence %" PRIu64 "\n",
         id, text, parts.timestamp_ms, parts.node_names[0], parts.nodes[0],
         parts.node_names[1], parts.nodes[1], parts.sequence);

  snowid_generator_free(gen); /* generators and layouts: one _free each */
  snowid_layout_free(layout);
  /* END quickstart */

  {
    /* A batch fills your buffer; a range query brackets an hour. */
    const snowid_generator_t *dflt = NULL; /* SNOWID_LAYOUT, SNOWID_WORKER_ID, ... */
    const snowid_layout_t *dl = NULL;
    snowid_parts_t newest;
    uint64_t batch[5], written = 0, lo = 0, hi = 0, i;
    int64_t now_ms;
    if (snowid_default_generator(&dflt) != SNOWID_OK) return fail("default generator");
    if (snowid_next_batch(dflt, batch, 5, &written) != SNOWID_OK) return fail("batch");
    printf("batch of %" PRIu64 ":", written);
    for (i = 0; i < written; i++) printf(" %" PRIu64, batch[i]);
    printf("\n");
    snowid_generator_layout(dflt, &dl);
    snowid_layout_decode(dl, batch[written - 1], &newest);
    now_ms = (int64_t)newest.timestamp_ms;
    snowid_layout_min_id_at(dl, now_ms - 3600 * 1000, &lo);
    snowid_layout_max_id_at(dl, now_ms, &hi);
    printf("last hour: WHERE id BETWEEN %" PRIu64 " AND %" PRIu64 "\n", lo, hi);
  }
  {
    /* Errors: a status, and a message with the numbers. */
    snowid_layout_t *l = NULL;
    snowid_status s;
    snowid_config_init(&cfg, sizeof cfg);
    snowid_layout_preset("twitter", &l);
    s = snowid_config_set_node(&cfg, l, "worker", 40);
    printf("worker 40 -> status %d: %s\n", (int)s, snowid_last_error_message());
    snowid_layout_free(l);
  }
  return 0;
}
