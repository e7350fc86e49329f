/// \file
/// Battery current through the supply path (see supply.h).
#include "power/supply.h"

namespace mcusim::power {

const char *regulator_name(RegulatorKind k) {
  switch (k) {
  case RegulatorKind::None: return "none";
  case RegulatorKind::Ldo: return "ldo";
  case RegulatorKind::Smps: return "smps";
  }
  return "?";
}

double Supply::battery_ma(double rail_ma, double load_v, double battery_v) const {
  switch (regulator) {
  case RegulatorKind::None:
  case RegulatorKind::Ldo: return rail_ma;
  case RegulatorKind::Smps: return rail_ma * load_v / (efficiency * battery_v);
  }
  return rail_ma;
}

} // namespace mcusim::power
