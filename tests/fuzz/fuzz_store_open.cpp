// Fuzzes the run database opener (profiler/store.cpp): the input is written to
// a per-process temp file, opened as an existing database (which checks the
// application id and schema version and applies pending migrations), then the
// runs are listed, each stored report parsed back, and the store closed.
// Seeds: a small database made by `mcusim run --db` (corpus/store_open/).
#include "profiler/store.h"
#include "temp_file.h"

#include <cstddef>
#include <cstdint>

using namespace mcusim;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const fuzz::TempFile file("store", ".db");
  file.remove();
  file.write(data, size);
  {
    auto store = RunStore::open(file.path(), RunStore::Mode::Existing);
    if (store) {
      (void)store->count_runs();
      (void)store->latest_id();
      if (auto runs = store->list_runs(8)) {
        for (const auto &run : *runs) {
          (void)store->run(run.id);
          (void)store->load_report(run.id);
        }
      }
      (void)store->list_runs(0, "crc");
    }
  } // closed here
  file.remove();
  return 0;
}
