/* A program that only knows the installed snowid: built by run.sh with
 * pkg-config (the README's build line) and with CMake find_package(snowid).
 * The README's "shortest form" is the START/END region below. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <snowid.h>

int main(int argc, char **argv) {
  const snowid_layout_t *layout = NULL;
  snowid_parts_t parts;
  char text[SNOWID_ENCODE_BUFFER_SIZE];
  /* START shortest */
  const snowid_generator_t *gen = NULL; /* borrowed: never free it */
  uint64_t id = 0;
  atexit(snowid_shutdown); /* a clean exit lowers the default generator's mark */
  if (snowid_default_generator(&gen) != SNOWID_OK || snowid_next(gen, &id) != SNOWID_OK) {
    fprintf(stderr, "snowid: %s\n", snowid_last_error_message());
    return 1;
  }
  /* END shortest */
  if (snowid_generator_layout(gen, &layout) != SNOWID_OK ||
      snowid_layout_decode(layout, id, &parts) != SNOWID_OK ||
      snowid_encode(id, SNOWID_ENCODING_BASE32, text, sizeof text, NULL) != SNOWID_OK) {
    fprintf(stderr, "snowid failed: %s\n", snowid_last_error_message());
    return 1;
  }
  printf("%s: snowid %s, id %" PRIu64 " (%s), time %" PRIu64 " ms\n", argc > 1 ? argv[1] : "app",
         snowid_version(), id, text, parts.timestamp_ms);
  return 0;
}
