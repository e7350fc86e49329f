/// \file
/// The host ends of a run's serial lines (core/peripheral_space.h SerialLine):
/// what `--uart NAME=FILE|stdio|pty` and `--uart-in NAME=FILE` connect a
/// device's UARTs to. By default every UART's output goes to the firmware's
/// console (so it follows --console, and goes to stderr when a JSON report
/// takes stdout), and its input is idle. Everything is checked and opened
/// before the run (docs/cli.md).
#pragma once

#include "base/device.h"
#include "core/console.h"
#include "core/peripheral_space.h"
#include "session/uart_script.h"

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mcusim::session {

class OutputFile;

/// One line: its output (console, file, stdout or a pty) and its input (a file's bytes, a pty).
class HostSerialLine final : public SerialLine {
public:
  enum class Output { Console, File, Stdout, Pty };
  HostSerialLine() = default;
  ~HostSerialLine() override;
  void transmit(uint8_t byte) override;
  std::optional<uint8_t> receive() override;
  /// A pty: if bytes wait on it, wake the model's receiver (its data-ready call).
  void poll_input();

  Output output = Output::Console;
  Console *console = nullptr;      ///< Output::Console
  std::FILE *file = nullptr;       ///< Output::File (owned by SerialLines' OutputFile) or stdout
  int pty_fd = -1;                 ///< Output::Pty: the master side (owned)
  std::deque<uint8_t> input;       ///< --uart-in, --uart-script: the bytes still to send to the firmware
  std::unique_ptr<UartScript> script; ///< --uart-script: the conversation, fed with what the firmware sends
  uint64_t sent = 0, received = 0; ///< bytes the firmware sent / was given
};

class SerialLines {
public:
  SerialLines();
  ~SerialLines();
  SerialLines(const SerialLines &) = delete;
  SerialLines &operator=(const SerialLines &) = delete;

  struct Problem {
    int exit_code; ///< cli/exit_codes.h: 64 usage, 66 input unreadable, 79 output unwritable
    std::string message;
  };
  /// Checks and opens `outputs` ("NAME=FILE", "NAME=stdio", "NAME=pty"),
  /// `inputs` ("NAME=FILE") and `scripts` ("NAME=FILE", --uart-script) for `device`. `stdout_taken`: a machine-readable
  /// report goes to stdout (stdio is then refused). `notes` gets the lines to
  /// show before the run (the pty's slave path).
  std::optional<Problem> open(const Device &device, const std::vector<std::string> &outputs, const std::vector<std::string> &inputs,
                              const std::vector<std::string> &scripts, bool stdout_taken, std::vector<std::string> *notes);
  /// From the start of the run: the console UART output goes to by default; output files are emptied.
  void start(Console &console);
  /// The line of UART `name` (PeripheralIo::serial): every UART of the device has one.
  SerialLine *line(const std::string &name);
  /// Whether a line's input arrives during the run (a pty): poll() must then be called now and then.
  bool live_input() const;
  /// Wakes the receivers of lines with input waiting (from the run loop's thread).
  void poll();
  /// After the run: the first script with an expect the firmware never met (exit 85), if any.
  std::optional<Problem> unmet_script() const;
  /// After the run: output files closed. False with `error` set if one could not be written.
  bool close(std::string *error);

private:
  std::map<std::string, std::unique_ptr<HostSerialLine>> lines_;
  std::map<std::string, std::unique_ptr<OutputFile>> files_;
};

} // namespace mcusim::session
