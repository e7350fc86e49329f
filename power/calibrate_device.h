/// \file
/// The device file side of calibration: the [power] figures a fit starts from,
/// read from the device file's TOML text, and the fitted device file: the
/// same text with its [power] section re-emitted with the fitted run rows and
/// state (each with its source line). Everything outside [power] is kept
/// byte for byte. Schema of [power]: docs/devices.md; the rules: docs/power.md.
#pragma once

#include "power/calibrate.h"
#include "power/power_error.h"

#include <optional>
#include <string>
#include <string_view>

namespace mcusim::power {

/// The [power] figures of a device file's text; nullopt when it has no [power]
/// section. Lenient (the device parser checks the section): a row without a
/// number reads as 0. An error only for text that is not TOML.
PowerExpected<std::optional<PowerFigures>> read_power_figures(std::string_view toml_text, const std::string &file);

/// The device file with the fit written in: the fitted run rows' fixed_ua and
/// ua_per_mhz, the fitted state's currents, each with `source` as its source
/// (new rows and a new state where the file had none; a new [power] section,
/// with voltage_v = 3.0 and a note saying so, where it had none). An error when
/// the file gives power figures in a form this cannot rewrite (dotted keys or
/// an inline table at the top level).
PowerExpected<std::string> write_fitted_device(std::string_view toml_text, const std::string &file, const CalibrationFit &fit,
                                               const std::string &source);

} // namespace mcusim::power
