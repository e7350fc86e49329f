/// Warnings where a design breaks the cell's ratings.
#include "helpers.h"

using namespace mcusim::power;
using namespace mcusim::power::test;

TEST_CASE("a 15 mA pulse on a CR2032 is at its pulse limit, 20 mA breaks it") {
  Battery b = preset("cr2032");
  REQUIRE(*b.max_pulse_ma == 15);
  Projection at = project(simple(b, 15000, 0.010, 0, 10.0)); // 15 mA for 10 ms every 10 s
  CHECK(at.peak_ma == doctest::Approx(15));
  CHECK(has_warning(at, Severity::Caution, "100% of the battery's 15 mA pulse rating"));
  CHECK(at.worst() == Severity::Caution);

  Projection over = project(simple(b, 20000, 0.010, 0, 10.0));
  CHECK(has_warning(over, Severity::Exceeded, "133% of the battery's 15 mA pulse rating"));
  CHECK(over.worst() == Severity::Exceeded);
  CHECK(over.warnings.front().severity == Severity::Exceeded); // most severe first

  Projection low = project(simple(b, 5000, 0.010, 0, 10.0)); // a third of the rating: no pulse warning
  CHECK_FALSE(low.worst().has_value());
}

TEST_CASE("the peak adds continuous loads to the largest pulse, a radio burst can be the peak") {
  Scenario s = simple(preset("cr2032"), 5000, 0.010, 2, 1.0);
  Load sensor;
  sensor.name = "sensor";
  sensor.current_ua = 1000;
  Load radio;
  radio.name = "radio";
  radio.energy_mj = 0.36; // 0.36 mJ / 3 V = 0.12 mA*s, over 10 ms: 12 mA
  radio.every_runs = 10;
  radio.duration_s = 0.010;
  s.loads = {sensor, radio};
  Projection p = project(s);
  CHECK(p.peak_ma == doctest::Approx(12 + 1));
  CHECK(has_warning(p, Severity::Caution, "(radio)"));
  // Average: run 5 mA * 10 ms + sleep 2 uA * 990 ms + sensor 1 mA * 1 s + radio 0.12 mA*s / 10, per second.
  double expected = 5 * 0.010 + 0.002 * 0.990 + 1.0 + 0.12 / 10;
  CHECK(p.average_ma == doctest::Approx(expected));
  CHECK(p.dominant == "sensor");
  double sum = 0;
  for (const auto &sh : p.shares) sum += sh.fraction;
  CHECK(sum == doctest::Approx(1.0));
}

TEST_CASE("an average above the continuous rating is exceeded, near it is a caution") {
  Battery b = preset("cr2032");
  CHECK(has_warning(project(simple(b, 3500, 0.5, 3500, 1.0)), Severity::Exceeded, "3.5 mA is 117% of the battery's 3 mA continuous rating"));
  CHECK(has_warning(project(simple(b, 2500, 0.5, 2500, 1.0)), Severity::Caution, "continuous rating: at its limit"));
  CHECK_FALSE(has_warning(project(simple(b, 1000, 0.5, 1000, 1.0)), Severity::Caution, "continuous rating"));
}

TEST_CASE("a temperature outside the cell's range is exceeded, cold adds a note") {
  Scenario s = simple(preset("cr2032"), 10, 0.1, 10, 1.0);
  s.temperature_c = 70;
  CHECK(has_warning(project(s), Severity::Exceeded, "above the battery's operating range"));
  s.temperature_c = -30;
  Projection cold = project(s);
  CHECK(has_warning(cold, Severity::Exceeded, "below the battery's operating range"));
  CHECK(has_warning(cold, Severity::Note, "not modelled"));
  s.temperature_c = 25;
  CHECK_FALSE(project(s).worst().has_value());
}

TEST_CASE("a burst without a duration gets a note that its peak is unknown") {
  Scenario s = simple(preset("cr2032"), 10, 0.1, 2, 1.0);
  Load radio;
  radio.name = "radio";
  radio.energy_mj = 1;
  s.loads = {radio};
  CHECK(has_warning(project(s), Severity::Note, "peak current of 'radio' is not known"));
}
