/// \file
/// The host end of the EEMBC / MLPerf Tiny runner protocol (docs/eembc.md):
/// a SerialLine that plays the EnergyRunner's part against a firmware. It
/// waits for the firmware's `m-ready`, sends the next command of its script
/// (`name%`, `profile%`, then per window `db load N%`, `db <hex>%` chunks and
/// `infer N W%`), and collects the replies: the device name, profile and
/// model, the `m-lap-us-N` timestamps and `m-results-[...]` of each window,
/// and the first `e-[...]` error. No simulator here: what ends the run is
/// the caller's (the `done` callback).
#pragma once

#include "core/peripheral_space.h"

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace mcusim::session {

/// What the runner does (EnergyRunner's tests.yaml for kws01: 5 windows of `infer 10 1`).
struct EembcScript {
  std::vector<uint8_t> input; ///< the bytes `db` loads before every window
  unsigned windows = 5;       ///< download + infer rounds
  unsigned iterations = 10;   ///< N of `infer N W`
  unsigned warmups = 1;       ///< W of `infer N W`
  unsigned chunk_bytes = 31;  ///< bytes per `db` command (the runner's, without an energy monitor)
};

/// One `infer` round.
struct EembcWindow {
  std::vector<uint64_t> laps_us;  ///< the m-lap-us-N values it printed (two: start and end)
  std::vector<size_t> lap_ordinals; ///< which m-lap-us lines of the run they were (0 = the first the firmware printed)
  std::vector<double> results;    ///< m-results-[...]
  bool has_results = false;
  /// Microseconds between the first and the last timestamp, when there are two.
  std::optional<uint64_t> elapsed_us() const {
    if (laps_us.size() < 2) return std::nullopt;
    return laps_us.back() - laps_us.front();
  }
};

/// What the firmware said.
struct EembcReplies {
  bool ready_seen = false;          ///< at least one m-ready
  std::string name, profile, model; ///< m-name-dut-[...], m-profile-[...], m-model-[...]
  std::vector<EembcWindow> windows;
  /// The first e-[...] line (without "e-[" and "]") and the command it answered.
  std::string error, error_command;
  bool error_about_input = false;   ///< the error answered a db command or said the input was wrong
  bool finished = false;            ///< every command was answered (with m-ready)
  size_t laps = 0;                  ///< m-lap-us lines in all (start-up and `timestamp` included)
  std::vector<std::string> lines;   ///< every line the firmware sent, in order
};

class EembcDriver final : public SerialLine {
public:
  /// `done` is called once, when the script ends or the firmware answers with an error.
  EembcDriver(EembcScript script, std::function<void()> done);
  void transmit(uint8_t byte) override;
  std::optional<uint8_t> receive() override;
  const EembcReplies &replies() const { return replies_; }
  /// The commands of the script, in order (without the '%').
  const std::vector<std::string> &commands() const { return commands_; }

private:
  void line(const std::string &text);
  void send_next();
  void finish();

  std::vector<std::string> commands_;
  size_t next_ = 0;        ///< the next command to send
  std::string current_;    ///< the command being answered ("" before the first)
  std::deque<uint8_t> out_; ///< bytes waiting for the firmware's receiver
  std::string partial_;    ///< the line being received
  EembcReplies replies_;
  std::function<void()> done_;
  bool ended_ = false;
};

/// The commands of `script`: name, profile, then per window db load, the db chunks, infer.
std::vector<std::string> eembc_commands(const EembcScript &script);
/// Parses "m-results-[0.000,0.996,...]"'s numbers; nullopt when `line` is not a results line.
std::optional<std::vector<double>> parse_eembc_results(const std::string &line);

} // namespace mcusim::session
