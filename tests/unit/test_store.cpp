#include "profiler/compare.h"
#include "profiler/run_report.h"
#include "profiler/store.h"
#include "profiler/call_tracker.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <atomic>
#include <cmath>
#include <fstream>
#include <functional>
#include <limits>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "helpers.h"

using namespace mcusim;
namespace fs = std::filesystem;

namespace {

using test::TempDir;

std::string slurp(const fs::path &p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const fs::path &p, const std::string &text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

RunReport::Function function(const std::string &name, uint32_t addr, uint64_t self, uint64_t inclusive, uint64_t calls,
                             uint64_t instructions, double share) {
  RunReport::Function f;
  f.name = name;
  f.addr = addr;
  f.self_cycles = self;
  f.inclusive_cycles = inclusive;
  f.calls = calls;
  f.instructions = instructions;
  f.self_share = share;
  return f;
}

/// A report with every field set (no firmware needed).
RunReport sample_report(uint64_t cycles = 1234567, const std::string &firmware = "crc32-stm32f407.elf") {
  RunReport r;
  r.firmware = firmware;
  r.device = "stm32f407";
  r.core = "cortex-m4f";
  r.timing = "cortex-m4 tables, 5 flash wait states";
  r.mhz = 168;
  r.stop_reason = "exited";
  r.exit_code = 3;
  r.message = "a \"quoted\" message\nwith a newline";
  r.fault = "";
  r.cycles = cycles;
  r.instructions = 700001;
  r.sleep_cycles = 17;
  r.cpi = double(cycles) / 700001.0;
  r.simulated_seconds = double(cycles) / 168e6;
  r.wall_seconds = 0.0123456789;
  r.mips = std::numeric_limits<double>::quiet_NaN(); // rendered as null
  r.functions = {function("main", 0x08000135, cycles - 1000, cycles - 10, 1, 690000, 0.99),
                 function("crc32_update", 0x08000201, 900, 950, 20, 500, 0.0007),
                 function("tflite::(anonymous namespace)::Eval", 0x08000301, 100, 100, 2, 50, 0.00008)};
  r.functions[0].source = "main.c:42";
  r.other_cycles = 0;
  r.profiled = true;
  r.layers = {{.node = 0, .name = "conv1", .op = "CONV_2D", .invocations = 3, .cycles = 5000, .mean_cycles = 5000.0 / 3,
                .min_cycles = 1600, .max_cycles = 1800, .ms = 0.03, .share = 0.004, .mean_us = 9.92, .min_us = 9.52, .max_us = 10.71,
                .macs = 1000, .cycles_per_mac = 1.6667},
               {.node = 1, .name = "fc1", .op = "FULLY_CONNECTED", .invocations = 3, .cycles = 900, .mean_cycles = 300,
                .min_cycles = 290, .max_cycles = 310, .ms = 0.005, .share = 0.0007, .mean_us = 1.79, .min_us = 1.73, .max_us = 1.85,
                .macs = 250, .cycles_per_mac = 1.2}};
  r.layer_operators = {{.op = "CONV_2D", .layers = 1, .invocations = 3, .cycles = 5000, .ms = 0.03, .share = 0.004, .cycles_per_mac = 1.6667},
                       {.op = "FULLY_CONNECTED", .layers = 1, .invocations = 3, .cycles = 900, .ms = 0.005, .share = 0.0007,
                        .cycles_per_mac = 1.2}};
  r.layer_source = "markers";
  r.layer_invocations = 3;
  r.layer_setup = 1;
  r.invocation_rule = "invoke-marker";
  r.memory = {{.name = "flash", .kind = "flash", .used = 11000, .capacity = 1048576},
              {.name = "sram", .kind = "sram", .used = 5300, .capacity = 131072},
              {.name = "ccm", .kind = "tcm", .used = 1024, .capacity = 65536}};
  r.sections = {{.name = ".isr_vector", .region = "flash", .addr = 0x08000000, .size = 0x188},
                {.name = ".bss", .region = "sram", .addr = 0x20000000, .size = 4096}};
  r.top_symbols = {{.name = "buffer", .kind = "data", .addr = 0x20000010, .size = 4096},
                   {.name = "main", .kind = "code", .addr = 0x08000134, .size = 200}};
  r.stack.initial_sp = 0x20020000;
  r.stack.lowest_sp = 0x2001fe68;
  r.stack.used = 408;
  r.stack.limit = 0x2001c000;
  r.heap.malloc_used = true;
  r.heap.bytes = 1468;
  r.arena.symbol = "tflite::tensor_arena";
  r.arena.size = 8192;
  r.arena.used = 3000;
  r.max_call_depth = 8;
  r.exceptions_taken = 4000000000ull;
  return r;
}

/// The embedded schema plus one more migration: a database "from a newer mcusim".
std::string newer_schema() {
  return std::string(store_detail::embedded_schema()) + "\n-- migration " + std::to_string(RunStore::schema_version() + 1) +
         ": a future table\nCREATE TABLE future (x INTEGER);\n";
}

/// Runs SQL on a database file through a plain SQLite connection (not the store).
void exec_sql(const fs::path &db, const std::string &sql) {
  sqlite3 *c = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &c) == SQLITE_OK);
  char *err = nullptr;
  int rc = sqlite3_exec(c, sql.c_str(), nullptr, nullptr, &err);
  std::string msg = err ? err : "";
  sqlite3_free(err);
  sqlite3_close(c);
  REQUIRE_MESSAGE(rc == SQLITE_OK, msg);
}

/// A run database file with `runs` runs, closed (no -wal or -shm left).
void make_database(const fs::path &db, int runs) {
  auto store = RunStore::open(db);
  REQUIRE_MESSAGE(store, store.error().message);
  for (int i = 0; i < runs; ++i) REQUIRE(store->add_run(sample_report(1000000 + uint64_t(i)), "/fw/crc32.elf"));
}

/// Overwrites the middle page of a SQLite file with a fixed pattern, as a bad
/// sector would; the header (page 1) stays intact. Returns the page number.
size_t damage_middle_page(const fs::path &db) {
  std::string bytes = slurp(db);
  REQUIRE(bytes.size() >= 100);
  size_t page_size = size_t(uint8_t(bytes[16])) << 8 | uint8_t(bytes[17]);
  if (page_size == 1) page_size = 65536;
  const size_t pages = bytes.size() / page_size;
  REQUIRE(pages >= 3);
  const size_t victim = pages / 2 + 1; // 1-based, never page 1
  for (size_t i = 0; i < page_size; ++i) bytes[(victim - 1) * page_size + i] = char((i * 37 + 11) & 0xff);
  write_file(db, bytes);
  return victim;
}

/// The bytes in a file, 0 when it is not there.
uintmax_t bytes_in(const std::string &file) {
  std::error_code ec;
  const uintmax_t n = fs::file_size(file, ec);
  return ec ? 0 : n;
}

bool side_files_exist(const fs::path &db) {
  for (const char *suffix : {"-wal", "-shm", "-journal"})
    if (fs::exists(db.string() + suffix)) return true;
  return false;
}

} // namespace

TEST_CASE("report JSON reads back to the same JSON") {
  RunReport r = sample_report();
  const std::string json = render_json(r);
  auto back = parse_report_json(json);
  REQUIRE(back);
  CHECK(render_json(*back) == json);
  CHECK(back->firmware == r.firmware);
  CHECK(back->functions.size() == 3);
  CHECK(back->exceptions_taken == r.exceptions_taken);
  CHECK(std::isnan(back->mips));
  CHECK(render_text(*back) == render_text(r));
  CHECK(render_markdown(*back) == render_markdown(r));

  if (test::have_firmware("crc32-stm32f407")) { // a real, profiled run
    auto elf = load_elf(test::firmware("crc32-stm32f407"));
    REQUIRE(elf);
    auto dev = find_device("stm32f407");
    REQUIRE(dev);
    test::CaptureConsole console;
    RunOptions o;
    o.profile = true;
    o.profile_listener = [] { return std::make_unique<CallTracker>(); };
    auto sim = Simulator::create(*dev, *elf, o, console);
    REQUIRE(sim);
    RunResult res = (*sim)->run();
    RunReport real = build_report(res, *elf, *dev, (*sim)->timing_description());
    const std::string real_json = render_json(real);
    auto real_back = parse_report_json(real_json);
    REQUIRE(real_back);
    CHECK(render_json(*real_back) == real_json);
  }
}

TEST_CASE("report JSON: every field render_json writes is read back") {
  // Give every value a non-default one: a field that parse_report_json does
  // not read comes back as its default and the JSON differs.
  using nlohmann::ordered_json;
  ordered_json j = ordered_json::parse(render_json(sample_report()));
  std::function<void(ordered_json &, const std::string &)> mutate = [&](ordered_json &v, const std::string &key) {
    if (key == "schema" || key == "schema_version") return;
    if (v.is_object()) {
      for (auto &[k, child] : v.items()) mutate(child, k);
    } else if (v.is_array()) {
      for (auto &child : v) mutate(child, key);
    } else if (v.is_string()) {
      v = "changed " + v.get<std::string>();
    } else if (v.is_boolean()) {
      v = !v.get<bool>();
    } else if (v.is_number_float() || v.is_null()) {
      v = 0.625;
    } else if (v.is_number()) {
      v = 77;
    }
  };
  mutate(j, "");
  const std::string changed = j.dump(2) + "\n";
  auto back = parse_report_json(changed);
  REQUIRE(back);
  CHECK(render_json(*back) == changed);
}

TEST_CASE("report JSON: what is refused, in one line") {
  auto err = [](const std::string &text) {
    auto r = parse_report_json(text);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find('\n') == std::string::npos);
    return r.error().message;
  };
  CHECK(err("this is not json").find("not JSON") != std::string::npos);
  // A number too large for a double (nlohmann's out_of_range; found by fuzz_report_json,
  // tests/fuzz/corpus/report_json/crash-json-number-out-of-range).
  CHECK(err(R"({"schema": "mcusim-run-report", "schema_version": 1, "host": {"mips": 9.3676814988290398e505}})")
            .rfind("not JSON: number overflow", 0) == 0);
  CHECK(err("[1, 2]").find("not an mcusim run report") != std::string::npos);
  CHECK(err(R"({"schema": "something-else", "schema_version": 1})").find("not an mcusim run report") != std::string::npos);
  CHECK(err(R"({"schema": "mcusim-run-report", "schema_version": 99})").find("newer") != std::string::npos);
  CHECK(err(R"({"schema": "mcusim-run-report", "schema_version": 1, "totals": {"cycles": "many"}})").find("totals.cycles") !=
        std::string::npos);
  CHECK(err(R"({"schema": "mcusim-run-report", "schema_version": 1, "profile": {"functions": [{"calls": -1}]}})")
            .find("profile.functions[0].calls") != std::string::npos);
}

TEST_CASE("schema.sql: ordered, append-only migrations") {
  auto m = store_detail::parse_migrations(store_detail::embedded_schema());
  REQUIRE(m);
  REQUIRE(!m->empty());
  for (size_t i = 0; i < m->size(); ++i) CHECK((*m)[i].version == int(i + 1));
  CHECK(RunStore::schema_version() == m->back().version);
  CHECK((*m)[0].sql.find("CREATE TABLE runs") != std::string::npos);

  CHECK_FALSE(store_detail::parse_migrations("-- migration 1: a\nSELECT 1;\n-- migration 3: gap\nSELECT 1;\n"));
  CHECK_FALSE(store_detail::parse_migrations("-- migration 2: not first\nSELECT 1;\n"));
  CHECK_FALSE(store_detail::parse_migrations("CREATE TABLE t(x);\n-- migration 1: late\nSELECT 1;\n"));
  CHECK_FALSE(store_detail::parse_migrations("-- just a comment\n"));
}

TEST_CASE("an in-memory database: write and read back") {
  auto store = RunStore::open(":memory:");
  REQUIRE_MESSAGE(store, store.error().message);
  CHECK(store->user_version() == RunStore::schema_version());
  CHECK(*store->count_runs() == 0);
  CHECK(store->latest_id().error().kind == StoreError::Kind::NotFound);

  RunReport r = sample_report();
  auto id = store->add_run(r, "/work/fw/crc32-stm32f407.elf", "2024-05-01T12:34:56Z");
  REQUIRE_MESSAGE(id, id.error().message);
  CHECK(*id == 1);
  auto row = store->run(*id);
  REQUIRE(row);
  CHECK(row->created_at == "2024-05-01T12:34:56Z");
  CHECK(row->firmware == "crc32-stm32f407.elf");
  CHECK(row->firmware_path == "/work/fw/crc32-stm32f407.elf");
  CHECK(row->device == "stm32f407");
  CHECK(row->core == "cortex-m4f");
  CHECK(row->mhz == 168);
  CHECK(row->stop_reason == "exited");
  CHECK(row->exit_code == 3);
  CHECK(row->cycles == r.cycles);
  CHECK(row->instructions == r.instructions);
  CHECK(row->sim_seconds == r.simulated_seconds);
  CHECK(row->flash_used == 11000);
  CHECK(row->ram_used == 5300 + 1024); // SRAM and TCM
  CHECK(row->stack_used == 408);
  auto back = store->load_report(*id);
  REQUIRE(back);
  CHECK(render_json(*back) == render_json(r));
  CHECK(store->run(99).error().kind == StoreError::Kind::NotFound);
  CHECK(store->load_report(99).error().kind == StoreError::Kind::NotFound);
}

TEST_CASE("a database file: round trip, listing, reopening") {
  TempDir dir;
  const fs::path db = dir / "runs.db";
  {
    auto store = RunStore::open(db);
    REQUIRE_MESSAGE(store, store.error().message);
    for (int i = 0; i < 5; ++i) {
      auto id = store->add_run(sample_report(1000 + i, i % 2 ? "Hello-m4.elf" : "crc32.elf"), "/fw/x.elf");
      REQUIRE(id);
      CHECK(*id == i + 1);
    }
    auto all = store->list_runs();
    REQUIRE(all);
    REQUIRE(all->size() == 5);
    CHECK(all->front().id == 5); // newest first
    CHECK(all->back().id == 1);
    CHECK(all->front().created_at.size() == 20);
    CHECK(all->front().created_at.back() == 'Z');
    CHECK(store->list_runs(2)->size() == 2);
    auto hello = store->list_runs(0, "hello");
    REQUIRE(hello);
    CHECK(hello->size() == 2); // case-insensitive substring
    for (const auto &r : *hello) CHECK(r.firmware == "Hello-m4.elf");
    CHECK(store->list_runs(0, "nothing")->empty());
    CHECK(*store->latest_id() == 5);
  }
  CHECK(fs::exists(db));
  auto again = RunStore::open(db, RunStore::Mode::Existing);
  REQUIRE_MESSAGE(again, again.error().message);
  CHECK(*again->count_runs() == 5);
  auto rep = again->load_report(3);
  REQUIRE(rep);
  CHECK(rep->cycles == 1002);
  CHECK(render_json(*rep) == render_json(sample_report(1002, "crc32.elf")));
}

TEST_CASE("an empty (version 0) file is migrated to the current schema") {
  TempDir dir;
  const fs::path db = dir / "empty.db";
  write_file(db, "");
  REQUIRE(fs::file_size(db) == 0);
  auto store = RunStore::open(db, RunStore::Mode::Existing);
  REQUIRE_MESSAGE(store, store.error().message);
  CHECK(store->user_version() == RunStore::schema_version());
  CHECK(store->add_run(sample_report(), "/fw/a.elf"));
  CHECK(*store->count_runs() == 1);
}

TEST_CASE("migrations run in order, each pending one once, all in one transaction") {
  TempDir dir;
  const fs::path db = dir / "m.db";
  const std::string id_line = "PRAGMA application_id = " + std::to_string(store_detail::kApplicationId) + ";\n";
  const std::string v1 = "-- migration 1: first\n" + id_line + "CREATE TABLE a (x INTEGER);\n";
  auto r1 = store_detail::migrate_file(db, v1);
  REQUIRE_MESSAGE(r1, r1.error().message);
  CHECK(*r1 == 1);
  // Migration 2 fails half-way: nothing of it stays, the version stays 1.
  auto bad = store_detail::migrate_file(db, v1 + "-- migration 2: second\nCREATE TABLE b (x INTEGER);\nCREATE TABLE a (x INTEGER);\n");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message.find("migration 2") != std::string::npos);
  // Table b was rolled back with the rest, so a corrected migration 2 can create it.
  auto good = store_detail::migrate_file(db, v1 + "-- migration 2: second\nCREATE TABLE b (x INTEGER);\n");
  REQUIRE_MESSAGE(good, good.error().message);
  CHECK(*good == 2);
  // Opening again applies nothing (CREATE TABLE a would fail if migration 1 ran twice).
  auto same = store_detail::migrate_file(db, v1 + "-- migration 2: second\nCREATE TABLE b (x INTEGER);\n");
  REQUIRE_MESSAGE(same, same.error().message);
  CHECK(*same == 2);
}

TEST_CASE("a database from a newer mcusim is refused and left untouched") {
  TempDir dir;
  const fs::path db = dir / "newer.db";
  auto made = store_detail::migrate_file(db, newer_schema());
  REQUIRE_MESSAGE(made, made.error().message);
  CHECK(*made == RunStore::schema_version() + 1);
  const std::string before = slurp(db);
  for (auto mode : {RunStore::Mode::Create, RunStore::Mode::Existing}) {
    auto store = RunStore::open(db, mode);
    REQUIRE_FALSE(store);
    CHECK(store.error().kind == StoreError::Kind::NewerSchema);
    CHECK(store.error().message.find("newer") != std::string::npos);
    CHECK(store.error().message.find(db.string()) != std::string::npos);
  }
  CHECK(slurp(db) == before);
}

TEST_CASE("a file that is not a run database is refused and left untouched") {
  TempDir dir;
  const fs::path db = dir / "notes.db"; // a text file renamed .db
  const std::string text = "These are my notes, not a database.\nLine two.\n";
  write_file(db, text);
  for (auto mode : {RunStore::Mode::Create, RunStore::Mode::Existing}) {
    auto store = RunStore::open(db, mode);
    REQUIRE_FALSE(store);
    CHECK(store.error().kind == StoreError::Kind::NotADatabase);
    CHECK(store.error().message.find("not a SQLite database") != std::string::npos);
    CHECK(store.error().message.find('\n') == std::string::npos);
  }
  CHECK(slurp(db) == text);
  CHECK_FALSE(fs::exists(dir / "notes.db-wal"));
  CHECK_FALSE(fs::exists(dir / "notes.db-journal"));

  // A SQLite database of another program.
  const fs::path other = dir / "other.db";
  REQUIRE(store_detail::migrate_file(other, "-- migration 1: theirs\nCREATE TABLE t (x);\n"));
  const std::string other_before = slurp(other);
  auto s = RunStore::open(other);
  REQUIRE_FALSE(s);
  CHECK(s.error().kind == StoreError::Kind::NotADatabase);
  CHECK(s.error().message.find("another program") != std::string::npos);
  CHECK(slurp(other) == other_before);
}

TEST_CASE("missing and unwritable paths") {
  TempDir dir;
  auto missing = RunStore::open(dir / "absent.db", RunStore::Mode::Existing);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().kind == StoreError::Kind::NoSuchFile);
  CHECK_FALSE(fs::exists(dir / "absent.db")); // reading never creates a database

  auto nodir = RunStore::open(dir / "no" / "such" / "dir" / "runs.db");
  REQUIRE_FALSE(nodir);
  CHECK(nodir.error().kind == StoreError::Kind::CannotOpen);
  CHECK(nodir.error().message.find("cannot open") != std::string::npos);

  auto isdir = RunStore::open(dir.path);
  REQUIRE_FALSE(isdir);
  CHECK(isdir.error().kind == StoreError::Kind::CannotOpen);
}

TEST_CASE("two threads writing the same database at once: every run lands") {
  TempDir dir;
  const fs::path db = dir / "concurrent.db";
  constexpr int kPerWriter = 20;
  std::atomic<int> failures{0};
  std::string first_error;
  std::mutex error_mutex;
  auto writer = [&](int which) {
    auto store = RunStore::open(db); // each thread its own connection
    if (!store) {
      ++failures;
      std::lock_guard lock(error_mutex);
      first_error = store.error().message;
      return;
    }
    for (int i = 0; i < kPerWriter; ++i) {
      auto id = store->add_run(sample_report(uint64_t(which * 1000 + i)), "/fw/t.elf");
      if (!id) {
        ++failures;
        std::lock_guard lock(error_mutex);
        first_error = id.error().message;
      }
    }
  };
  std::thread a(writer, 1), b(writer, 2);
  a.join();
  b.join();
  CHECK_MESSAGE(failures == 0, first_error);
  auto store = RunStore::open(db, RunStore::Mode::Existing);
  REQUIRE(store);
  auto runs = store->list_runs();
  REQUIRE(runs);
  CHECK(runs->size() == 2 * kPerWriter);
  std::set<uint64_t> cycles;
  for (const auto &r : *runs) cycles.insert(r.cycles);
  CHECK(cycles.size() == 2 * kPerWriter); // each run once, none lost
}

TEST_CASE("two processes writing the same database at once: every run lands") {
  TempDir dir;
  const fs::path db = dir / "processes.db";
  constexpr int kPerWriter = 20;
  std::vector<pid_t> children;
  for (int which = 1; which <= 2; ++which) {
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      int bad = 0;
      auto store = RunStore::open(db);
      if (!store) {
        std::fprintf(stderr, "writer %d: %s\n", which, store.error().message.c_str());
        _exit(10);
      }
      for (int i = 0; i < kPerWriter; ++i)
        if (!store->add_run(sample_report(uint64_t(which * 1000 + i)), "/fw/p.elf")) ++bad;
      _exit(bad ? 11 : 0);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  auto store = RunStore::open(db, RunStore::Mode::Existing);
  REQUIRE(store);
  CHECK(*store->count_runs() == 2 * kPerWriter);
}

TEST_CASE("comparing two runs") {
  RunReport a = sample_report(1000000), b = sample_report(1100000);
  b.functions[0].self_cycles += 100000;
  b.functions.pop_back();                               // gone in B
  b.functions.push_back(function("new_fn", 0x08000401, 7, 7, 1, 3, 0));
  b.memory[0].used += 512;
  RunComparison c = compare_runs(a, b, "run 1", "run 2");
  REQUIRE(c.totals.size() == 3);
  CHECK(c.totals[0].name == "cycles");
  CHECK(c.totals[0].delta() == 100000);
  CHECK(*c.totals[0].percent() == doctest::Approx(10.0));
  REQUIRE(!c.functions.empty());
  CHECK(c.functions[0].name == "main"); // largest absolute change first
  bool saw_new = false, saw_gone = false;
  for (const auto &f : c.functions) {
    if (f.name == "new_fn") saw_new = !f.in_a && f.in_b && !f.percent();
    if (f.name == "tflite::(anonymous namespace)::Eval") saw_gone = f.in_a && !f.in_b && *f.percent() == -100.0;
  }
  CHECK(saw_new);
  CHECK(saw_gone);
  CHECK(c.memory[0].name == "flash");
  CHECK(c.memory[0].delta() == 512);
  CHECK(c.differences.empty());

  std::string text = render_comparison_text(c);
  CHECK(text.find("+10.0%") != std::string::npos);
  CHECK(text.find("new") != std::string::npos);
  CHECK(text.find("gone") != std::string::npos);
  std::string md = render_comparison_markdown(c);
  CHECK(md.find("| cycles | 1,000,000 | 1,100,000 | +100,000 | +10.0% |") != std::string::npos);
  std::string json = render_comparison_json(c);
  CHECK(json.find("\"schema\": \"mcusim-run-comparison\"") != std::string::npos);

  RunComparison same = compare_runs(a, a, "A", "B");
  for (const auto &row : same.totals) CHECK(row.delta() == 0);
  CHECK(render_comparison_text(same).find("0.0%") != std::string::npos);
}

TEST_CASE("a damaged page behind an intact header: refused at open, left byte for byte untouched") {
  TempDir dir;
  const fs::path db = dir / "damaged.db";
  make_database(db, 12);
  REQUIRE_FALSE(side_files_exist(db));
  damage_middle_page(db);
  const std::string before = slurp(db);
  for (auto mode : {RunStore::Mode::Create, RunStore::Mode::Existing}) {
    auto store = RunStore::open(db, mode);
    REQUIRE_FALSE(store);
    CHECK(store.error().kind == StoreError::Kind::Corrupt);
    CHECK(store.error().message.find(db.string() + ": the run database is damaged (quick_check: ") == 0);
    CHECK(store.error().message.find("left untouched") != std::string::npos);
    CHECK(store.error().message.find('\n') == std::string::npos);
    CHECK(slurp(db) == before);
    CHECK_FALSE(side_files_exist(db));
  }
  // Several processes refusing it at once leave nothing behind either.
  std::vector<pid_t> children;
  for (int p = 0; p < 4; ++p) {
    pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      int refused = 0;
      for (int i = 0; i < 15; ++i) {
        auto s = RunStore::open(db, i % 2 ? RunStore::Mode::Create : RunStore::Mode::Existing);
        refused += !s && s.error().kind == StoreError::Kind::Corrupt;
      }
      _exit(refused == 15 ? 0 : 1);
    }
    children.push_back(child);
  }
  for (pid_t child : children) {
    int status = 0;
    waitpid(child, &status, 0);
    CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
  }
  CHECK(slurp(db) == before);
  // SQLite's last connection to close removes the -wal and -shm files, but
  // it finds out it is the last with a lock it only tries: two processes
  // closing at the same instant may both leave them. Nothing is in them, and
  // the next refusal, alone, removes them.
  CHECK(bytes_in(db.string() + "-wal") == 0);
  {
    auto alone = RunStore::open(db, RunStore::Mode::Existing);
    CHECK_FALSE(alone);
  }
  CHECK(slurp(db) == before);
  CHECK_FALSE(side_files_exist(db));
  // A WAL next to it (runs not yet in the file) does not make the check write either.
  write_file(dir / "damaged.db-wal", std::string(64, 'w'));
  auto again = RunStore::open(db, RunStore::Mode::Existing);
  REQUIRE_FALSE(again);
  CHECK(again.error().kind == StoreError::Kind::Corrupt);
  CHECK(slurp(db) == before);
}

TEST_CASE("a healthy database passes the check at open, and new ones need none") {
  TempDir dir;
  const fs::path db = dir / "runs.db";
  {
    auto fresh = RunStore::open(db);
    REQUIRE(fresh);
    CHECK(fresh->integrity().result == RunStore::Integrity::Result::NotNeeded);
    REQUIRE(fresh->add_run(sample_report(), "/fw/a.elf"));
  }
  auto store = RunStore::open(db, RunStore::Mode::Existing);
  REQUIRE_MESSAGE(store, store.error().message);
  CHECK(store->integrity().result == RunStore::Integrity::Result::Passed);
  CHECK(store->integrity().seconds < 2.0);
  CHECK(RunStore::open(":memory:")->integrity().result == RunStore::Integrity::Result::NotNeeded);
}

TEST_CASE("a check that runs out of time: the database is used, marked unchecked") {
  TempDir dir;
  const fs::path db = dir / "big.db";
  make_database(db, 1);
  // About 24 MB of runs, so that quick_check takes far longer than 1 ms.
  exec_sql(db, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 600) "
               "INSERT INTO runs (created_at, firmware, firmware_path, device, core, mhz, timing, stop_reason, exit_code, cycles, "
               "instructions, sim_seconds, flash_used, ram_used, stack_used, report_schema, report_json) "
               "SELECT created_at, firmware, firmware_path, device, core, mhz, timing, stop_reason, exit_code, cycles + i, "
               "instructions, sim_seconds, flash_used, ram_used, stack_used, report_schema, hex(randomblob(20000)) "
               "FROM runs, n WHERE runs.id = 1");
  auto quick = RunStore::open(db, RunStore::Mode::Existing, std::chrono::milliseconds(1));
  REQUIRE_MESSAGE(quick, quick.error().message);
  CHECK(quick->integrity().result == RunStore::Integrity::Result::TooSlow);
  CHECK(*quick->count_runs() == 601);
  CHECK(quick->add_run(sample_report(), "/fw/a.elf"));
  auto full = RunStore::open(db, RunStore::Mode::Existing);
  REQUIRE_MESSAGE(full, full.error().message);
  CHECK(full->integrity().result == RunStore::Integrity::Result::Passed);
}

TEST_CASE("a WAL left by a killed writer: checked through a read-only connection, every committed run kept") {
  TempDir dir;
  const fs::path db = dir / "killed.db";
  make_database(db, 1);
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    auto store = RunStore::open(db);
    bool ok = store && store->add_run(sample_report(7), "/fw/a.elf") && store->add_run(sample_report(8), "/fw/a.elf");
    std::fflush(nullptr);
    _exit(ok ? 0 : 1); // no destructors: the connection is never closed, its WAL stays
  }
  int status = 0;
  waitpid(child, &status, 0);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  REQUIRE(fs::exists(dir / "killed.db-wal"));
  auto store = RunStore::open(db, RunStore::Mode::Existing);
  REQUIRE_MESSAGE(store, store.error().message);
  CHECK(store->integrity().result == RunStore::Integrity::Result::Passed);
  CHECK(*store->count_runs() == 3);
}

TEST_CASE("a run that cannot be stored: the error is SQLite's own message and code, not 'not an error'") {
  TempDir dir;
  const fs::path db = dir / "trapped.db";
  make_database(db, 1);
  exec_sql(db, "CREATE TRIGGER frozen BEFORE INSERT ON functions BEGIN SELECT RAISE(ABORT, 'functions are frozen'); END;");
  auto store = RunStore::open(db);
  REQUIRE_MESSAGE(store, store.error().message);
  auto id = store->add_run(sample_report(), "/fw/a.elf");
  REQUIRE_FALSE(id);
  CHECK(id.error().message.find("functions are frozen") != std::string::npos);
  CHECK(id.error().message.find("not an error") == std::string::npos);
  CHECK(id.error().message.find(db.string()) == 0);
  CHECK(id.error().sqlite_code == SQLITE_CONSTRAINT_TRIGGER);
  CHECK(*store->count_runs() == 1); // the half-written run was rolled back
}

TEST_CASE("open_for_fuzzing: arbitrary bytes never crash, throw or hang") {
  TempDir dir;
  const fs::path seed_db = dir / "seed.db";
  make_database(seed_db, 3);
  const std::string seed = slurp(seed_db);
  REQUIRE(store_detail::open_for_fuzzing(seed_db).value_or(0) == 3);
  std::minstd_rand rng(20261130);
  const fs::path db = dir / "fuzz.db";
  size_t opened = 0, refused = 0;
  for (int i = 0; i < 300; ++i) {
    std::string bytes = seed;
    switch (i % 4) {
    case 0: // a few flipped bytes anywhere, the header included
      for (int k = 0; k < 1 + i % 7; ++k) bytes[rng() % bytes.size()] ^= char(1 + rng() % 255);
      break;
    case 1: // a damaged page
      for (size_t k = 0, at = rng() % bytes.size(); k < 512 && at + k < bytes.size(); ++k) bytes[at + k] = char(rng());
      break;
    case 2: // cut short
      bytes.resize(rng() % bytes.size());
      break;
    case 3: // the SQLite header, then noise
      bytes.resize(100 + rng() % 8192);
      for (size_t k = 100; k < bytes.size(); ++k) bytes[k] = char(rng());
      break;
    }
    for (const char *suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(db.string() + suffix);
    write_file(db, bytes);
    auto r = store_detail::open_for_fuzzing(db);
    if (r) ++opened;
    else {
      ++refused;
      CHECK_MESSAGE(r.error().message.find('\n') == std::string::npos, r.error().message);
    }
  }
  CHECK(opened + refused == 300);
  CHECK(refused > 0);
}

TEST_CASE("report JSON: unknown MACs are null, never 0.0, and read back as unknown") {
  RunReport r = sample_report();
  r.layers[1].macs.reset();
  r.layers[1].cycles_per_mac.reset();
  r.layer_operators[1].cycles_per_mac.reset();
  const std::string json = render_json(r);
  auto j = nlohmann::json::parse(json);
  CHECK(j["schema_version"] == RunReport::kSchemaVersion);
  CHECK(j["layers"]["rows"][1]["macs"].is_null());
  CHECK(j["layers"]["rows"][1]["cycles_per_mac"].is_null());
  CHECK(j["layers"]["operators"][1]["cycles_per_mac"].is_null());
  CHECK(j["layers"]["rows"][0]["cycles_per_mac"].get<double>() == doctest::Approx(1.6667));
  CHECK(j["layers"]["rows"][0]["macs"] == 1000);
  CHECK(j["layers"]["rows"][0]["min_cycles"] == 1600);
  CHECK(j["layers"]["rows"][0]["max_us"].get<double>() == doctest::Approx(10.71));
  auto back = parse_report_json(json);
  REQUIRE(back);
  CHECK_FALSE(back->layers[1].macs);
  CHECK_FALSE(back->layers[1].cycles_per_mac);
  CHECK(render_json(*back) == json);
  // The text writes '-' where the JSON writes null.
  std::string text = render_text(r);
  auto fc = text.find("\n     1  FULLY_CONNECTED");
  REQUIRE(fc != std::string::npos);
  std::string line = text.substr(fc + 1, text.find('\n', fc + 1) - fc - 1);
  CHECK(line.back() == '-');
  CHECK(line.find("0.00 ") == std::string::npos);
}

TEST_CASE("report JSON of schema 1: layer rows read back, per-invocation extremes unknown") {
  const std::string v1 = R"({"schema": "mcusim-run-report", "schema_version": 1, "mhz": 100.0,
    "layers": {"source": "markers", "rows": [
      {"name": "conv1", "op": "CONV_2D", "invocations": 3, "cycles": 6000, "ms": 0.06, "share": 0.5, "macs": 2700, "cycles_per_mac": 2.2222},
      {"name": "relu1", "op": "RELU", "invocations": 3, "cycles": 300, "ms": 0.003, "share": 0.02, "macs": 0, "cycles_per_mac": 0.0}]},
    "profile": {"profiled": true}})";
  auto r = parse_report_json(v1);
  REQUIRE_MESSAGE(r, r.error().message);
  REQUIRE(r->layers.size() == 2);
  CHECK(r->layers[1].node == 1);
  CHECK(r->layers[0].mean_cycles == doctest::Approx(2000));
  CHECK(r->layers[0].mean_us == doctest::Approx(20));
  CHECK(*r->layers[0].macs == 900);
  CHECK_FALSE(r->layers[0].min_cycles);
  CHECK_FALSE(r->layers[1].macs);           // 0 meant unknown in schema 1
  CHECK_FALSE(r->layers[1].cycles_per_mac);
  auto j = nlohmann::json::parse(render_json(*r));
  CHECK(j["layers"]["rows"][0]["min_cycles"].is_null());
  CHECK(j["layers"]["rows"][0]["min_us"].is_null());
  CHECK(j["layers"]["rows"][1]["cycles_per_mac"].is_null());
}

TEST_CASE("an unprofiled run's report says so, in every format") {
  RunReport r = sample_report();
  r.profiled = false;
  r.functions.clear();
  r.layers.clear();
  r.layer_operators.clear();
  std::string text = render_text(r);
  CHECK(text.find("  profile       not profiled") != std::string::npos);
  CHECK(render_markdown(r).find("| profile | not profiled") != std::string::npos);
  CHECK(render_html(r).find("not profiled") != std::string::npos);
  CHECK(nlohmann::json::parse(render_json(r))["profile"]["profiled"] == false);
  CHECK(render_text(sample_report()).find("not profiled") == std::string::npos);
}

TEST_CASE("compare: per-layer deltas of the mean cycles per invocation, matched by name and order") {
  RunReport a = sample_report(1000000), b = sample_report(1000000);
  // B: conv1 10% slower, a new layer inserted before fc1 (fc1 moves to node 2 but still matches).
  b.layers[0].mean_cycles = 5500.0 / 3 * 1.0;
  RunReport::Layer extra = b.layers[1];
  extra.name = "relu1";
  extra.op = "RELU";
  extra.mean_cycles = 40;
  b.layers.insert(b.layers.begin() + 1, extra);
  b.layers[1].node = 1;
  b.layers[2].node = 2;
  b.layers[2].mean_cycles = 270;
  a.layers[0].mean_cycles = 5000.0 / 3;
  RunComparison c = compare_runs(a, b, "run 1", "run 2");
  REQUIRE(c.layers.size() == 3);
  CHECK(c.layers[0].name == "#0 conv1");
  CHECK(c.layers[0].a == doctest::Approx(5000.0 / 3));
  CHECK(c.layers[0].b == doctest::Approx(5500.0 / 3));
  CHECK(*c.layers[0].percent() == doctest::Approx(10.0));
  CHECK(c.layers[1].name == "#1 fc1"); // A's order; matched to B's node 2 by name
  CHECK(c.layers[1].in_b);
  CHECK(c.layers[1].delta() == doctest::Approx(-30));
  CHECK(*c.layers[1].percent() == doctest::Approx(-10.0));
  CHECK(c.layers[2].name == "#1 relu1"); // only in B
  CHECK_FALSE(c.layers[2].in_a);
  CHECK_FALSE(c.layers[2].percent());

  std::string text = render_comparison_text(c);
  auto at = text.find("layers (mean cycles per invocation)");
  REQUIRE(at != std::string::npos);
  CHECK(text.find("#0 conv1", at) != std::string::npos);
  CHECK(text.find("+167", at) != std::string::npos);
  CHECK(text.find("+10.0%", at) != std::string::npos);
  CHECK(text.find("-10.0%", at) != std::string::npos);
  CHECK(render_comparison_markdown(c).find("| #1 fc1 | 300 | 270 | -30 | -10.0% |") != std::string::npos);
  auto j = nlohmann::json::parse(render_comparison_json(c));
  REQUIRE(j["layers"].size() == 3);
  CHECK(j["layers"][1]["delta"] == -30);
  CHECK(j["layers"][2]["percent"].is_null());

  SUBCASE("two layers of one name match in order") {
    RunReport x = sample_report(), y = sample_report();
    x.layers[1].name = y.layers[1].name = "conv1";
    y.layers[1].mean_cycles = 600;
    RunComparison d = compare_runs(x, y, "A", "B");
    REQUIRE(d.layers.size() == 2);
    CHECK(d.layers[0].delta() == doctest::Approx(0));
    CHECK(d.layers[1].delta() == doctest::Approx(300));
  }
}

TEST_CASE("a version 1 database (before the layers table) opens, migrates and reads, and new runs store their layers") {
  const fs::path fixture = fs::path(MCUSIM_TEST_SOURCE_DIR) / "tests/data/db/v1-fixture.db";
  REQUIRE(fs::exists(fixture));
  TempDir dir;
  const fs::path db = dir / "old.db";
  fs::copy_file(fixture, db);
  {
    sqlite3 *c = nullptr;
    REQUIRE(sqlite3_open_v2(db.c_str(), &c, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    sqlite3_stmt *q = nullptr;
    REQUIRE(sqlite3_prepare_v2(c, "PRAGMA user_version", -1, &q, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(q) == SQLITE_ROW);
    CHECK(sqlite3_column_int(q, 0) == 1);
    sqlite3_finalize(q);
    sqlite3_close(c);
  }
  auto store = RunStore::open(db, RunStore::Mode::Existing);
  REQUIRE_MESSAGE(store, store.error().message);
  CHECK(store->user_version() == RunStore::schema_version());
  CHECK(store->user_version() >= 2);
  auto runs = store->list_runs();
  REQUIRE(runs);
  REQUIRE(runs->size() == 3);
  // Run 1: profiled, marker layers in a schema 1 report.
  auto r1 = store->load_report(1);
  REQUIRE_MESSAGE(r1, r1.error().message);
  CHECK(r1->profiled);
  REQUIRE(r1->layers.size() == 3);
  CHECK(r1->layers[0].name == "conv1");
  CHECK(r1->layers[0].invocations == 3);
  CHECK(r1->layers[0].macs == 900u);
  CHECK_FALSE(r1->layers[0].min_cycles); // schema 1 did not record them
  CHECK(render_text(*r1).find("conv1") != std::string::npos);
  // Run 2: the TFLM profiler's rows; run 3: a plain run.
  auto r2 = store->load_report(2);
  REQUIRE(r2);
  CHECK(r2->layer_source == "tflm-profiler");
  REQUIRE(r2->layers.size() == 3); // schema 1: summed by name
  CHECK(r2->layers[0].op == "CONV_2D"); // TFLM's tag is the op, as in schema 2
  auto r3 = store->load_report(3);
  REQUIRE(r3);
  CHECK_FALSE(r3->profiled);
  CHECK(render_text(*r3).find("not profiled") != std::string::npos);
  // Runs stored before the migration have no layer rows; one stored after has.
  RunReport fresh = sample_report();
  auto id = store->add_run(fresh, "/fw/layers.elf");
  REQUIRE_MESSAGE(id, id.error().message);
  CHECK(*id == 4);
  sqlite3 *c = nullptr;
  REQUIRE(sqlite3_open_v2(db.c_str(), &c, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt *q = nullptr;
  REQUIRE(sqlite3_prepare_v2(c, "SELECT run_id, node, name, op, source, invocations, cycles, min_cycles, max_cycles, macs FROM layers ORDER BY run_id, node",
                             -1, &q, nullptr) == SQLITE_OK);
  std::vector<std::string> rows;
  while (sqlite3_step(q) == SQLITE_ROW) {
    std::string row;
    for (int i = 0; i < 10; ++i) {
      const unsigned char *t = sqlite3_column_text(q, i);
      row += (i ? "|" : "") + std::string(t ? reinterpret_cast<const char *>(t) : "NULL");
    }
    rows.push_back(row);
  }
  sqlite3_finalize(q);
  sqlite3_close(c);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0] == "4|0|conv1|CONV_2D|markers|3|5000|1600|1800|1000");
  CHECK(rows[1] == "4|1|fc1|FULLY_CONNECTED|markers|3|900|290|310|250");
  auto back = store->load_report(4);
  REQUIRE(back);
  CHECK(render_json(*back) == render_json(fresh));
}
