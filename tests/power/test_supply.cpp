/// The supply path: LDO current passes 1:1, an SMPS converts power.
#include "helpers.h"

using namespace mcusim::power;
using namespace mcusim::power::test;

TEST_CASE("an LDO from 3.0 V to 1.8 V passes current 1:1 at 60% power efficiency") {
  Supply ldo;
  ldo.regulator = RegulatorKind::Ldo;
  ldo.voltage_v = 1.8;
  double i_bat = ldo.battery_ma(1.0, 1.8, 3.0);
  CHECK(i_bat == doctest::Approx(1.0));
  double efficiency = (1.8 * 1.0) / (3.0 * i_bat);
  CHECK(efficiency == doctest::Approx(0.60));
}

TEST_CASE("an SMPS at 90% draws I_bat = P / (eta * V_bat), less from a higher-voltage cell") {
  Supply smps;
  smps.regulator = RegulatorKind::Smps;
  smps.voltage_v = 1.8;
  smps.efficiency = 0.9;
  CHECK(smps.battery_ma(1.0, 1.8, 3.0) == doctest::Approx(1.8 / (0.9 * 3.0))); // 0.667 mA
  CHECK(smps.battery_ma(1.0, 1.8, 3.6) == doctest::Approx(1.8 / (0.9 * 3.6))); // 0.556 mA
  CHECK(smps.battery_ma(1.0, 1.8, 3.6) < smps.battery_ma(1.0, 1.8, 3.0));
  Supply ldo = smps;
  ldo.regulator = RegulatorKind::Ldo;
  CHECK(smps.battery_ma(1.0, 1.8, 3.0) < ldo.battery_ma(1.0, 1.8, 3.0));
}

TEST_CASE("the projection runs every phase through the regulator and adds its quiescent current") {
  Scenario s = simple(preset("er14505"), 1000, 0.1, 1000, 1.0); // 1 mA at the rail all the time
  s.supply.regulator = RegulatorKind::Ldo;
  s.supply.voltage_v = 1.8;
  s.supply.quiescent_ua = 1.0;
  Projection ldo = project(s);
  CHECK(ldo.rail_v == doctest::Approx(1.8));
  CHECK(ldo.average_ma == doctest::Approx(1.001));
  CHECK(ldo.average_mw == doctest::Approx(1.001 * 3.6));
  s.supply.regulator = RegulatorKind::Smps;
  s.supply.efficiency = 0.9;
  Projection smps = project(s);
  CHECK(smps.average_ma == doctest::Approx(1.8 / (0.9 * 3.6) + 0.001));
  CHECK(smps.life_hours > ldo.life_hours);
  bool has_quiescent = false;
  for (const auto &sh : smps.shares)
    if (sh.name == "regulator quiescent") has_quiescent = sh.battery_ma == doctest::Approx(0.001);
  CHECK(has_quiescent);
}

TEST_CASE("an LDO whose output plus dropout is above the battery's cut-off is flagged") {
  Scenario s = simple(preset("2xaa-alkaline"), 100, 0.1, 5, 1.0);
  s.supply.regulator = RegulatorKind::Ldo;
  s.supply.voltage_v = 1.8;
  s.supply.dropout_v = 0.3; // needs 2.1 V; the pack is rated down to 2.0 V
  Projection p = project(s);
  CHECK(has_warning(p, Severity::Caution, "the LDO needs 2.1 V"));
  s.supply.dropout_v = 0.1;
  CHECK_FALSE(has_warning(project(s), Severity::Caution, "the LDO needs"));
}
