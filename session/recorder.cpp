/// \file
/// Storing a run in the run database.
#include "session/recorder.h"

#include "session/exit_codes.h"

#include <cstdio>
#include <filesystem>

namespace mcusim::session {

using namespace mcusim::cli; // the exit codes

namespace {

/// A default database that exists but is damaged, from a newer mcusim or not
/// a run database stops the run as a named one does; one that cannot be
/// created, written or locked only costs the run its record.
bool fatal_for_default_db(StoreError::Kind kind) {
  return kind == StoreError::Kind::Corrupt || kind == StoreError::Kind::NewerSchema || kind == StoreError::Kind::NotADatabase;
}

} // namespace

int Recorder::open(const std::string &db, bool no_db, const Emit &emit) {
  explicit_ = !db.empty();
  if (no_db) return kExitOk; // every run is stored unless asked not to
  path_ = explicit_ ? db : kDefaultRunDatabase;
  auto s = RunStore::open(path_, RunStore::Mode::Create);
  if (!s) {
    if (explicit_) {
      emit({Message::Kind::Error, s.error().message});
      return kExitDatabase;
    }
    if (fatal_for_default_db(s.error().kind)) {
      emit({Message::Kind::Error, s.error().message + " (--no-db: do not store runs)"});
      return kExitDatabase;
    }
    emit({Message::Kind::Warning, "the run will not be stored: " + s.error().message + " (--no-db: do not store runs)"});
    return kExitOk;
  }
  store_.emplace(std::move(*s));
  if (store_->integrity().result == RunStore::Integrity::Result::TooSlow) {
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.1f", store_->integrity().seconds);
    emit({Message::Kind::Warning, path_ + ": not fully checked for damage (quick_check stopped after " + seconds +
                                      " s); used unchecked (check it with: sqlite3 " + path_ + " 'PRAGMA integrity_check')"});
  }
  return kExitOk;
}

int Recorder::store(const RunReport &report, const std::string &elf_path, bool quiet, std::optional<int64_t> *id,
                    const Emit &emit) {
  if (!store_) return kExitOk;
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(elf_path, ec);
  auto stored = store_->add_run(report, (ec ? std::filesystem::path(elf_path) : abs).lexically_normal().string());
  if (!stored) {
    if (explicit_) {
      emit({Message::Kind::Error, stored.error().message});
      return kExitDatabase;
    }
    emit({Message::Kind::Warning, "the run was not stored: " + stored.error().message});
    return kExitOk;
  }
  *id = *stored;
  if (!quiet) emit({Message::Kind::Note, "run " + std::to_string(*stored) + " stored in " + path_});
  return kExitOk;
}

} // namespace mcusim::session
