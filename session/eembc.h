/// \file
/// `mcusim eembc`: a firmware that speaks the EEMBC / MLPerf Tiny runner
/// protocol run through the session pipeline with the protocol's host end
/// (EembcDriver) on its UART, and the EnergyRunner's figures (median
/// latency, inferences per second, the results vector) beside mcusim's own
/// (cycles and energy per inference from the run's report). docs/eembc.md.
#pragma once

#include "session/eembc_driver.h"
#include "session/session.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mcusim::session {

/// The modes of the EnergyRunner.
enum class EembcMode { Performance, Accuracy, Energy };
std::optional<EembcMode> parse_eembc_mode(const std::string &name);
const char *eembc_mode_name(EembcMode mode);

/// Default cycle limit of an eembc run (RunOptions::max_cycles when none is given).
inline constexpr uint64_t kEembcDefaultMaxCycles = 2'000'000'000ull;

struct EembcRequest {
  RunRequest run;               ///< firmware, device, image options, clock...; the session's outputs unused
  std::string mode = "performance";
  std::string input;            ///< the sample file (raw bytes of the model's input)
  std::optional<unsigned> iterations, warmups, windows; ///< default: the mode's
  std::string uart = "USART2";  ///< the UART the firmware speaks the protocol on
};

/// What an eembc run found.
struct EembcResult {
  std::string firmware, device, mode;
  EembcReplies replies;
  unsigned iterations = 0, warmups = 0;
  // The firmware's own measurement (EnergyRunner's figures), over the windows with two timestamps
  std::optional<double> median_latency_us;           ///< per inference
  std::optional<double> median_inferences_per_second;
  std::vector<double> results;                       ///< the last window's
  std::optional<size_t> top_class;                   ///< index of the largest result
  // mcusim's: from the run's report (INVOKE markers) and energy
  double mhz = 0;                                    ///< the core clock at the end of the run
  uint64_t cycles = 0;                               ///< the whole run
  uint64_t inferences = 0;                           ///< model invocations (warm-ups included)
  std::optional<double> cycles_per_inference, us_per_inference;
  std::optional<double> uj_per_inference, uj_per_window;
  /// The timed window in mcusim's cycles: from the th_timestamp call that
  /// printed its first m-lap-us to the one that printed its last (the
  /// porting layer's function; unknown without its symbol or when its calls
  /// and the lap lines do not pair up), one per window, and its median / N in µs.
  std::vector<std::optional<uint64_t>> window_cycles;
  std::optional<double> window_us_per_inference;
  std::optional<double> average_mw;                  ///< of the whole run
  std::string energy_note;                           ///< why there is no energy
};

struct EembcOutcome {
  int exit_code = 0;
  std::string error; ///< one line, "" if none
  std::optional<EembcResult> result;
  std::vector<std::string> transcript; ///< every line the firmware sent on the protocol's UART (also after an error)
};

/// Runs the request (the run's messages go to `hooks`).
EembcOutcome run_eembc(const EembcRequest &request, SessionHooks &hooks);

/// The EnergyRunner-like text of a result, and its JSON (docs/eembc.md).
std::string render_eembc_text(const EembcResult &result);
std::string render_eembc_json(const EembcResult &result);

} // namespace mcusim::session
