/// \file
/// The run database over SQLite: opening with schema checks and migrations,
/// writing a run in one transaction, reading runs back.
#include "profiler/store.h"
#include "profiler/schema_sql.h" // generated from profiler/schema.sql by CMake

#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <ctime>
#include <limits>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <unistd.h>

namespace mcusim {

namespace {

using Kind = StoreError::Kind;

/// Attempts at a transaction or a read that finds the database locked. Each
/// attempt already waits up to kBusyTimeoutMs in SQLite's busy handler; the
/// retries cover the cases where SQLite returns SQLITE_BUSY without waiting.
constexpr int kAttempts = 8;

tl::unexpected<StoreError> fail(Kind kind, std::string message) { return tl::unexpected(StoreError{kind, std::move(message)}); }

bool is_busy(int rc) { return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED; }

void backoff(int attempt) {
  static thread_local std::minstd_rand rng{std::random_device{}()};
  int ms = 5 * (1 << std::min(attempt, 5)) + int(rng() % 25);
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

/// One line describing SQLite result `rc` on the database at `path`. Call it
/// right after the failing call: it reads the connection's error message,
/// which a later statement (a ROLLBACK) replaces.
StoreError sql_error(const std::string &path, sqlite3 *db, int rc, const std::string &doing = {});

StoreError describe_sql_error(const std::string &path, sqlite3 *db, int rc, const std::string &doing) {
  std::string what = doing.empty() ? "" : " while " + doing;
  switch (rc & 0xff) {
  case SQLITE_NOTADB: return {Kind::NotADatabase, path + ": not a SQLite database; left untouched"};
  case SQLITE_CORRUPT: return {Kind::Corrupt, path + ": the run database is corrupt (" + sqlite3_errstr(rc) + ")" + what};
  case SQLITE_BUSY:
  case SQLITE_LOCKED:
    return {Kind::Busy, path + ": the run database is locked by another process (gave up after " +
                            std::to_string(kAttempts) + " tries)" + what};
  case SQLITE_READONLY: return {Kind::ReadOnly, path + ": the run database is read-only" + what};
  case SQLITE_CANTOPEN:
  case SQLITE_PERM:
  case SQLITE_AUTH: {
    int e = db ? sqlite3_system_errno(db) : 0;
    return {Kind::CannotOpen, path + ": cannot open the run database (" + (e ? std::strerror(e) : sqlite3_errstr(rc)) + ")"};
  }
  case SQLITE_FULL: return {Kind::Failed, path + ": cannot write the run database: disk full" + what};
  case SQLITE_IOERR: {
    int e = db ? sqlite3_system_errno(db) : 0;
    return {Kind::Failed, path + ": I/O error on the run database (" + (e ? std::strerror(e) : sqlite3_errstr(rc)) + ")" + what};
  }
  default: {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    return {Kind::Failed, path + ": run database error: " + msg + what};
  }
  }
}

StoreError sql_error(const std::string &path, sqlite3 *db, int rc, const std::string &doing) {
  StoreError e = describe_sql_error(path, db, rc, doing);
  e.sqlite_code = rc;
  return e;
}

/// sqlite3_step, retried while the database is locked (for statements that
/// return at most one row, so a retry repeats nothing).
int step_retry(sqlite3_stmt *s) {
  int rc = SQLITE_OK;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    rc = sqlite3_step(s);
    if (!is_busy(rc)) break;
    sqlite3_reset(s);
    backoff(attempt);
  }
  return rc;
}

int prepare_retry(sqlite3 *db, const char *sql, sqlite3_stmt **out) {
  int rc = SQLITE_OK;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    rc = sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, out, nullptr);
    if (!is_busy(rc)) break;
    backoff(attempt);
  }
  return rc;
}

int exec_retry(sqlite3 *db, const char *sql) {
  int rc = SQLITE_OK;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
    if (!is_busy(rc)) break;
    backoff(attempt);
  }
  return rc;
}

/// A statement finalized at scope exit.
struct Stmt {
  sqlite3_stmt *s = nullptr;
  Stmt() = default;
  Stmt(const Stmt &) = delete;
  Stmt &operator=(const Stmt &) = delete;
  ~Stmt() { sqlite3_finalize(s); }
};

/// What the file holds, read in one statement so that it is one consistent
/// snapshot even while another connection creates the schema.
struct Header {
  int64_t application_id = 0, user_version = 0, objects = 0;
  bool fresh() const { return application_id == 0 && user_version == 0 && objects == 0; }
};
tl::expected<Header, int> read_header(sqlite3 *db) {
  Stmt st;
  int rc = prepare_retry(db,
                         "SELECT (SELECT application_id FROM pragma_application_id), (SELECT user_version FROM pragma_user_version), "
                         "(SELECT count(*) FROM sqlite_master)",
                         &st.s);
  if (rc != SQLITE_OK) return tl::unexpected(rc);
  rc = step_retry(st.s);
  if (rc != SQLITE_ROW) return tl::unexpected(rc == SQLITE_DONE ? SQLITE_ERROR : rc);
  return Header{sqlite3_column_int64(st.s, 0), sqlite3_column_int64(st.s, 1), sqlite3_column_int64(st.s, 2)};
}

std::string column_text(sqlite3_stmt *s, int col) {
  const unsigned char *t = sqlite3_column_text(s, col);
  return t ? std::string(reinterpret_cast<const char *>(t), size_t(sqlite3_column_bytes(s, col))) : std::string();
}

int bind_text(sqlite3_stmt *s, int i, const std::string &v) {
  return sqlite3_bind_text(s, i, v.data(), int(v.size()), SQLITE_TRANSIENT);
}
int bind_u64(sqlite3_stmt *s, int i, uint64_t v) { return sqlite3_bind_int64(s, i, int64_t(v)); }
/// A REAL that may be NaN: SQLite stores NaN as NULL, and column_real reads NULL back as NaN.
int bind_real(sqlite3_stmt *s, int i, double v) { return std::isnan(v) ? sqlite3_bind_null(s, i) : sqlite3_bind_double(s, i, v); }
double column_real(sqlite3_stmt *s, int col) {
  return sqlite3_column_type(s, col) == SQLITE_NULL ? std::numeric_limits<double>::quiet_NaN() : sqlite3_column_double(s, col);
}
int bind_optional(sqlite3_stmt *s, int i, const std::optional<double> &v) { return v ? bind_real(s, i, *v) : sqlite3_bind_null(s, i); }

} // namespace

// ---------------------------------------------------------------------------

std::string utc_timestamp() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

namespace store_detail {

std::string_view embedded_schema() { return kSchemaSql; }

tl::expected<std::vector<Migration>, std::string> parse_migrations(std::string_view text) {
  static constexpr std::string_view kMarker = "-- migration ";
  std::vector<Migration> out;
  size_t pos = 0, line_no = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (line.substr(0, kMarker.size()) == kMarker) {
      std::string_view rest = line.substr(kMarker.size());
      size_t digits = 0;
      while (digits < rest.size() && std::isdigit(static_cast<unsigned char>(rest[digits]))) ++digits;
      if (!digits || digits > 6 || digits >= rest.size() || rest[digits] != ':')
        return tl::unexpected("line " + std::to_string(line_no) + ": expected '-- migration N: description'");
      int version = std::stoi(std::string(rest.substr(0, digits)));
      int expected = out.empty() ? 1 : out.back().version + 1;
      if (version != expected)
        return tl::unexpected("line " + std::to_string(line_no) + ": migration " + std::to_string(version) + " where " +
                              std::to_string(expected) + " was expected (migrations count up from 1, append-only)");
      std::string_view desc = rest.substr(digits + 1);
      while (!desc.empty() && desc.front() == ' ') desc.remove_prefix(1);
      out.push_back({version, std::string(desc), {}});
      continue;
    }
    if (out.empty()) {
      std::string_view t = line;
      while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front()))) t.remove_prefix(1);
      if (!t.empty() && t.substr(0, 2) != "--")
        return tl::unexpected("line " + std::to_string(line_no) + ": SQL before the first '-- migration 1:' line");
      continue;
    }
    out.back().sql.append(line).push_back('\n');
  }
  if (out.empty()) return tl::unexpected(std::string("no '-- migration N:' sections"));
  return out;
}

} // namespace store_detail

// ---------------------------------------------------------------------------

struct RunStore::Impl {
  std::string path;
  sqlite3 *db = nullptr;
  int version = 0;
  bool readonly = false;
  RunStore::Integrity integrity;
  sqlite3_stmt *begin = nullptr, *commit = nullptr, *rollback = nullptr;
  sqlite3_stmt *insert_run = nullptr, *insert_function = nullptr, *insert_memory = nullptr, *insert_layer = nullptr;
  sqlite3_stmt *insert_energy = nullptr, *insert_power_state = nullptr, *insert_power_point = nullptr;
  sqlite3_stmt *select_runs = nullptr, *select_run = nullptr, *select_report = nullptr, *select_latest = nullptr,
               *select_count = nullptr;
  sqlite3_stmt *select_energy = nullptr, *select_power_states = nullptr, *select_power_timeline = nullptr,
               *select_function_uj = nullptr, *select_layer_uj = nullptr;

  ~Impl() {
    for (sqlite3_stmt *s : {begin, commit, rollback, insert_run, insert_function, insert_memory, insert_layer, insert_energy,
                            insert_power_state, insert_power_point, select_runs, select_run, select_report, select_latest, select_count,
                            select_energy, select_power_states, select_power_timeline, select_function_uj, select_layer_uj})
      sqlite3_finalize(s);
    if (db) sqlite3_close_v2(db);
  }

  StoreError error(int rc, const std::string &doing = {}) const { return sql_error(path, db, rc, doing); }

  /// Ends a failed write transaction, if one is open.
  void abort_transaction() {
    if (!sqlite3_get_autocommit(db)) {
      sqlite3_step(rollback);
      sqlite3_reset(rollback);
    }
  }

  /// Steps a write statement inside the transaction; SQLITE_DONE on success.
  static int run_once(sqlite3_stmt *s) {
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return rc;
  }

  /// Collects the rows of a read query; starts over if the database is locked.
  template <typename Row>
  StoreResult<std::vector<Row>> rows(sqlite3_stmt *s, Row (*read)(sqlite3_stmt *)) {
    std::vector<Row> out;
    int rc = SQLITE_OK;
    for (int attempt = 0; attempt < kAttempts; ++attempt) {
      out.clear();
      while ((rc = sqlite3_step(s)) == SQLITE_ROW) out.push_back(read(s));
      sqlite3_reset(s);
      if (!is_busy(rc)) break;
      backoff(attempt);
    }
    sqlite3_clear_bindings(s);
    if (rc != SQLITE_DONE) return tl::unexpected(error(rc, "reading runs"));
    return out;
  }

  /// Writes a run's energy rows (the energy table, its power states and its
  /// bounded timeline) inside add_run's transaction; SQLITE_DONE on success.
  int store_energy(int64_t id, const power::RunEnergy &e);
  /// Sets `report`'s energy, µJ per inference and the per-function and
  /// per-layer µJ from the run's rows, over what the report JSON gave, and its
  /// energy note when the JSON had none (nothing when the run has no energy,
  /// or was stored before migration 3). Fields of RunEnergy that the rows do
  /// not hold keep the JSON's values.
  StoreResult<void> read_energy(int64_t id, RunReport &report);
};

namespace {

/// The power timeline keeps at most this many points per run (the core's
/// bound on its segments, so a run's timeline is stored whole).
constexpr size_t kMaxPowerPoints = PowerCounters::kMaxSegments;

/// `points` merged pairwise, oldest first, until at most kMaxPowerPoints are
/// left: each merged point spans both, with their time-weighted average power
/// and the state of the longer one.
std::vector<power::PowerPoint> bounded_timeline(std::vector<power::PowerPoint> points, bool &merged) {
  while (points.size() > kMaxPowerPoints) {
    merged = true;
    std::vector<power::PowerPoint> out;
    out.reserve(points.size() / 2 + 1);
    for (size_t i = 0; i < points.size(); i += 2) {
      if (i + 1 == points.size()) {
        out.push_back(points[i]);
        break;
      }
      const auto &a = points[i], &b = points[i + 1];
      const double ta = a.end_s - a.start_s, tb = b.end_s - b.start_s;
      power::PowerPoint m{a.start_s, b.end_s, ta + tb > 0 ? (a.mw * ta + b.mw * tb) / (ta + tb) : (a.mw + b.mw) / 2,
                          tb > ta ? b.state : a.state};
      out.push_back(m);
    }
    points = std::move(out);
  }
  return points;
}

std::optional<CoreState> core_state_from_name(const std::string &name) {
  for (CoreState s : {CoreState::Run, CoreState::Sleep, CoreState::DeepSleep, CoreState::Wakeup})
    if (name == core_state_name(s)) return s;
  return std::nullopt;
}

/// Binds the run's energy columns of the runs row, from parameter `first` on
/// (energy_uj ... energy_note, ten of them): NULL without energy.
void bind_energy_totals(sqlite3_stmt *q, int first, const RunReport &r) {
  if (!r.energy) {
    for (int i = 0; i < 9; ++i) sqlite3_bind_null(q, first + i);
    if (r.energy_note.empty()) sqlite3_bind_null(q, first + 9);
    else bind_text(q, first + 9, r.energy_note);
    return;
  }
  const power::RunEnergy &e = *r.energy;
  bind_real(q, first, e.energy_uj);
  bind_real(q, first + 1, e.average_mw);
  bind_real(q, first + 2, e.peak_mw);
  bind_optional(q, first + 3, r.uj_per_inference);
  bind_text(q, first + 4, e.model.device);
  bind_text(q, first + 5, e.model.mode);
  bind_real(q, first + 6, e.model.mhz);
  bind_real(q, first + 7, e.model.voltage_v);
  bind_real(q, first + 8, e.model.temperature_c);
  if (r.energy_note.empty()) sqlite3_bind_null(q, first + 9);
  else bind_text(q, first + 9, r.energy_note);
}

/// One run's energy columns and its energy row. A run has energy when
/// power_device is not NULL.
constexpr const char *kSelectEnergy =
    "SELECT r.power_device, r.energy_note, r.energy_uj, r.average_mw, r.peak_mw, r.uj_per_inference, r.power_mode, r.power_mhz, "
    "r.power_voltage_v, r.power_temperature_c, "
    "e.run_id, e.deep_sleep, e.run_flash_ua, e.run_sram_ua, e.sleep_ua, e.deep_sleep_ua, e.wakeup_ua, e.sleep_wakeup_us, "
    "e.deep_wakeup_us, e.mac_pj, e.fpu_pj, e.flash_load_pj, e.sram_access_pj, e.sources, e.seconds, e.average_ma, e.peak_ma, "
    "e.sleep_entries, e.deep_sleep_entries, e.wakeup_uj, e.class_uj, e.timeline_merged "
    "FROM runs r LEFT JOIN energy e ON e.run_id = r.id WHERE r.id = ?1";

/// What kSelectEnergy reads.
struct EnergyRow {
  bool has_energy = false, has_details = false;
  std::optional<std::string> note;
  std::optional<double> uj_per_inference;
  power::RunEnergy energy;
};
EnergyRow read_energy_row(sqlite3_stmt *q) {
  EnergyRow row;
  if (sqlite3_column_type(q, 1) != SQLITE_NULL) row.note = column_text(q, 1);
  row.has_energy = sqlite3_column_type(q, 0) != SQLITE_NULL;
  if (!row.has_energy) return row;
  power::RunEnergy &e = row.energy;
  power::EnergyModel &m = e.model;
  m.device = column_text(q, 0);
  e.energy_uj = column_real(q, 2);
  e.average_mw = column_real(q, 3);
  e.peak_mw = column_real(q, 4);
  if (sqlite3_column_type(q, 5) != SQLITE_NULL) row.uj_per_inference = sqlite3_column_double(q, 5);
  m.mode = column_text(q, 6);
  m.mhz = column_real(q, 7);
  m.voltage_v = column_real(q, 8);
  m.temperature_c = column_real(q, 9);
  row.has_details = sqlite3_column_type(q, 10) != SQLITE_NULL;
  if (!row.has_details) return row;
  m.deep_sleep_name = column_text(q, 11);
  m.run_ua[size_t(CodeLocation::Flash)] = column_real(q, 12);
  m.run_ua[size_t(CodeLocation::Ram)] = column_real(q, 13);
  m.sleep_ua = column_real(q, 14);
  m.deep_sleep_ua = column_real(q, 15);
  m.wakeup_ua = column_real(q, 16);
  m.sleep_wakeup_us = column_real(q, 17);
  m.deep_wakeup_us = column_real(q, 18);
  m.weights.mac_pj = column_real(q, 19);
  m.weights.fpu_pj = column_real(q, 20);
  m.weights.flash_load_pj = column_real(q, 21);
  m.weights.sram_access_pj = column_real(q, 22);
  const std::string sources = column_text(q, 23);
  for (size_t at = 0; at < sources.size();) {
    size_t end = sources.find('\n', at);
    if (end == std::string::npos) end = sources.size();
    m.sources.push_back(sources.substr(at, end - at));
    at = end + 1;
  }
  e.seconds = column_real(q, 24);
  e.average_ma = column_real(q, 25);
  e.peak_ma = column_real(q, 26);
  e.sleep_entries = uint64_t(sqlite3_column_int64(q, 27));
  e.deep_sleep_entries = uint64_t(sqlite3_column_int64(q, 28));
  e.wakeup_uj = column_real(q, 29);
  e.class_uj = column_real(q, 30);
  e.timeline_merged = sqlite3_column_int(q, 31) != 0;
  return row;
}

/// The fields of `from` that the database holds (all of RunEnergy's at
/// schema version 3 but the states and the timeline), copied to `to`.
void assign_stored(power::RunEnergy &to, const power::RunEnergy &from) {
  power::EnergyModel &m = to.model;
  const power::EnergyModel &f = from.model;
  m.device = f.device;
  m.mode = f.mode;
  m.deep_sleep_name = f.deep_sleep_name;
  m.mhz = f.mhz;
  m.voltage_v = f.voltage_v;
  m.temperature_c = f.temperature_c;
  std::copy(std::begin(f.run_ua), std::end(f.run_ua), std::begin(m.run_ua));
  m.sleep_ua = f.sleep_ua;
  m.deep_sleep_ua = f.deep_sleep_ua;
  m.wakeup_ua = f.wakeup_ua;
  m.sleep_wakeup_us = f.sleep_wakeup_us;
  m.deep_wakeup_us = f.deep_wakeup_us;
  m.weights = f.weights;
  m.sources = f.sources;
  to.seconds = from.seconds;
  to.energy_uj = from.energy_uj;
  to.average_mw = from.average_mw;
  to.peak_mw = from.peak_mw;
  to.peak_ma = from.peak_ma;
  to.average_ma = from.average_ma;
  to.sleep_entries = from.sleep_entries;
  to.deep_sleep_entries = from.deep_sleep_entries;
  to.wakeup_uj = from.wakeup_uj;
  to.class_uj = from.class_uj;
  to.timeline_merged = from.timeline_merged;
}

constexpr const char *kRunColumns = "id, created_at, firmware, firmware_path, device, core, mhz, timing, stop_reason, exit_code, "
                                    "cycles, instructions, sim_seconds, flash_used, ram_used, stack_used";

StoredRun read_run_row(sqlite3_stmt *s) {
  StoredRun r;
  r.id = sqlite3_column_int64(s, 0);
  r.created_at = column_text(s, 1);
  r.firmware = column_text(s, 2);
  r.firmware_path = column_text(s, 3);
  r.device = column_text(s, 4);
  r.core = column_text(s, 5);
  r.mhz = sqlite3_column_double(s, 6);
  r.timing = column_text(s, 7);
  r.stop_reason = column_text(s, 8);
  r.exit_code = sqlite3_column_int(s, 9);
  r.cycles = uint64_t(sqlite3_column_int64(s, 10));
  r.instructions = uint64_t(sqlite3_column_int64(s, 11));
  r.sim_seconds = sqlite3_column_double(s, 12);
  r.flash_used = uint64_t(sqlite3_column_int64(s, 13));
  r.ram_used = uint64_t(sqlite3_column_int64(s, 14));
  r.stack_used = uint64_t(sqlite3_column_int64(s, 15));
  return r;
}

/// Why a file with this header is refused, if it is: another program's
/// database, or a newer schema than `latest`.
std::optional<StoreError> refuse_header(const std::string &path, const Header &h, int latest) {
  if (!h.fresh() && h.application_id != store_detail::kApplicationId)
    return StoreError{Kind::NotADatabase, path + ": a SQLite database of another program, not an mcusim run database; left untouched"};
  if (h.user_version > latest)
    return StoreError{Kind::NewerSchema, path + ": run database schema version " + std::to_string(h.user_version) +
                                             " is newer than this mcusim's (" + std::to_string(latest) +
                                             "); use a newer mcusim or another database; left untouched"};
  return std::nullopt;
}

/// quick_check's findings as one line: its rows are joined, without the
/// "*** in database main ***" heading, and cut to a readable length.
std::string one_line(std::string text) {
  static constexpr std::string_view kHeading = "*** in database main ***";
  if (auto at = text.find(kHeading); at != std::string::npos) text.erase(at, kHeading.size());
  std::string out;
  for (char c : text) {
    if (c == '\n' || c == '\r') c = ';';
    if (c == ';' && (out.empty() || out.back() == ';')) continue;
    out.push_back(c);
  }
  while (!out.empty() && (out.back() == ';' || out.back() == ' ')) out.pop_back();
  if (out.size() > 160) out = out.substr(0, 157) + "...";
  return out;
}

/// A connection closed at scope exit (after the statements declared later).
struct Connection {
  sqlite3 *db = nullptr;
  Connection() = default;
  Connection(const Connection &) = delete;
  Connection &operator=(const Connection &) = delete;
  ~Connection() { sqlite3_close_v2(db); }
};

/// Checks an existing, non-empty database file before anything is written to
/// it: its header (another program's database, a newer schema) and
/// PRAGMA quick_check, which an interrupt from a watchdog thread stops after
/// `budget`. Nothing is written to the file, and no file is left behind:
///  - with a non-empty WAL or rollback journal next to it (committed data not
///    yet in the file, say after a crash) or when the file is not writable,
///    the check reads through a read-only connection, which never writes a
///    journal back;
///  - otherwise through a read-write connection that only reads: the last
///    connection to close removes the -wal and -shm files, where read-only
///    connections would leave them behind (also when several processes check
///    the file at once).
StoreResult<RunStore::Integrity> check_file(const std::string &path, int latest, std::chrono::milliseconds budget) {
  using Clock = std::chrono::steady_clock;
  std::error_code ec;
  auto holds_data = [&](const std::string &side) {
    auto size = std::filesystem::file_size(side, ec);
    return !ec && size > 0;
  };
  // An empty -wal is another connection's: nothing in it to copy back.
  const bool side_files = holds_data(path + "-wal") || holds_data(path + "-journal");
  const bool writable = ::access(path.c_str(), W_OK) == 0;
  Connection c;
  int rc = sqlite3_open_v2(path.c_str(), &c.db, side_files || !writable ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE, nullptr);
  if (rc != SQLITE_OK) {
    StoreError e = sql_error(path, c.db, rc);
    if (e.kind != Kind::CannotOpen)
      e = {Kind::CannotOpen, path + ": cannot open the run database (" + sqlite3_errstr(rc) + ")", rc};
    return tl::unexpected(e);
  }
  sqlite3_extended_result_codes(c.db, 1);
  sqlite3_busy_timeout(c.db, RunStore::kBusyTimeoutMs);
  auto header = read_header(c.db);
  if (!header) return tl::unexpected(sql_error(path, c.db, header.error()));
  if (auto e = refuse_header(path, *header, latest)) return tl::unexpected(*e);

  // The watchdog interrupts the check when the budget runs out. (SQLite 3.40's
  // quick_check polls sqlite3_interrupt() but not the progress handler.)
  std::mutex m;
  std::condition_variable cv;
  bool done = false, fired = false;
  std::thread watchdog([&] {
    std::unique_lock lock(m);
    if (!cv.wait_for(lock, budget, [&] { return done; })) {
      fired = true;
      sqlite3_interrupt(c.db);
    }
  });
  const auto start = Clock::now();
  std::string verdict;
  StoreError error;
  {
    Stmt st;
    rc = prepare_retry(c.db, "PRAGMA quick_check(1)", &st.s);
    if (rc == SQLITE_OK) rc = step_retry(st.s);
    if (rc == SQLITE_ROW) verdict = column_text(st.s, 0);
    else error = sql_error(path, c.db, rc, "checking it");
  }
  {
    std::lock_guard lock(m);
    done = true;
  }
  cv.notify_all();
  watchdog.join();
  RunStore::Integrity result;
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (rc == SQLITE_ROW && verdict != "ok")
    return fail(Kind::Corrupt, path + ": the run database is damaged (quick_check: " + one_line(verdict) + "); left untouched");
  // Interrupted, the check may stop early and still say "ok": it was not finished.
  if (fired || (rc & 0xff) == SQLITE_INTERRUPT) {
    result.result = RunStore::Integrity::Result::TooSlow;
    return result;
  }
  if (rc != SQLITE_ROW) {
    if (error.kind == Kind::Corrupt) error.message += "; left untouched";
    return tl::unexpected(error);
  }
  result.result = RunStore::Integrity::Result::Passed;
  return result;
}

/// Opens the connection, checks that the file is an mcusim run database this
/// mcusim understands (reading only), and applies the pending migrations of
/// `schema_sql` in one transaction.
StoreResult<std::unique_ptr<RunStore::Impl>> connect(const std::filesystem::path &file, RunStore::Mode mode,
                                                     std::string_view schema_sql, std::chrono::milliseconds check_budget) {
  auto impl = std::make_unique<RunStore::Impl>();
  impl->path = file.string();
  const std::string &path = impl->path;
  const bool memory = path == ":memory:";

  auto migrations = store_detail::parse_migrations(schema_sql);
  if (!migrations) return fail(Kind::Failed, "the run database schema is malformed: " + migrations.error());
  const int latest = migrations->back().version;

  if (!memory) {
    std::error_code ec;
    auto st = std::filesystem::status(file, ec);
    if (std::filesystem::is_directory(st)) return fail(Kind::CannotOpen, path + ": is a directory, not a run database");
    if (mode == RunStore::Mode::Existing && !std::filesystem::exists(st))
      return fail(Kind::NoSuchFile, path + ": no such run database");
    // An existing file is checked (header, quick_check) before it is opened
    // for writing; a new or empty one has nothing to check. While other
    // processes open and close it, its -wal and -shm files come and go; a
    // check that trips over that (cannot open, read-only WAL index, I/O) is
    // made again, and a refusal is only ever for what the file holds.
    if (std::filesystem::is_regular_file(st) && std::filesystem::file_size(file, ec) > 0 && !ec) {
      for (int attempt = 0;; ++attempt) {
        auto checked = check_file(path, latest, check_budget);
        if (checked) {
          impl->integrity = *checked;
          break;
        }
        const int primary = checked.error().sqlite_code & 0xff;
        const bool transient = primary == SQLITE_CANTOPEN || primary == SQLITE_READONLY || primary == SQLITE_IOERR;
        if (!transient || attempt + 1 >= 3) return tl::unexpected(checked.error());
        backoff(attempt);
      }
    }
  }

  int flags = SQLITE_OPEN_READWRITE | (mode == RunStore::Mode::Create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &impl->db, flags, nullptr);
  if (rc != SQLITE_OK) {
    StoreError e = sql_error(path, impl->db, rc);
    if (e.kind != Kind::CannotOpen) e = {Kind::CannotOpen, path + ": cannot open the run database (" + sqlite3_errstr(rc) + ")"};
    return tl::unexpected(e);
  }
  sqlite3_extended_result_codes(impl->db, 1);
  sqlite3_busy_timeout(impl->db, RunStore::kBusyTimeoutMs);
  sqlite3 *db = impl->db;

  // Read-only checks first: nothing is written to a file we refuse.
  auto header = read_header(db);
  if (!header) return tl::unexpected(impl->error(header.error()));
  auto refuse = [&](const Header &h) { return refuse_header(path, h, latest); };
  if (auto e = refuse(*header)) return tl::unexpected(*e);
  impl->readonly = sqlite3_db_readonly(db, "main") == 1;
  if (impl->readonly && mode == RunStore::Mode::Create) return fail(Kind::ReadOnly, path + ": the run database is read-only");

  if (!impl->readonly) {
    // WAL: readers never block the writer; concurrent writers queue on the
    // write lock (busy timeout + retries). NORMAL sync is safe in WAL mode.
    if (!memory && (rc = exec_retry(db, "PRAGMA journal_mode=WAL")) != SQLITE_OK)
      return tl::unexpected(impl->error(rc, "switching to WAL mode"));
    exec_retry(db, "PRAGMA synchronous=NORMAL");
  }
  exec_retry(db, "PRAGMA foreign_keys=ON");

  int version = int(header->user_version);
  if (version < latest) {
    if (impl->readonly)
      return fail(Kind::ReadOnly, path + ": the run database needs upgrading to schema version " + std::to_string(latest) +
                                      " but is read-only");
    for (int attempt = 0;; ++attempt) {
      auto retry_or_fail = [&](int code, const std::string &doing) -> std::optional<StoreError> {
        StoreError e = impl->error(code, doing); // before the rollback replaces SQLite's message
        if (sqlite3_get_autocommit(db) == 0) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
        if (is_busy(code) && attempt + 1 < kAttempts) {
          backoff(attempt);
          return std::nullopt;
        }
        return e;
      };
      rc = sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
      if (rc != SQLITE_OK) {
        if (auto e = retry_or_fail(rc, "starting the migration")) return tl::unexpected(*e);
        continue;
      }
      // Another connection may have migrated while we waited for the lock.
      auto now_header = read_header(db);
      if (!now_header) {
        if (auto e = retry_or_fail(now_header.error(), "starting the migration")) return tl::unexpected(*e);
        continue;
      }
      if (auto e = refuse(*now_header)) {
        sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
        return tl::unexpected(*e);
      }
      const int64_t *now = &now_header->user_version;
      std::optional<StoreError> failed;
      bool retry = false;
      for (const auto &m : *migrations) {
        if (m.version <= *now) continue;
        rc = sqlite3_exec(db, m.sql.c_str(), nullptr, nullptr, nullptr);
        if (rc != SQLITE_OK) {
          std::string msg = sqlite3_errmsg(db);
          if (is_busy(rc)) {
            if (auto e = retry_or_fail(rc, "applying migration " + std::to_string(m.version))) failed = e;
            else retry = true;
          } else {
            sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
            failed = StoreError{Kind::Failed,
                                path + ": migration " + std::to_string(m.version) + " (" + m.description + ") failed: " + msg +
                                    "; the database is unchanged",
                                rc};
          }
          break;
        }
      }
      if (failed) return tl::unexpected(*failed);
      if (retry) continue;
      std::string set_version = "PRAGMA user_version = " + std::to_string(latest);
      rc = sqlite3_exec(db, set_version.c_str(), nullptr, nullptr, nullptr);
      if (rc == SQLITE_OK) rc = sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
      if (rc != SQLITE_OK) {
        if (auto e = retry_or_fail(rc, "committing the migration")) return tl::unexpected(*e);
        continue;
      }
      break;
    }
    version = latest;
  }
  impl->version = version;
  return impl;
}

} // namespace

int RunStore::Impl::store_energy(int64_t id, const power::RunEnergy &e) {
  const power::EnergyModel &m = e.model;
  bool merged = e.timeline_merged;
  const std::vector<power::PowerPoint> points = bounded_timeline(e.timeline, merged);
  std::string sources;
  for (size_t i = 0; i < m.sources.size(); ++i) {
    if (i) sources += '\n';
    sources += m.sources[i];
  }
  sqlite3_stmt *q = insert_energy;
  sqlite3_bind_int64(q, 1, id);
  bind_text(q, 2, m.deep_sleep_name);
  bind_real(q, 3, m.run_ua[size_t(CodeLocation::Flash)]);
  bind_real(q, 4, m.run_ua[size_t(CodeLocation::Ram)]);
  bind_real(q, 5, m.sleep_ua);
  bind_real(q, 6, m.deep_sleep_ua);
  bind_real(q, 7, m.wakeup_ua);
  bind_real(q, 8, m.sleep_wakeup_us);
  bind_real(q, 9, m.deep_wakeup_us);
  bind_real(q, 10, m.weights.mac_pj);
  bind_real(q, 11, m.weights.fpu_pj);
  bind_real(q, 12, m.weights.flash_load_pj);
  bind_real(q, 13, m.weights.sram_access_pj);
  bind_text(q, 14, sources);
  bind_real(q, 15, e.seconds);
  bind_real(q, 16, e.average_ma);
  bind_real(q, 17, e.peak_ma);
  bind_u64(q, 18, e.sleep_entries);
  bind_u64(q, 19, e.deep_sleep_entries);
  bind_real(q, 20, e.wakeup_uj);
  bind_real(q, 21, e.class_uj);
  sqlite3_bind_int(q, 22, merged ? 1 : 0);
  int rc = run_once(q);
  for (size_t i = 0; rc == SQLITE_DONE && i < e.states.size(); ++i) {
    const power::StateEnergy &st = e.states[i];
    q = insert_power_state;
    sqlite3_bind_int64(q, 1, id);
    sqlite3_bind_int64(q, 2, int64_t(i));
    bind_text(q, 3, st.state);
    bind_u64(q, 4, st.cycles);
    bind_real(q, 5, st.seconds);
    bind_real(q, 6, st.uj);
    bind_real(q, 7, st.share);
    bind_real(q, 8, st.current_ua);
    rc = run_once(q);
  }
  for (size_t i = 0; rc == SQLITE_DONE && i < points.size(); ++i) {
    const power::PowerPoint &p = points[i];
    q = insert_power_point;
    sqlite3_bind_int64(q, 1, id);
    sqlite3_bind_int64(q, 2, int64_t(i));
    bind_real(q, 3, p.start_s);
    bind_real(q, 4, p.end_s);
    bind_real(q, 5, p.mw);
    bind_text(q, 6, core_state_name(p.state));
    rc = run_once(q);
  }
  return rc;
}

StoreResult<void> RunStore::Impl::read_energy(int64_t id, RunReport &report) {
  sqlite3_bind_int64(select_energy, 1, id);
  auto found = rows<EnergyRow>(select_energy, read_energy_row);
  if (!found) return tl::unexpected(found.error());
  if (found->empty()) return {};
  EnergyRow &row = found->front();
  if (report.energy_note.empty() && row.note) report.energy_note = *row.note;
  if (!row.has_energy) return {};
  report.uj_per_inference = row.uj_per_inference;
  power::RunEnergy e = report.energy.value_or(power::RunEnergy{});
  assign_stored(e, row.energy);

  sqlite3_bind_int64(select_power_states, 1, id);
  auto states = rows<power::StateEnergy>(select_power_states, [](sqlite3_stmt *q) {
    return power::StateEnergy{column_text(q, 0), uint64_t(sqlite3_column_int64(q, 1)), column_real(q, 2), column_real(q, 3),
                              column_real(q, 4), column_real(q, 5), std::nullopt, std::nullopt}; // entries, wake-up: not stored
  });
  if (!states) return tl::unexpected(states.error());
  e.states = std::move(*states);
  e.timeline.clear();

  struct Point {
    power::PowerPoint point;
    bool known = true; ///< the state's name is one this mcusim knows
  };
  sqlite3_bind_int64(select_power_timeline, 1, id);
  auto points = rows<Point>(select_power_timeline, [](sqlite3_stmt *q) {
    auto state = core_state_from_name(column_text(q, 3));
    return Point{{column_real(q, 0), column_real(q, 1), column_real(q, 2), state.value_or(CoreState::Run)}, state.has_value()};
  });
  if (!points) return tl::unexpected(points.error());
  for (const Point &p : *points) {
    if (!p.known) return fail(Kind::Corrupt, path + ": run " + std::to_string(id) + ": an unknown power state in power_timeline");
    e.timeline.push_back(p.point);
  }

  struct Uj {
    uint64_t node = 0;
    std::string name;
    double a = 0, b = 0;
  };
  sqlite3_bind_int64(select_function_uj, 1, id);
  auto functions = rows<Uj>(select_function_uj, [](sqlite3_stmt *q) {
    return Uj{0, column_text(q, 0), column_real(q, 1), column_real(q, 2)};
  });
  if (!functions) return tl::unexpected(functions.error());
  for (size_t i = 0; i < functions->size() && i < report.functions.size(); ++i)
    if ((*functions)[i].name == report.functions[i].name) {
      report.functions[i].self_uj = (*functions)[i].a;
      report.functions[i].inclusive_uj = (*functions)[i].b;
    }
  sqlite3_bind_int64(select_layer_uj, 1, id);
  auto layers = rows<Uj>(select_layer_uj, [](sqlite3_stmt *q) {
    return Uj{uint64_t(sqlite3_column_int64(q, 0)), column_text(q, 1), column_real(q, 2), column_real(q, 3)};
  });
  if (!layers) return tl::unexpected(layers.error());
  for (size_t i = 0; i < layers->size() && i < report.layers.size(); ++i)
    if ((*layers)[i].node == report.layers[i].node && (*layers)[i].name == report.layers[i].name) {
      report.layers[i].uj = (*layers)[i].a;
      report.layers[i].mean_uj = (*layers)[i].b;
    }
  report.energy = std::move(e);
  return {};
}

int RunStore::schema_version() {
  static const int latest = [] {
    auto m = store_detail::parse_migrations(kSchemaSql);
    return m ? m->back().version : 0;
  }();
  return latest;
}

StoreResult<int> store_detail::migrate_file(const std::filesystem::path &path, std::string_view schema_sql) {
  auto impl = connect(path, RunStore::Mode::Create, schema_sql, RunStore::kCheckBudget);
  if (!impl) return tl::unexpected(impl.error());
  return (*impl)->version;
}

RunStore::RunStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RunStore::RunStore(RunStore &&) noexcept = default;
RunStore &RunStore::operator=(RunStore &&) noexcept = default;
RunStore::~RunStore() = default;

const std::string &RunStore::path() const { return impl_->path; }
int RunStore::user_version() const { return impl_->version; }
const RunStore::Integrity &RunStore::integrity() const { return impl_->integrity; }

StoreResult<size_t> store_detail::open_for_fuzzing(const std::filesystem::path &path) {
  try {
    auto store = RunStore::open(path, RunStore::Mode::Existing, std::chrono::milliseconds(500));
    if (!store) return tl::unexpected(store.error());
    auto runs = store->list_runs();
    if (!runs) return tl::unexpected(runs.error());
    constexpr size_t kReportsRead = 8;
    for (size_t i = 0; i < runs->size() && i < kReportsRead; ++i) {
      auto report = store->load_report((*runs)[i].id);
      if (!report && report.error().kind != Kind::Corrupt && report.error().kind != Kind::NotFound)
        return tl::unexpected(report.error());
    }
    if (auto n = store->count_runs(); !n) return tl::unexpected(n.error());
    return runs->size();
  } catch (const std::exception &e) {
    // Nothing above is expected to throw; a throw is reported, not propagated.
    return fail(Kind::Failed, path.string() + ": " + e.what());
  }
}

StoreResult<RunStore> RunStore::open(const std::filesystem::path &path, Mode mode, std::chrono::milliseconds check_budget) {
  auto impl = connect(path, mode, kSchemaSql, check_budget);
  if (!impl) return tl::unexpected(impl.error());
  Impl &s = **impl;
  const std::string select_runs = std::string("SELECT ") + kRunColumns +
                                  " FROM runs WHERE ?1 IS NULL OR instr(lower(firmware), lower(?1)) > 0 ORDER BY id DESC LIMIT ?2";
  const std::string select_run = std::string("SELECT ") + kRunColumns + " FROM runs WHERE id = ?1";
  const struct {
    sqlite3_stmt **stmt;
    const char *sql;
  } statements[] = {
      {&s.begin, "BEGIN IMMEDIATE"},
      {&s.commit, "COMMIT"},
      {&s.rollback, "ROLLBACK"},
      {&s.insert_run,
       "INSERT INTO runs (created_at, firmware, firmware_path, device, core, mhz, timing, stop_reason, exit_code, cycles, "
       "instructions, sim_seconds, flash_used, ram_used, stack_used, report_schema, report_json, "
       "energy_uj, average_mw, peak_mw, uj_per_inference, power_device, power_mode, power_mhz, power_voltage_v, power_temperature_c, "
       "energy_note) "
       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, "
       "?26, ?27)"},
      {&s.insert_function,
       "INSERT INTO functions (run_id, name, self_cycles, inclusive_cycles, calls, self_uj, inclusive_uj) "
       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"},
      {&s.insert_memory, "INSERT INTO memory (run_id, region, used, capacity) VALUES (?1, ?2, ?3, ?4)"},
      {&s.insert_layer,
       "INSERT INTO layers (run_id, node, name, op, source, invocations, cycles, mean_cycles, min_cycles, max_cycles, macs, uj, mean_uj) "
       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"},
      {&s.insert_energy,
       "INSERT INTO energy (run_id, deep_sleep, run_flash_ua, run_sram_ua, sleep_ua, deep_sleep_ua, wakeup_ua, sleep_wakeup_us, "
       "deep_wakeup_us, mac_pj, fpu_pj, flash_load_pj, sram_access_pj, sources, seconds, average_ma, peak_ma, sleep_entries, "
       "deep_sleep_entries, wakeup_uj, class_uj, timeline_merged) "
       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)"},
      {&s.insert_power_state,
       "INSERT INTO power_states (run_id, position, state, cycles, seconds, uj, share, current_ua) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"},
      {&s.insert_power_point,
       "INSERT INTO power_timeline (run_id, position, start_s, end_s, mw, state) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"},
      {&s.select_runs, select_runs.c_str()},
      {&s.select_run, select_run.c_str()},
      {&s.select_report, "SELECT report_json FROM runs WHERE id = ?1"},
      {&s.select_latest, "SELECT max(id) FROM runs"},
      {&s.select_count, "SELECT count(*) FROM runs"},
      {&s.select_energy, kSelectEnergy},
      {&s.select_power_states,
       "SELECT state, cycles, seconds, uj, share, current_ua FROM power_states WHERE run_id = ?1 ORDER BY position"},
      {&s.select_power_timeline, "SELECT start_s, end_s, mw, state FROM power_timeline WHERE run_id = ?1 ORDER BY position"},
      {&s.select_function_uj, "SELECT name, self_uj, inclusive_uj FROM functions WHERE run_id = ?1 ORDER BY rowid"},
      {&s.select_layer_uj, "SELECT node, name, uj, mean_uj FROM layers WHERE run_id = ?1 ORDER BY rowid"},
  };
  for (const auto &st : statements) {
    int rc = prepare_retry(s.db, st.sql, st.stmt);
    if (rc != SQLITE_OK) return tl::unexpected(s.error(rc, "preparing statements"));
  }
  return RunStore(std::move(*impl));
}

StoreResult<int64_t> RunStore::add_run(const RunReport &r, const std::string &firmware_path, const std::string &created_at) {
  Impl &s = *impl_;
  if (s.readonly) return fail(Kind::ReadOnly, s.path + ": the run database is read-only");
  uint64_t flash = 0, ram = 0;
  for (const auto &m : r.memory) {
    if (m.kind == "flash") flash += m.used;
    else if (m.kind == "sram" || m.kind == "tcm") ram += m.used;
  }
  const std::string json = render_json(r);
  const std::string when = created_at.empty() ? utc_timestamp() : created_at;

  int rc = SQLITE_OK;
  StoreError last;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    if (attempt) backoff(attempt - 1);
    rc = Impl::run_once(s.begin);
    if (rc != SQLITE_DONE) {
      last = s.error(rc, "starting a transaction");
      if (is_busy(rc)) continue;
      return tl::unexpected(last);
    }
    sqlite3_stmt *q = s.insert_run;
    bind_text(q, 1, when);
    bind_text(q, 2, r.firmware);
    bind_text(q, 3, firmware_path);
    bind_text(q, 4, r.device);
    bind_text(q, 5, r.core);
    sqlite3_bind_double(q, 6, r.mhz);
    bind_text(q, 7, r.timing);
    bind_text(q, 8, r.stop_reason);
    sqlite3_bind_int(q, 9, r.exit_code);
    bind_u64(q, 10, r.cycles);
    bind_u64(q, 11, r.instructions);
    sqlite3_bind_double(q, 12, r.simulated_seconds);
    bind_u64(q, 13, flash);
    bind_u64(q, 14, ram);
    bind_u64(q, 15, r.stack.used);
    sqlite3_bind_int(q, 16, RunReport::kSchemaVersion);
    bind_text(q, 17, json);
    bind_energy_totals(q, 18, r);
    rc = Impl::run_once(q);
    const int64_t id = sqlite3_last_insert_rowid(s.db);
    for (size_t i = 0; rc == SQLITE_DONE && i < r.functions.size(); ++i) {
      const auto &f = r.functions[i];
      q = s.insert_function;
      sqlite3_bind_int64(q, 1, id);
      bind_text(q, 2, f.name);
      bind_u64(q, 3, f.self_cycles);
      bind_u64(q, 4, f.inclusive_cycles);
      bind_u64(q, 5, f.calls);
      bind_optional(q, 6, r.energy ? std::optional<double>(f.self_uj) : std::nullopt);
      bind_optional(q, 7, r.energy ? std::optional<double>(f.inclusive_uj) : std::nullopt);
      rc = Impl::run_once(q);
    }
    for (size_t i = 0; rc == SQLITE_DONE && i < r.memory.size(); ++i) {
      const auto &m = r.memory[i];
      q = s.insert_memory;
      sqlite3_bind_int64(q, 1, id);
      bind_text(q, 2, m.name);
      bind_u64(q, 3, m.used);
      bind_u64(q, 4, m.capacity);
      rc = Impl::run_once(q);
    }
    for (size_t i = 0; rc == SQLITE_DONE && i < r.layers.size(); ++i) {
      const auto &l = r.layers[i];
      q = s.insert_layer;
      sqlite3_bind_int64(q, 1, id);
      sqlite3_bind_int64(q, 2, l.node);
      bind_text(q, 3, l.name);
      bind_text(q, 4, l.op);
      bind_text(q, 5, r.layer_source);
      bind_u64(q, 6, l.invocations);
      bind_u64(q, 7, l.cycles);
      sqlite3_bind_double(q, 8, l.mean_cycles);
      bind_u64(q, 9, l.min_cycles.value_or(0));
      bind_u64(q, 10, l.max_cycles.value_or(0));
      if (l.macs) bind_u64(q, 11, *l.macs);
      else sqlite3_bind_null(q, 11);
      bind_optional(q, 12, r.energy ? std::optional<double>(l.uj) : std::nullopt);
      bind_optional(q, 13, r.energy ? std::optional<double>(l.mean_uj) : std::nullopt);
      rc = Impl::run_once(q);
    }
    if (rc == SQLITE_DONE && r.energy) rc = s.store_energy(id, *r.energy);
    if (rc == SQLITE_DONE) rc = Impl::run_once(s.commit);
    if (rc == SQLITE_DONE) return id;
    last = s.error(rc, "storing the run"); // before the rollback replaces SQLite's message
    s.abort_transaction();
    if (!is_busy(rc)) return tl::unexpected(last);
  }
  return tl::unexpected(last);
}

StoreResult<std::vector<StoredRun>> RunStore::list_runs(size_t limit, const std::string &firmware_substr) {
  Impl &s = *impl_;
  if (firmware_substr.empty()) sqlite3_bind_null(s.select_runs, 1);
  else bind_text(s.select_runs, 1, firmware_substr);
  sqlite3_bind_int64(s.select_runs, 2, limit ? int64_t(limit) : -1);
  return s.rows<StoredRun>(s.select_runs, read_run_row);
}

StoreResult<StoredRun> RunStore::run(int64_t id) {
  Impl &s = *impl_;
  sqlite3_bind_int64(s.select_run, 1, id);
  auto rows = s.rows<StoredRun>(s.select_run, read_run_row);
  if (!rows) return tl::unexpected(rows.error());
  if (rows->empty()) return fail(Kind::NotFound, s.path + ": no run " + std::to_string(id));
  return rows->front();
}

StoreResult<RunReport> RunStore::load_report(int64_t id) {
  Impl &s = *impl_;
  sqlite3_bind_int64(s.select_report, 1, id);
  auto rows = s.rows<std::string>(s.select_report, [](sqlite3_stmt *q) { return column_text(q, 0); });
  if (!rows) return tl::unexpected(rows.error());
  if (rows->empty()) return fail(Kind::NotFound, s.path + ": no run " + std::to_string(id));
  auto report = parse_report_json(rows->front());
  if (!report) return fail(Kind::Corrupt, s.path + ": run " + std::to_string(id) + ": stored report: " + report.error().message);
  // The energy columns and tables hold the run's energy exactly (REAL is the
  // double itself); they fill or overwrite what the report JSON has of it.
  if (auto filled = s.read_energy(id, *report); !filled) return tl::unexpected(filled.error());
  return std::move(*report);
}

StoreResult<int64_t> RunStore::latest_id() {
  Impl &s = *impl_;
  auto rows = s.rows<int64_t>(s.select_latest, [](sqlite3_stmt *q) -> int64_t {
    return sqlite3_column_type(q, 0) == SQLITE_NULL ? 0 : sqlite3_column_int64(q, 0);
  });
  if (!rows) return tl::unexpected(rows.error());
  if (rows->empty() || rows->front() == 0) return fail(Kind::NotFound, s.path + ": no runs stored yet");
  return rows->front();
}

StoreResult<int64_t> RunStore::count_runs() {
  Impl &s = *impl_;
  auto rows = s.rows<int64_t>(s.select_count, [](sqlite3_stmt *q) -> int64_t { return sqlite3_column_int64(q, 0); });
  if (!rows) return tl::unexpected(rows.error());
  return rows->empty() ? 0 : rows->front();
}

} // namespace mcusim
