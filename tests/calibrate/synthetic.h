/// \file
/// Synthetic captures made from known currents, for the calibration tests:
/// a duty cycle of an active stretch and a sleep stretch, sampled on a fixed
/// grid, with a little deterministic noise.
#pragma once

#include "power/capture.h"

#include <cstdint>
#include <string>

namespace mcusim::power::test {

/// Uniform noise in [-1, 1) from a fixed-seed linear congruential generator (the same every run).
class Noise {
public:
  explicit Noise(uint64_t seed) : state_(seed) {}
  double next() {
    state_ = state_ * 6364136223846793005ull + 1442695040888963407ull;
    return double(state_ >> 11) / double(uint64_t(1) << 53) * 2 - 1;
  }

private:
  uint64_t state_;
};

struct DutyCycle {
  double period_s = 0.1;
  double active_s = 0.01;       ///< at the start of every period
  double active_ua = 5000, sleep_ua = 3;
  double periods = 10;
  double sample_s = 1e-4;
  double noise = 0.01;          ///< relative amplitude of the noise
  uint64_t seed = 1;
};

/// The capture as PPK2 CSV text (Timestamp(ms),Current(uA)).
inline std::string ppk2_csv(const DutyCycle &d) {
  std::string out = "Timestamp(ms),Current(uA),D0-D7\n";
  Noise noise(d.seed);
  const long samples = long(d.period_s * d.periods / d.sample_s + 0.5);
  const long per_period = long(d.period_s / d.sample_s + 0.5), active = long(d.active_s / d.sample_s + 0.5);
  char buf[96];
  for (long i = 0; i < samples; ++i) {
    double ua = (i % per_period) < active ? d.active_ua : d.sleep_ua;
    ua *= 1 + d.noise * noise.next();
    std::snprintf(buf, sizeof buf, "%.6f,%.3f,00000000\n", double(i) * d.sample_s * 1e3, ua);
    out += buf;
  }
  return out;
}

} // namespace mcusim::power::test
