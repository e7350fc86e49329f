/// \file
/// The run database commands: storing `mcusim run`, `mcusim runs`,
/// `mcusim report RUN`, `mcusim compare RUN_A RUN_B`.
#include "cli/cmd_db.h"
#include "session/exit_codes.h"

#include "profiler/compare.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/format.h"

namespace mcusim::cli {

namespace {

constexpr const char *kStoredHint = "runs are stored there by 'mcusim run --report' or 'mcusim run --db FILE'";

/// Prints a database problem and returns its exit code: 66 for a database or
/// run that does not exist, 76 for one that cannot be used.
int db_error(const StoreError &e) {
  if (e.kind == StoreError::Kind::NoSuchFile) {
    std::fprintf(stderr, "mcusim: error: %s (%s)\n", e.message.c_str(), kStoredHint);
    return kExitNoInput;
  }
  std::fprintf(stderr, "mcusim: error: %s\n", e.message.c_str());
  return e.kind == StoreError::Kind::NotFound ? kExitNoInput : kExitDatabase;
}

/// A database whose check did not finish in time is used unchecked, with a warning.
void warn_if_unchecked(const RunStore &store) {
  if (store.integrity().result != RunStore::Integrity::Result::TooSlow) return;
  std::fprintf(stderr,
               "mcusim: warning: %s: not fully checked for damage (quick_check stopped after %.1f s); used unchecked "
               "(check it with: sqlite3 %s 'PRAGMA integrity_check')\n",
               store.path().c_str(), store.integrity().seconds, store.path().c_str());
}

using text::thousands;

std::string result_text(const std::string &stop_reason, int exit_code) {
  return stop_reason == "exited" ? "exit " + std::to_string(exit_code) : stop_reason;
}

std::string fit(const std::string &s, size_t n) { return s.size() > n ? s.substr(0, n - 3) + "..." : s; }

bool is_run_id(const std::string &s) {
  return !s.empty() && s.size() < 19 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// The run database of the read commands, opened on first use.
class LazyStore {
public:
  explicit LazyStore(std::string path) : path_(std::move(path)) {}
  RunStore *get(int *code) {
    if (!store_) {
      auto s = RunStore::open(path_, RunStore::Mode::Existing);
      if (!s) {
        *code = db_error(s.error());
        return nullptr;
      }
      store_.emplace(std::move(*s));
      warn_if_unchecked(*store_);
    }
    return &*store_;
  }

private:
  std::string path_;
  std::optional<RunStore> store_;
};

struct LoadedRun {
  RunReport report;
  std::string label; ///< "run 12" or the file's name
};

/// RUN: a run id, "last" (the newest run), or a report JSON file. Returns
/// kExitOk or the exit code after printing the problem.
int load_run(const std::string &arg, LazyStore &db, LoadedRun &out) {
  if (is_run_id(arg) || arg == "last") {
    int code = kExitOk;
    RunStore *store = db.get(&code);
    if (!store) return code;
    int64_t id = 0;
    if (arg == "last") {
      auto latest = store->latest_id();
      if (!latest) return db_error(latest.error());
      id = *latest;
    } else {
      id = std::stoll(arg);
    }
    auto report = store->load_report(id);
    if (!report) return db_error(report.error());
    out = {std::move(*report), "run " + std::to_string(id)};
    return kExitOk;
  }
  std::error_code ec;
  if (!std::filesystem::exists(arg, ec)) {
    std::fprintf(stderr, "mcusim: error: %s: no such file (a run is a run id, 'last' or a report JSON file)\n", arg.c_str());
    return kExitNoInput;
  }
  if (std::filesystem::is_directory(arg, ec)) {
    std::fprintf(stderr, "mcusim: error: %s: is a directory, not a report JSON file\n", arg.c_str());
    return kExitNoInput;
  }
  std::ifstream in(arg, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) {
    std::fprintf(stderr, "mcusim: error: %s: cannot read\n", arg.c_str());
    return kExitNoInput;
  }
  auto report = parse_report_json(text.str());
  if (!report) {
    std::fprintf(stderr, "mcusim: error: %s: %s\n", arg.c_str(), report.error().message.c_str());
    return kExitBadReport; // as `mcusim gate` and --baseline for a file that is not a report
  }
  out = {std::move(*report), std::filesystem::path(arg).filename().string()};
  return kExitOk;
}

} // namespace

int load_run_arg(const std::string &arg, const std::string &db_path, RunReport &report, std::string &label) {
  LazyStore db(db_path);
  LoadedRun run;
  if (int code = load_run(arg, db, run); code != kExitOk) return code;
  report = std::move(run.report);
  label = std::move(run.label);
  return kExitOk;
}

// ---------------------------------------------------------------------------
// mcusim run --db / --no-db

RunDbOptions &run_db_options() {
  static RunDbOptions options;
  return options;
}

void add_run_db_options(CLI::App &run_cmd, RunDbOptions &o) {
  auto *db = run_cmd.add_option("--db", o.db,
                                std::string("Store the run in this run database (default: ") + kDefaultRunDatabase +
                                    " in the working directory)");
  run_cmd.add_flag("--no-db", o.no_db, "Do not store the run")->excludes(db);
}

// ---------------------------------------------------------------------------
// mcusim runs / report / compare

int cmd_runs(const RunsArgs &a) {
  LazyStore db(a.db);
  int code = kExitOk;
  RunStore *store = db.get(&code);
  if (!store) return code;
  auto runs = store->list_runs(a.limit, a.firmware);
  if (!runs) return db_error(runs.error());
  if (runs->empty()) {
    if (a.firmware.empty()) std::fprintf(stderr, "mcusim: no runs in %s yet\n", a.db.c_str());
    else std::fprintf(stderr, "mcusim: no runs of firmware matching '%s' in %s\n", a.firmware.c_str(), a.db.c_str());
    return kExitOk;
  }
  const char *row = "%5s  %-19s  %-28s  %-14s  %5s  %-18s  %13s  %9s  %10s  %10s\n";
  std::printf(row, "ID", "DATE (UTC)", "FIRMWARE", "DEVICE", "MHZ", "RESULT", "CYCLES", "MS", "FLASH", "RAM");
  for (const auto &r : *runs) {
    std::string date = r.created_at;
    std::replace(date.begin(), date.end(), 'T', ' ');
    if (!date.empty() && date.back() == 'Z') date.pop_back();
    char mhz[32], ms[32];
    std::snprintf(mhz, sizeof mhz, "%g", r.mhz);
    std::snprintf(ms, sizeof ms, "%.3f", r.sim_seconds * 1e3);
    std::printf(row, std::to_string(r.id).c_str(), date.c_str(), fit(r.firmware, 28).c_str(), fit(r.device, 14).c_str(), mhz,
                fit(result_text(r.stop_reason, r.exit_code), 18).c_str(), thousands(r.cycles).c_str(), ms,
                text::size(r.flash_used).c_str(), text::size(r.ram_used).c_str());
  }
  return kExitOk;
}

int cmd_report(const ReportArgs &a) {
  LazyStore db(a.db);
  LoadedRun run;
  if (int code = load_run(a.run, db, run); code != kExitOk) return code;
  std::string text = a.format == "json"       ? render_json(run.report)
                     : a.format == "markdown" ? render_markdown(run.report, a.top)
                                              : render_text(run.report, a.top);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return kExitOk;
}

int cmd_compare(const CompareArgs &a) {
  LazyStore db(a.db);
  LoadedRun run_a, run_b;
  if (int code = load_run(a.run_a, db, run_a); code != kExitOk) return code;
  if (int code = load_run(a.run_b, db, run_b); code != kExitOk) return code;
  if (run_a.label == run_b.label) run_a.label += " (A)", run_b.label += " (B)";
  RunComparison c = compare_runs(run_a.report, run_b.report, run_a.label, run_b.label);
  std::string text = a.format == "json"       ? render_comparison_json(c)
                     : a.format == "markdown" ? render_comparison_markdown(c, a.top)
                                              : render_comparison_text(c, a.top);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return kExitOk;
}

void add_db_commands(CLI::App &app, DbCommands &c) {
  const std::string db_help = std::string("Run database (default: ") + kDefaultRunDatabase + ")";
  const char *run_help = "Run id (see 'mcusim runs'), 'last' for the newest run, or a report JSON file";

  c.runs = app.add_subcommand("runs", "List the runs stored in the run database, newest first");
  c.runs->add_option("--db", c.runs_args.db, db_help);
  c.runs->add_option("--limit,-n", c.runs_args.limit, "Show at most this many runs (0: all)")->capture_default_str();
  c.runs->add_option("--firmware", c.runs_args.firmware, "Only runs whose firmware file name contains this (case-insensitive)");

  c.report = app.add_subcommand("report", "Print the report of a stored run (or of a report JSON file) again");
  c.report->add_option("run", c.report_args.run, run_help)->required();
  c.report->add_option("--db", c.report_args.db, db_help);
  c.report->add_option("--format,-f", c.report_args.format, "text (default), json or markdown")
      ->check(CLI::IsMember({"text", "json", "markdown"}));
  c.report->add_option("--top", c.report_args.top, "Functions shown (text, markdown)")->capture_default_str();

  c.compare = app.add_subcommand("compare", "Compare two runs: totals, per-function self cycles and memory, with deltas");
  c.compare->add_option("run_a", c.compare_args.run_a, run_help)->required();
  c.compare->add_option("run_b", c.compare_args.run_b, run_help)->required();
  c.compare->add_option("--db", c.compare_args.db, db_help);
  c.compare->add_option("--format,-f", c.compare_args.format, "text (default), json or markdown")
      ->check(CLI::IsMember({"text", "json", "markdown"}));
  c.compare->add_option("--top", c.compare_args.top, "Functions shown (text, markdown)")->capture_default_str();
}

std::optional<int> run_db_command(const DbCommands &c) {
  if (c.runs && c.runs->parsed()) return cmd_runs(c.runs_args);
  if (c.report && c.report->parsed()) return cmd_report(c.report_args);
  if (c.compare && c.compare->parsed()) return cmd_compare(c.compare_args);
  return std::nullopt;
}

} // namespace mcusim::cli
