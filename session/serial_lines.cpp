/// \file
/// --uart and --uart-in: the host ends of the device's serial lines.
#include "session/serial_lines.h"

#include "peripherals/models.h"
#include "session/exit_codes.h"
#include "session/output_file.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <iterator>
#include <poll.h>
#include <pty.h>
#include <unistd.h>

namespace mcusim::session {

using namespace mcusim::cli; // the exit codes

HostSerialLine::~HostSerialLine() {
  if (pty_fd >= 0) ::close(pty_fd);
}

void HostSerialLine::transmit(uint8_t byte) {
  ++sent;
  if (script) {
    const std::string reply = script->feed(byte);
    if (!reply.empty()) {
      input.insert(input.end(), reply.begin(), reply.end());
      notify_data_ready();
    }
  }
  const char c = char(byte);
  switch (output) {
  case Output::Console:
    if (console) console->out(std::string_view(&c, 1));
    break;
  case Output::File:
    if (file) std::fputc(c, file);
    break;
  case Output::Stdout:
    std::fputc(c, stdout);
    if (c == '\n') std::fflush(stdout);
    break;
  case Output::Pty:
    // Non-blocking: with nothing reading the other side, output beyond the pty's buffer is dropped.
    if (pty_fd >= 0 && ::write(pty_fd, &c, 1) != 1) {
      // dropped
    }
    break;
  }
}

std::optional<uint8_t> HostSerialLine::receive() {
  if (!input.empty()) {
    const uint8_t b = input.front();
    input.pop_front();
    ++received;
    return b;
  }
  if (output == Output::Pty && pty_fd >= 0) {
    unsigned char b;
    if (::read(pty_fd, &b, 1) == 1) {
      ++received;
      return b;
    }
  }
  return std::nullopt;
}

void HostSerialLine::poll_input() {
  if (output != Output::Pty || pty_fd < 0) return;
  pollfd p{pty_fd, POLLIN, 0};
  if (::poll(&p, 1, 0) == 1 && (p.revents & POLLIN)) notify_data_ready();
}

namespace {

std::string upper(std::string s) {
  for (char &c : s) c = char(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

struct Assignment {
  std::string name, value;
};

/// "NAME=VALUE" of `option`; a usage problem when it is not one.
std::optional<SerialLines::Problem> split(const std::string &option, const std::string &arg, const std::string &form, Assignment &out) {
  const size_t eq = arg.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == arg.size())
    return SerialLines::Problem{kExitUsage, option + " '" + arg + "': expected " + form};
  out = {upper(arg.substr(0, eq)), arg.substr(eq + 1)};
  return std::nullopt;
}

std::string join(const std::vector<std::string> &v) {
  std::string s;
  for (const auto &x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

} // namespace

SerialLines::SerialLines() = default;
SerialLines::~SerialLines() = default;

std::optional<SerialLines::Problem> SerialLines::open(const Device &device, const std::vector<std::string> &outputs,
                                                      const std::vector<std::string> &inputs, const std::vector<std::string> &scripts,
                                                      bool stdout_taken, std::vector<std::string> *notes) {
  const std::vector<std::string> names = peripherals::serial_names(device);
  for (const auto &n : names) lines_[n] = std::make_unique<HostSerialLine>();
  auto known = [&](const std::string &option, const std::string &name) -> std::optional<Problem> {
    if (lines_.count(name)) return std::nullopt;
    if (names.empty()) return Problem{kExitUsage, option + " " + name + ": " + device.name + " has no UART model"};
    return Problem{kExitUsage, option + " " + name + ": " + device.name + " has no UART of that name (its UARTs: " + join(names) + ")"};
  };

  std::vector<std::string> seen;
  for (const auto &arg : outputs) {
    Assignment a;
    if (auto p = split("--uart", arg, "NAME=FILE|stdio|pty", a)) return p;
    if (auto p = known("--uart", a.name)) return p;
    if (std::find(seen.begin(), seen.end(), a.name) != seen.end()) return Problem{kExitUsage, "--uart " + a.name + " given twice"};
    seen.push_back(a.name);
    HostSerialLine &line = *lines_[a.name];
    if (a.value == "stdio") {
      if (stdout_taken)
        return Problem{kExitUsage, "--uart " + a.name + "=stdio: stdout carries the JSON report (--report json); name a file instead"};
      line.output = HostSerialLine::Output::Stdout;
    } else if (a.value == "pty") {
      int master = -1, slave = -1;
      char path[256] = "";
      if (::openpty(&master, &slave, path, nullptr, nullptr) != 0)
        return Problem{kExitOutput, "--uart " + a.name + "=pty: cannot open a pseudo-terminal (" + std::strerror(errno) + ")"};
      ::close(slave); // the user's program opens it by its path
      ::fcntl(master, F_SETFL, ::fcntl(master, F_GETFL) | O_NONBLOCK);
      line.output = HostSerialLine::Output::Pty;
      line.pty_fd = master;
      if (notes) notes->push_back(a.name + " is on " + std::string(path));
    } else {
      auto file = std::make_unique<OutputFile>();
      std::string error;
      if (!file->open(a.value, &error)) return Problem{kExitOutput, "--uart " + a.name + ": " + error};
      line.output = HostSerialLine::Output::File;
      files_[a.name] = std::move(file);
    }
  }

  seen.clear();
  for (const auto &arg : inputs) {
    Assignment a;
    if (auto p = split("--uart-in", arg, "NAME=FILE", a)) return p;
    if (auto p = known("--uart-in", a.name)) return p;
    if (std::find(seen.begin(), seen.end(), a.name) != seen.end()) return Problem{kExitUsage, "--uart-in " + a.name + " given twice"};
    seen.push_back(a.name);
    std::ifstream in(a.value, std::ios::binary);
    if (!in) return Problem{kExitNoInput, "--uart-in " + a.name + ": cannot read " + a.value + " (" + std::strerror(errno) + ")"};
    std::deque<uint8_t> &bytes = lines_[a.name]->input;
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (in.bad()) return Problem{kExitNoInput, "--uart-in " + a.name + ": cannot read " + a.value};
  }

  std::vector<std::string> scripted;
  for (const auto &arg : scripts) {
    Assignment a;
    if (auto p = split("--uart-script", arg, "NAME=FILE", a)) return p;
    if (auto p = known("--uart-script", a.name)) return p;
    if (std::find(scripted.begin(), scripted.end(), a.name) != scripted.end())
      return Problem{kExitUsage, "--uart-script " + a.name + " given twice"};
    if (std::find(seen.begin(), seen.end(), a.name) != seen.end())
      return Problem{kExitUsage, "--uart-script " + a.name + ": --uart-in also feeds " + a.name + "; give one of them"};
    scripted.push_back(a.name);
    std::ifstream in(a.value, std::ios::binary);
    if (!in) return Problem{kExitNoInput, "--uart-script " + a.name + ": cannot read " + a.value + " (" + std::strerror(errno) + ")"};
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (in.bad()) return Problem{kExitNoInput, "--uart-script " + a.name + ": cannot read " + a.value};
    std::string error;
    auto steps = parse_uart_script(text, &error);
    if (!steps) return Problem{kExitBadScript, "--uart-script " + a.name + ": " + a.value + ", " + error};
    HostSerialLine &line = *lines_[a.name];
    line.script = std::make_unique<UartScript>(std::move(*steps));
    const std::string first = line.script->start();
    line.input.assign(first.begin(), first.end());
  }
  return std::nullopt;
}

std::optional<SerialLines::Problem> SerialLines::unmet_script() const {
  for (const auto &[name, line] : lines_) {
    const ScriptStep *w = line->script ? line->script->waiting() : nullptr;
    if (!w) continue;
    return Problem{kExitScript, "--uart-script " + name + ": line " + std::to_string(w->line) + ", expect \"" + escape_text(w->text) +
                                    "\" was not met by the end of the run (the firmware's output since the last match: \"" +
                                    line->script->seen_tail() + "\")"};
  }
  return std::nullopt;
}

void SerialLines::start(Console &console) {
  for (auto &[name, line] : lines_) {
    line->console = &console;
    if (auto f = files_.find(name); f != files_.end()) line->file = f->second->stream();
  }
}

SerialLine *SerialLines::line(const std::string &name) {
  auto it = lines_.find(name);
  return it == lines_.end() ? nullptr : it->second.get();
}

bool SerialLines::live_input() const {
  for (const auto &[name, line] : lines_)
    if (line->output == HostSerialLine::Output::Pty) return true;
  return false;
}

void SerialLines::poll() {
  for (auto &[name, line] : lines_) line->poll_input();
}

bool SerialLines::close(std::string *error) {
  bool ok = true;
  for (auto &[name, file] : files_) {
    if (auto l = lines_.find(name); l != lines_.end()) l->second->file = nullptr;
    std::string e;
    if (file->is_open() && !file->close(&e)) {
      if (ok && error) *error = e;
      ok = false;
    }
  }
  std::fflush(stdout);
  return ok;
}

} // namespace mcusim::session
