/// The battery presets: all present, all parse, every figure with its source.
#include "helpers.h"

#include <toml++/toml.h>

using namespace mcusim::power;
using namespace mcusim::power::test;

TEST_CASE("the preset library holds the six batteries") {
  CHECK(battery_preset_names(presets()) ==
        std::vector<std::string>{"18650-li-ion", "2xaa-alkaline", "cr2032", "cr2450", "er14505", "lipo-1000mah"});
}

TEST_CASE("every preset parses, is named for its file and gives every figure a source") {
  for (const std::string &name : battery_preset_names(presets())) {
    INFO(name);
    Battery b = preset(name);
    CHECK(b.name == name);
    CHECK_FALSE(b.title.empty());
    CHECK(b.nominal_v > b.cutoff_v);
    CHECK_FALSE(b.capacity.empty());
    CHECK(b.min_temperature_c.has_value());
    CHECK(b.max_temperature_c.has_value());
    // Sources: read the file again as plain TOML.
    toml::table t = toml::parse_file((presets()[0] / (name + ".toml")).string());
    for (const char *table : {"voltage", "self_discharge", "limits", "temperature"}) {
      INFO(table);
      CHECK(t[table]["source"].value_or(std::string()).size() > 10);
    }
    for (auto &&point : *t["capacity"].as_array()) CHECK(point.as_table()->get("source") != nullptr);
  }
}

TEST_CASE("the presets hold the reference figures") {
  Battery cr2032 = preset("cr2032");
  CHECK(cr2032.pack_nominal_v() == 3.0);
  CHECK(cr2032.pack_cutoff_v() == 2.0);
  CHECK(cr2032.rated_capacity_mah() == 225);
  CHECK(*cr2032.max_continuous_ma == 3);
  CHECK(*cr2032.max_pulse_ma == 15);
  Battery aa = preset("2xaa-alkaline");
  CHECK(aa.capacity_mah(50) == 2900);
  CHECK(aa.capacity_mah(100) == 2700);
  CHECK(aa.capacity_mah(250) == 2300);
  CHECK(aa.capacity_mah(500) == 2000);
  CHECK(aa.pack_nominal_v() == 3.0);
  Battery li = preset("18650-li-ion");
  CHECK(li.capacity_mah(335) == 3280);
  CHECK(li.pack_cutoff_v() == 2.5);
  Battery er = preset("er14505");
  CHECK(er.pack_nominal_v() == 3.6);
  CHECK(er.self_discharge_pct_per_year == 1);
  CHECK(preset("cr2450").rated_capacity_mah() == 550);
  CHECK(preset("lipo-1000mah").rated_capacity_mah() == 1000);
}

TEST_CASE("presets are looked up in the directories given") {
  auto b = load_battery_preset("cr2032", {data("no-such-dir")});
  REQUIRE_FALSE(b);
  CHECK(b.error().message == "unknown battery preset 'cr2032' (presets: none found)");
  auto c = load_battery_preset("Custom-NiMH-AAA", {data("")});
  INFO((c ? std::string() : c.error().message));
  REQUIRE(c);
  CHECK(c->rated_capacity_mah() == 800);
}
