/// \file
/// The run session (session/session.h): the one pipeline behind `mcusim run`
/// and the GUI: checks before the run, the run, the report, the gate, the store.
#include "session/session.h"

#include "session/exit_codes.h"
#include "profiler/store.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "helpers.h"

using namespace mcusim;
namespace fs = std::filesystem;

namespace {

using test::TempDir;

/// Hooks that record what the session tells a front end.
struct RecordingHooks final : session::SessionHooks {
  test::CaptureConsole capture;
  std::vector<session::Message> messages;
  std::optional<session::RunStarted> started_with;
  std::string report;
  int attached = 0, detached = 0, progress_calls = 0;
  Console &console() override { return capture; }
  void message(const session::Message &m) override { messages.push_back(m); }
  void started(const session::RunStarted &s) override { started_with = s; }
  void attach(Simulator *sim) override { ++(sim ? attached : detached); }
  void progress(const RunOptions::Progress &) override { ++progress_calls; }
  void report_text(std::string_view t) override { report += t; }
};

std::string slurp(const std::string &p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

} // namespace

TEST_CASE("session run of a bundled firmware gives a stored run and its report") {
  if (!test::have_firmware("hello-stm32f407")) return;
  TempDir dir;
  session::RunRequest req;
  req.elf = test::firmware("hello-stm32f407").string();
  req.device = "stm32f407";
  req.report_format = "json";
  req.db = dir / "runs.db";
  RecordingHooks hooks;
  session::RunOutcome out = session::run(req, hooks);
  CHECK(out.exit_code == 0);
  CHECK(out.ran);
  CHECK(out.error.empty());
  REQUIRE(out.result);
  CHECK(out.result->reason == StopReason::Exited);
  REQUIRE(out.report);
  CHECK(out.report->profiled); // a report asks for the profile
  CHECK(hooks.capture.out_text.find("Hello from mcusim on cortex-m4f") != std::string::npos);
  REQUIRE(hooks.started_with);
  CHECK(hooks.started_with->device == "stm32f407");
  CHECK(hooks.started_with->core == "Cortex-M4F");
  CHECK(hooks.attached == 1);
  CHECK(hooks.detached == 1);
  // The report came to the front end (no --report-out) and is JSON.
  auto j = nlohmann::json::parse(hooks.report);
  CHECK(j["schema_version"] == RunReport::kSchemaVersion);
  CHECK(j["totals"]["cycles"].get<uint64_t>() == out.result->cycles);
  // Stored, and the stored report is the run's.
  REQUIRE(out.run_id);
  CHECK(out.db_path == req.db);
  auto store = RunStore::open(req.db, RunStore::Mode::Existing);
  REQUIRE(store);
  auto back = store->load_report(*out.run_id);
  REQUIRE(back);
  CHECK(back->cycles == out.result->cycles);
  CHECK(back->firmware == out.report->firmware);
  // A run under 0.1 s of wall time has no MIPS figure: null in JSON, none in the summary line.
  std::string summary;
  for (const auto &m : out.messages)
    if (m.text.find("exited with code 0 after") != std::string::npos) summary = m.text;
  CAPTURE(summary);
  REQUIRE(!summary.empty());
  if (out.result->wall_seconds < RunResult::kMinMipsSeconds) {
    CHECK(!out.result->mips_known());
    CHECK(j["host"]["mips"].is_null());
    CHECK(summary.find("MIPS") == std::string::npos);
  } else {
    CHECK(j["host"]["mips"].is_number());
    CHECK(summary.find("MIPS") != std::string::npos);
  }
  CHECK(out.result->emulation_seconds <= out.result->wall_seconds);
}

TEST_CASE("session refuses an unwritable output file before the run") {
  if (!test::have_firmware("hello-stm32f407")) return;
  TempDir dir;
  for (std::string which : {"report", "flamegraph", "trace", "console"}) {
    CAPTURE(which);
    session::RunRequest req;
    req.elf = test::firmware("hello-stm32f407").string();
    req.device = "stm32f407";
    req.db = dir / "runs.db";
    const std::string bad = dir / "no/such/dir/out.txt";
    if (which == "report") req.report_out = bad;
    if (which == "flamegraph") req.flamegraph = bad;
    if (which == "trace") req.trace = bad;
    if (which == "console") req.console_file = bad;
    RecordingHooks hooks;
    session::RunOutcome out = session::run(req, hooks);
    CHECK(out.exit_code == cli::kExitOutput);
    CHECK(!out.ran);
    CHECK(out.error.find("no/such/dir/out.txt") != std::string::npos);
    CHECK(out.error.find('\n') == std::string::npos);
    CHECK(hooks.capture.out_text.empty()); // the firmware never ran
    CHECK(hooks.attached == 0);
    CHECK(!fs::exists(req.db)); // nothing stored, not even an empty database
  }
}

TEST_CASE("session output file that existed keeps its content when the run cannot start") {
  if (!test::have_firmware("hello-stm32f407")) return;
  TempDir dir;
  const std::string report = dir / "report.txt";
  { std::ofstream(report) << "previous report\n"; }
  session::RunRequest req;
  req.elf = test::firmware("hello-stm32f407").string();
  req.device = "no-such-device";
  req.report_out = report;
  req.no_db = true;
  RecordingHooks hooks;
  auto out = session::run(req, hooks);
  CHECK(out.exit_code == cli::kExitBadDevice);
  CHECK(slurp(report) == "previous report\n");
}

TEST_CASE("session console file takes the firmware's stdout") {
  if (!test::have_firmware("hello-stm32f407")) return;
  TempDir dir;
  session::RunRequest req;
  req.elf = test::firmware("hello-stm32f407").string();
  req.device = "stm32f407";
  req.console_file = dir / "console.txt";
  req.no_db = true;
  CHECK(session::console_target(req) == session::ConsoleTarget::File);
  RecordingHooks hooks;
  auto out = session::run(req, hooks);
  CHECK(out.exit_code == 0);
  CHECK(hooks.capture.out_text.empty());
  CHECK(slurp(req.console_file).find("Hello from mcusim on cortex-m4f") != std::string::npos);
}

TEST_CASE("session console target: a JSON report on stdout sends the console to stderr") {
  session::RunRequest req;
  CHECK(session::console_target(req) == session::ConsoleTarget::Stdout);
  req.report_format = "text";
  CHECK(session::console_target(req) == session::ConsoleTarget::Stdout);
  req.report_format = "json";
  CHECK(session::console_target(req) == session::ConsoleTarget::Stderr);
  req.report_out = "r.json";
  CHECK(session::console_target(req) == session::ConsoleTarget::Stdout);
}

TEST_CASE("session budget result and exit code come with the outcome") {
  if (!test::have_firmware("crc32-stm32f407")) return;
  TempDir dir;
  { std::ofstream(dir / "tight.toml") << "[limits]\ncycles = 1000\n"; }
  session::RunRequest req;
  req.elf = test::firmware("crc32-stm32f407").string();
  req.device = "stm32f407";
  req.budget = dir / "tight.toml";
  req.junit = dir / "checks.xml";
  req.no_db = true;
  req.options.cmdline = "crc32 2";
  RecordingHooks hooks;
  auto out = session::run(req, hooks);
  CHECK(out.exit_code == cli::kExitBudget);
  REQUIRE(out.gate);
  CHECK(!out.gate->passed());
  CHECK(slurp(req.junit).find("<testsuite") != std::string::npos);
}
