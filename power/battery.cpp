/// \file
/// Capacity derating and self-discharge of a battery (see battery.h).
#include "power/battery.h"

#include <cmath>

namespace mcusim::power {

double Battery::rated_capacity_mah() const { return capacity.empty() ? 0.0 : capacity.front().capacity_mah * parallel; }

double Battery::rated_current_ma() const { return capacity.empty() ? 0.0 : capacity.front().current_ma * parallel; }

double Battery::capacity_mah(double pack_current_ma) const {
  if (capacity.empty()) return 0.0;
  double i = pack_current_ma / parallel; // per string
  if (!(i > capacity.front().current_ma)) return capacity.front().capacity_mah * parallel;
  if (i >= capacity.back().current_ma) return capacity.back().capacity_mah * parallel;
  for (size_t k = 0; k + 1 < capacity.size(); ++k) {
    const CapacityPoint &a = capacity[k], &b = capacity[k + 1];
    if (i <= b.current_ma) {
      double t = std::log(i / a.current_ma) / std::log(b.current_ma / a.current_ma);
      return (a.capacity_mah + t * (b.capacity_mah - a.capacity_mah)) * parallel;
    }
  }
  return capacity.back().capacity_mah * parallel;
}

bool Battery::beyond_rated_load(double pack_current_ma) const {
  return !capacity.empty() && pack_current_ma / parallel > capacity.back().current_ma;
}

std::optional<double> Battery::pack_max_continuous_ma() const {
  if (!max_continuous_ma) return std::nullopt;
  return *max_continuous_ma * parallel;
}

std::optional<double> Battery::pack_max_pulse_ma() const {
  if (!max_pulse_ma) return std::nullopt;
  return *max_pulse_ma * parallel;
}

double Battery::self_discharge_per_year(double temperature_c) const {
  double rate = self_discharge_pct_per_year / 100.0;
  if (temperature_c > self_discharge_reference_c) rate *= std::exp2((temperature_c - self_discharge_reference_c) / 10.0);
  return rate;
}

} // namespace mcusim::power
