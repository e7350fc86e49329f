/// \file
/// The run database: every stored `mcusim run` as rows of a SQLite database
/// (schema in profiler/schema.sql, described in docs/database.md).
///
/// A RunStore is one connection; use it from one thread at a time. Several
/// connections (threads or processes) may write the same file at once: the
/// database is in WAL mode with a busy timeout, and a write that still finds
/// the database locked is retried.
#pragma once

#include "profiler/run_report.h"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <vector>

namespace mcusim {

/// Why the run database could not be used. Every message is one line that
/// names the file.
struct StoreError {
  enum class Kind {
    NoSuchFile,   ///< opening an existing database that is not there
    CannotOpen,   ///< cannot be opened or created (missing directory, permissions, a directory)
    NotADatabase, ///< not a SQLite file, or a SQLite database of another program
    NewerSchema,  ///< written by a newer mcusim (PRAGMA user_version above ours)
    ReadOnly,     ///< has to be written (a run, a migration) but is read-only
    Busy,         ///< still locked by another connection after the timeout and the retries
    Corrupt,      ///< damaged: PRAGMA quick_check at open, SQLite on a read, or a stored report that does not parse
    NotFound,     ///< no run with that id
    Failed,       ///< any other SQLite error
  };
  Kind kind = Kind::Failed;
  std::string message;
  int sqlite_code = 0; ///< SQLite's extended result code, read when the error happened (0: not from SQLite)
};

template <typename T>
using StoreResult = tl::expected<T, StoreError>;

/// One row of the runs table (everything but the report JSON).
struct StoredRun {
  int64_t id = 0;
  std::string created_at; ///< UTC, ISO-8601 ("2024-05-01T12:34:56Z")
  std::string firmware, firmware_path, device, core, timing, stop_reason;
  double mhz = 0, sim_seconds = 0;
  int exit_code = 0;
  uint64_t cycles = 0, instructions = 0;
  uint64_t flash_used = 0, ram_used = 0, stack_used = 0; ///< bytes
};

class RunStore {
public:
  /// Create: open or create the file (for writing runs). Existing: the file
  /// must exist (for the commands that read runs); a database of an older
  /// schema is still upgraded if it is writable.
  enum class Mode { Create, Existing };
  static constexpr int kBusyTimeoutMs = 5000;
  /// How long the integrity check at open may take (docs/database.md).
  static constexpr std::chrono::milliseconds kCheckBudget{2000};

  /// What open() found when it checked the file (PRAGMA quick_check).
  struct Integrity {
    enum class Result {
      NotNeeded, ///< a new or empty file, or ":memory:": nothing to check
      Passed,    ///< quick_check said "ok"
      TooSlow,   ///< quick_check did not finish within the budget: used unchecked
    };
    Result result = Result::NotNeeded;
    double seconds = 0; ///< how long the check ran
  };

  /// The schema version this mcusim writes: the last migration in schema.sql.
  static int schema_version();

  /// Opens `path` (":memory:" for a private in-memory database), refusing a
  /// file that is not an mcusim run database, is from a newer schema or is
  /// damaged (PRAGMA quick_check, at most `check_budget`) without writing to
  /// it, and applies the pending migrations in one transaction.
  static StoreResult<RunStore> open(const std::filesystem::path &path, Mode mode = Mode::Create,
                                    std::chrono::milliseconds check_budget = kCheckBudget);

  RunStore(RunStore &&) noexcept;
  RunStore &operator=(RunStore &&) noexcept;
  ~RunStore();

  /// Stores a run (its row, functions, layers and memory regions, its energy
  /// with its power states and power timeline, and the report's JSON) in one
  /// transaction; returns its id. created_at defaults to now.
  StoreResult<int64_t> add_run(const RunReport &report, const std::string &firmware_path, const std::string &created_at = {});

  /// Runs, newest first: at most `limit` (0: all), whose firmware file name
  /// contains `firmware_substr` (case-insensitive; empty: any).
  StoreResult<std::vector<StoredRun>> list_runs(size_t limit = 0, const std::string &firmware_substr = {});
  StoreResult<StoredRun> run(int64_t id);
  /// The run's full report, parsed back from its stored JSON, with its energy
  /// read from the energy columns and tables (docs/database.md).
  StoreResult<RunReport> load_report(int64_t id);
  /// The newest run's id (NotFound if there is none).
  StoreResult<int64_t> latest_id();
  StoreResult<int64_t> count_runs();

  const std::string &path() const;
  /// The schema version of the open database (after the migrations).
  int user_version() const;
  /// The integrity check made when the database was opened.
  const Integrity &integrity() const;

  struct Impl; ///< the connection and its prepared statements (store.cpp)

private:
  explicit RunStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// The current UTC time as ISO-8601 ("2024-05-01T12:34:56Z").
std::string utc_timestamp();

namespace store_detail {
/// PRAGMA application_id of an mcusim run database ('mcsm'), set by migration 1.
inline constexpr int32_t kApplicationId = 0x6D63736D;
struct Migration {
  int version = 0;
  std::string description; ///< the text after "-- migration N:"
  std::string sql;
};
/// The migrations of a schema text in schema.sql's format, checked to be
/// numbered 1, 2, ... in order. An error is one line.
tl::expected<std::vector<Migration>, std::string> parse_migrations(std::string_view schema_sql);
/// profiler/schema.sql as embedded at build time.
std::string_view embedded_schema();
/// Opens (creating) `path` and applies the migrations of `schema_sql` it does
/// not have yet, exactly as RunStore::open does; returns the resulting
/// PRAGMA user_version. For tests of the migration machinery.
StoreResult<int> migrate_file(const std::filesystem::path &path, std::string_view schema_sql);
/// For a fuzzer: opens the file at `path` as an existing run database (with
/// the integrity check), then lists its runs and reads back the reports of
/// the newest few. Returns how many runs it read, or the one-line error. Any
/// bytes may be in the file: this never crashes, throws or hangs.
StoreResult<size_t> open_for_fuzzing(const std::filesystem::path &path);
} // namespace store_detail

} // namespace mcusim
