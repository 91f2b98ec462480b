// C++17 smoke test: snowid.h compiles unchanged as C++ and links.
#include <stdio.h>
#include <stdlib.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "snowid.h"

namespace {
int failures = 0;
void check(bool ok, const char *what) {
  if (!ok) {
    fprintf(stderr, "FAIL %s [%s]\n", what, snowid_last_error_message());
    ++failures;
  }
}
struct LayoutDeleter {
  void operator()(snowid_layout_t *l) const { snowid_layout_free(l); }
};
struct GeneratorDeleter {
  void operator()(snowid_generator_t *g) const { snowid_generator_free(g); }
};
struct OptionsDeleter {
  void operator()(snowid_options_t *o) const { snowid_options_free(o); }
};
}  // namespace

int main() {
  {
    // The README's shortest form compiles as C++ too (-Werror).
    // START shortest
    const snowid_generator_t *gen = NULL; /* borrowed: never free it */
    uint64_t id = 0;
    atexit(snowid_shutdown); /* a clean exit lowers the default generator's mark */
    if (snowid_default_generator(&gen) != SNOWID_OK || snowid_next(gen, &id) != SNOWID_OK) {
      fprintf(stderr, "snowid: %s\n", snowid_last_error_message());
      return 1;
    }
    // END shortest
  }
  {
    snowid_options_t *raw = nullptr;
    check(snowid_options_new(&raw) == SNOWID_OK, "options_new");
    std::unique_ptr<snowid_options_t, OptionsDeleter> opts(raw);
    check(snowid_options_set_str(opts.get(), "layout", "sonyflake") == SNOWID_OK, "set_str");
    check(snowid_options_set_uint(opts.get(), "machine", 9) == SNOWID_OK, "set_uint");
    check(snowid_options_set_bool(opts.get(), "protect", false) == SNOWID_OK, "set_bool");
    snowid_generator_t *g = nullptr;
    check(snowid_generator_new_with_options(opts.get(), &g) == SNOWID_OK, "new_with_options");
    std::unique_ptr<snowid_generator_t, GeneratorDeleter> owned(g);
    uint64_t one = 0;
    check(snowid_next(owned.get(), &one) == SNOWID_OK, "next by options");
  }
  snowid_layout_t *raw_layout = nullptr;
  check(snowid_layout_preset("discord", &raw_layout) == SNOWID_OK, "preset");
  std::unique_ptr<snowid_layout_t, LayoutDeleter> layout(raw_layout);

  snowid_config_t cfg;
  check(snowid_config_init(&cfg, sizeof cfg) == SNOWID_OK, "config_init");
  check(snowid_config_set_node(&cfg, layout.get(), "worker", 1) == SNOWID_OK, "worker");
  check(snowid_config_set_node(&cfg, layout.get(), "process", 2) == SNOWID_OK, "process");
  snowid_generator_t *raw_gen = nullptr;
  check(snowid_generator_new(layout.get(), &cfg, &raw_gen) == SNOWID_OK, "generator_new");
  std::unique_ptr<snowid_generator_t, GeneratorDeleter> gen(raw_gen);

  std::vector<uint64_t> ids(100);
  uint64_t written = 0;
  check(snowid_next_batch(gen.get(), ids.data(), ids.size(), &written) == SNOWID_OK, "batch");
  check(written == ids.size(), "batch size");

  snowid_parts_t parts;
  check(snowid_layout_decode(layout.get(), ids.back(), &parts) == SNOWID_OK, "decode");
  check(parts.nodes[0] == 1 && parts.nodes[1] == 2, "nodes");
  check(std::string(parts.node_names[1]) == "process", "node name");

  char text[SNOWID_ENCODE_BUFFER_SIZE];
  check(snowid_encode(ids.back(), SNOWID_ENCODING_BASE62, text, sizeof text, nullptr) == SNOWID_OK,
        "encode");
  uint64_t back = 0;
  check(snowid_parse(SNOWID_ENCODING_BASE62, text, &back) == SNOWID_OK && back == ids.back(),
        "parse");
  check(snowid_next(gen.get(), nullptr) == SNOWID_ERR_NULL_ARGUMENT, "null out");
  check(std::strcmp(snowid_status_str(SNOWID_ERR_FORKED), "FORKED") == 0, "status_str");

  printf("C++17 smoke: %s id %llu = %s (snowid %s)\n", failures ? "FAILED" : "ok",
              static_cast<unsigned long long>(ids.back()), text, snowid_version());
  return failures == 0 ? 0 : 1;
}
