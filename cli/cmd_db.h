/// \file
/// The run database on the command line: `mcusim run --db/--no-db` (store the
/// run), `mcusim runs`, `mcusim report RUN`, `mcusim compare RUN_A RUN_B`.
/// See docs/database.md.
#pragma once

#include "profiler/store.h"

#include <cstddef>
#include <optional>
#include <string>

namespace CLI {
class App;
}

namespace mcusim::cli {

/// Where runs go when no --db is given (the current directory).
inline constexpr const char *kDefaultRunDatabase = "mcusim-runs.db";

/// --db and --no-db of `mcusim run`.
struct RunDbOptions {
  std::string db; ///< "" = the default database, and only when a report is requested
  bool no_db = false;
};

/// The `run` command's database options, filled in by the command line.
RunDbOptions &run_db_options();
/// Adds --db and --no-db to `run_cmd`.
void add_run_db_options(CLI::App &run_cmd, RunDbOptions &o);

// Storing a run: session/recorder.h.

struct RunsArgs {
  std::string db = kDefaultRunDatabase;
  size_t limit = 20; ///< 0: all
  std::string firmware;
};
struct ReportArgs {
  std::string run; ///< run id, "last", or a report JSON file
  std::string db = kDefaultRunDatabase;
  std::string format = "text";
  size_t top = 15;
};
struct CompareArgs {
  std::string run_a, run_b;
  std::string db = kDefaultRunDatabase;
  std::string format = "text";
  size_t top = 15;
};
int cmd_runs(const RunsArgs &args);
int cmd_report(const ReportArgs &args);
int cmd_compare(const CompareArgs &args);

/// The `runs`, `report` and `compare` subcommands and their arguments.
struct DbCommands {
  CLI::App *runs = nullptr, *report = nullptr, *compare = nullptr;
  RunsArgs runs_args;
  ReportArgs report_args;
  CompareArgs compare_args;
};
/// Registers `runs`, `report` and `compare` on `app`.
void add_db_commands(CLI::App &app, DbCommands &cmds);
/// After parsing: the exit code of the database subcommand given, if one was.
std::optional<int> run_db_command(const DbCommands &cmds);

/// A RUN argument as `report` reads it (a run id, "last" or a report JSON
/// file) into `report`, named in `label` ("run 12" or the file's name).
/// Returns kExitOk, or prints the problem and returns its exit code (66, 76, 78).
int load_run_arg(const std::string &run, const std::string &db, RunReport &report, std::string &label);

} // namespace mcusim::cli
