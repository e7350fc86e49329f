/// \file
/// Storing a run in the run database: opened and checked before the run (a
/// bad database stops it before anything is simulated), written after it.
/// See docs/database.md.
#pragma once

#include "profiler/store.h"
#include "session/session.h"

#include <functional>
#include <optional>
#include <string>

namespace mcusim::session {

class Recorder {
public:
  using Emit = std::function<void(Message)>;
  /// Opens `db` ("" = the default database; nothing with `no_db`). Returns
  /// kExitOk, or kExitDatabase (with an error message) when a named database
  /// cannot be used, or when the default one exists but is damaged, newer or
  /// not a run database. A default database that cannot be created, written
  /// or locked is a warning: the run goes on unstored.
  int open(const std::string &db, bool no_db, const Emit &emit);
  bool active() const { return store_.has_value(); }
  /// A database was named: runs stored there are profiled.
  bool explicit_db() const { return explicit_ && active(); }
  const std::string &path() const { return path_; }
  /// Stores the run. Returns kExitOk (with the id in `id`), or kExitDatabase
  /// for a named database (the default one: a warning and kExitOk).
  int store(const RunReport &report, const std::string &elf_path, bool quiet, std::optional<int64_t> *id, const Emit &emit);

private:
  std::optional<RunStore> store_;
  std::string path_;
  bool explicit_ = false;
};

} // namespace mcusim::session
