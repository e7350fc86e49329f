/// \file
/// Flame-graph stacks and timeline traces from a profiled run.
#pragma once

#include "core/profile.h"
#include "power/energy.h"

#include <string>

namespace mcusim {

/// Folded stacks ("reset;main;conv 1234" per line, self cycles), as read by
/// flamegraph.pl, speedscope and inferno.
std::string render_folded(const ProfileData &profile);

/// A Chrome / Perfetto trace (JSON, "traceEvents") of the layers and the
/// function activations on the simulated timeline (microseconds at `hz`).
/// With `energy`, also a counter track "power (mW)": one counter event ("ph":
/// "C", args {"mW": ...}) at the start of every point of energy->timeline, and
/// one at the end of the last point holding its value.
std::string render_trace(const ProfileData &profile, double hz, const std::string &process_name,
                         const power::RunEnergy *energy = nullptr);

} // namespace mcusim
