/// \file
/// An output file of a run (report, flame graph, trace, JUnit), checked before
/// the run and written after it.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace mcusim::session {

class OutputFile {
public:
  OutputFile() = default;
  ~OutputFile(); ///< discard()
  OutputFile(const OutputFile &) = delete;
  OutputFile &operator=(const OutputFile &) = delete;

  /// Opens `path` for writing without truncating it (a file that was not
  /// there is created, and removed again by discard()). False with `error`
  /// set ("cannot write PATH: reason") when it cannot be written.
  bool open(const std::string &path, std::string *error);
  bool is_open() const { return file_ != nullptr; }
  const std::string &path() const { return path_; }
  /// Replaces the file's content with `text` and closes it. False with `error` set on failure.
  bool write(std::string_view text, std::string *error);
  /// Empties the file for writing while the run goes on (the console) and
  /// returns its stream; close() ends it.
  std::FILE *stream();
  /// Closes a stream(). False with `error` set when something could not be written.
  bool close(std::string *error);
  /// Closes the file; one this object created is removed (the run never happened).
  void discard();

private:
  std::FILE *file_ = nullptr;
  std::string path_;
  bool created_ = false;
};

} // namespace mcusim::session
