// Fuzzes the run database opener (profiler/store.cpp): the input is written to
// a per-process temp file and handed to store_detail::open_for_fuzzing, which
// opens it as an existing database (application id, schema version, integrity
// check, pending migrations), lists the runs, reads back the newest reports and
// closes the store. Seeds: a small database made by `mcusim run --db`
// (corpus/store_open/).
#include "profiler/store.h"
#include "temp_file.h"

#include <cstddef>
#include <cstdint>

using namespace mcusim;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const fuzz::TempFile file("store", ".db");
  file.remove();
  file.write(data, size);
  (void)store_detail::open_for_fuzzing(file.path());
  file.remove();
  return 0;
}
