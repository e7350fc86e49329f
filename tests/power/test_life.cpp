/// Battery life from first principles: capacity over current, self-discharge, series cells.
#include "helpers.h"

#include <cmath>

using namespace mcusim::power;
using namespace mcusim::power::test;

TEST_CASE("a CR2032 at 10 uA average lasts 225 mAh / 0.01 mA = 22500 h = 2.57 years before self-discharge") {
  Battery b = preset("cr2032");
  Projection p = project(simple(b, 10, 0.1, 10, 1.0)); // 10 uA in the run and asleep: 10 uA average
  CHECK(p.average_ma == doctest::Approx(0.010));
  CHECK(p.capacity_mah == doctest::Approx(225));
  CHECK(p.life_years_without_self_discharge * kHoursPerYear == doctest::Approx(22500));
  CHECK(p.life_years_without_self_discharge == doctest::Approx(2.567).epsilon(0.001));
}

TEST_CASE("self-discharge shortens the CR2032's life by the expected amount") {
  Battery b = preset("cr2032");
  REQUIRE(b.self_discharge_pct_per_year == 1.0);
  Projection p = project(simple(b, 10, 0.1, 10, 1.0));
  // 1 %/year of 225 mAh is 2.25 mAh/year = 2.25/8766 mA = 0.257 uA.
  CHECK(p.self_discharge_ma == doctest::Approx(2.25 / kHoursPerYear));
  // life = C / (I + s*C) = 225 / (0.010 + 0.000257) h = 21937 h = 2.50 years.
  double expected_h = 225.0 / (0.010 + 2.25 / kHoursPerYear);
  CHECK(p.life_hours == doctest::Approx(expected_h));
  CHECK(p.life_years == doctest::Approx(2.503).epsilon(0.001));
  CHECK(p.life_years < p.life_years_without_self_discharge);
  // The shortening is the factor 1 / (1 + s*C/I) = 1 / 1.0257.
  CHECK(p.life_years / p.life_years_without_self_discharge == doctest::Approx(1.0 / (1.0 + 0.0002567 / 0.010)).epsilon(1e-4));
  // Self-discharge appears as its own share: 0.257 / 10.257.
  REQUIRE(p.shares.back().name == "self-discharge");
  CHECK(p.shares.back().fraction == doctest::Approx(0.0002567 / 0.0102567).epsilon(1e-3));
}

TEST_CASE("self-discharge doubles for every 10 C above 20 C and is not reduced below") {
  Battery b = preset("cr2032");
  CHECK(b.self_discharge_per_year(20) == doctest::Approx(0.01));
  CHECK(b.self_discharge_per_year(30) == doctest::Approx(0.02));
  CHECK(b.self_discharge_per_year(40) == doctest::Approx(0.04));
  CHECK(b.self_discharge_per_year(25) == doctest::Approx(0.01 * std::sqrt(2.0)));
  CHECK(b.self_discharge_per_year(0) == doctest::Approx(0.01));
  Scenario s = simple(b, 10, 0.1, 10, 1.0);
  s.temperature_c = 40;
  Projection hot = project(s);
  CHECK(hot.life_hours == doctest::Approx(225.0 / (0.010 + 4 * 2.25 / kHoursPerYear)));
}

TEST_CASE("with nothing but self-discharge the life is 1/s years") {
  Battery b = preset("cr2032");
  Projection p = project(simple(b, 0, 0.1, 0, 1.0));
  CHECK(p.average_ma == 0);
  CHECK(p.life_years == doctest::Approx(100.0));
  CHECK(p.dominant == "self-discharge");
  CHECK(std::isinf(p.life_years_without_self_discharge));
  b.self_discharge_pct_per_year = 0;
  Projection q = project(simple(b, 0, 0.1, 0, 1.0));
  CHECK(std::isinf(q.life_hours));
  CHECK(has_warning(q, Severity::Note, "unbounded"));
}

TEST_CASE("2 x AA in series have the same mAh as one cell and twice its voltage") {
  Battery pack = preset("2xaa-alkaline");
  REQUIRE(pack.series == 2);
  Battery one = pack;
  one.series = 1;
  CHECK(pack.pack_nominal_v() == doctest::Approx(3.0));
  CHECK(one.pack_nominal_v() == doctest::Approx(1.5));
  CHECK(pack.pack_cutoff_v() == doctest::Approx(2 * one.pack_cutoff_v()));
  CHECK(pack.rated_capacity_mah() == doctest::Approx(2900));
  for (double ma : {0.01, 50.0, 70.0, 100.0, 400.0})
    CHECK(pack.capacity_mah(ma) == doctest::Approx(one.capacity_mah(ma)));
  // Same current drawn: the same life; the pack holds twice the energy.
  Projection pp = project(simple(pack, 1000, 0.1, 1000, 1.0));
  Projection po = project(simple(one, 1000, 0.1, 1000, 1.0));
  CHECK(pp.life_hours == doctest::Approx(po.life_hours));
  CHECK(pp.average_mw == doctest::Approx(2 * po.average_mw));
}

TEST_CASE("cells in parallel add capacity and current ratings") {
  Battery b = preset("cr2032");
  b.parallel = 2;
  CHECK(b.rated_capacity_mah() == doctest::Approx(450));
  CHECK(b.capacity_mah(2.0) == doctest::Approx(2 * preset("cr2032").capacity_mah(1.0)));
  CHECK(*b.pack_max_pulse_ma() == doctest::Approx(30));
  CHECK(b.pack_nominal_v() == doctest::Approx(3.0));
}

TEST_CASE("capacity is derated at high load, interpolated linearly in ln(current), and monotone") {
  Battery b = preset("cr2032");
  CHECK(b.capacity_mah(3.0) < b.capacity_mah(0.2));
  CHECK(b.capacity_mah(3.0) == doctest::Approx(150));
  CHECK(b.capacity_mah(0.01) == doctest::Approx(225)); // below the first point: the first capacity
  // Halfway in ln(current) between 0.2 mA and 1 mA is sqrt(0.2) mA: halfway in capacity.
  CHECK(b.capacity_mah(std::sqrt(0.2 * 1.0)) == doctest::Approx((225 + 200) / 2.0));
  CHECK_FALSE(b.beyond_rated_load(3.0));
  CHECK(b.beyond_rated_load(3.5));
  for (const std::string &name : battery_preset_names(presets())) {
    Battery c = preset(name);
    INFO(name);
    double prev = c.capacity_mah(1e-4);
    for (int k = 1; k <= 400; ++k) {
      double ma = 1e-4 * std::pow(10.0, k * 0.02); // 0.1 uA to 10 A
      double cap = c.capacity_mah(ma);
      CHECK(cap <= prev);
      CHECK(cap > 0);
      prev = cap;
    }
  }
}

TEST_CASE("a derated capacity and a load beyond the table are flagged") {
  Battery b = preset("cr2032");
  Projection p = project(simple(b, 2000, 0.5, 2000, 1.0)); // 2 mA average
  CHECK(p.capacity_mah < 0.95 * 225);
  CHECK(has_warning(p, Severity::Caution, "capacity derated"));
  Projection light = project(simple(b, 10, 0.1, 10, 1.0));
  CHECK_FALSE(has_warning(light, Severity::Caution, "capacity derated"));
}

TEST_CASE("the worked example of docs/power.md gives the numbers the document shows") {
  auto s = load_scenario(data("worked-example.toml"), presets());
  INFO((s ? std::string() : s.error().message));
  REQUIRE(s);
  Projection p = project(*s);
  // 2 mJ / 3.0 V = 0.6667 mC per run, once a second; 2 uA for the other 0.98 s.
  CHECK(p.average_ma == doctest::Approx(2.0 / 3.0 + 0.002 * 0.98));  // 0.6686 mA
  CHECK(p.average_mw == doctest::Approx(3.0 * (2.0 / 3.0 + 0.002 * 0.98))); // 2.006 mW
  CHECK(p.peak_ma == doctest::Approx(2.0 / 3.0 / 0.020));             // 33.3 mA
  // Capacity: 225 + (200 - 225) * ln(0.6686/0.2) / ln(1.0/0.2) = 206.25 mAh.
  CHECK(p.capacity_mah == doctest::Approx(206.25).epsilon(1e-4));
  CHECK(p.life_days == doctest::Approx(12.85).epsilon(1e-3));
  CHECK(p.dominant == "run");
  CHECK(has_warning(p, Severity::Exceeded, "222% of the battery's 15 mA pulse rating"));
  CHECK(has_warning(p, Severity::Caution, "capacity derated to 206.3 mAh"));
  // One inference a minute instead: 13.1 uA average, 1.92 years.
  s->period_s = 60;
  Projection slow = project(*s);
  CHECK(slow.average_ma == doctest::Approx((2.0 / 3.0 + 0.002 * 59.98) / 60)); // 0.01311 mA
  CHECK(slow.life_years == doctest::Approx(1.92).epsilon(2e-3));
}
