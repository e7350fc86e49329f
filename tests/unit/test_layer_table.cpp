// Layer rows from synthetic layer regions (no firmware): invocations, nodes,
// per-invocation statistics, set-up regions, the per-operator summary.
#include "profiler/layer_table.h"

#include <doctest/doctest.h>

using namespace mcusim;

namespace {
LayerRecord region(const std::string &name, const std::string &op, uint64_t start, uint64_t end, uint32_t invocation = 0,
                   uint32_t depth = 0, uint64_t macs = 0) {
  LayerRecord l;
  l.name = name;
  l.op = op;
  l.start = start;
  l.end = end;
  l.invocation = invocation;
  l.depth = depth;
  l.macs = macs;
  return l;
}
} // namespace

TEST_CASE("two invocations of a 3-node graph with two nodes of one operator give 3 rows of 2 invocations each") {
  // conv_a (CONV_2D), relu (RELU), conv_b (CONV_2D), twice; a set-up region before.
  std::vector<LayerRecord> recs = {
      region("InitializeKeywordRunner", "", 0, 50),               // outside every invocation: set-up
      region("conv_a", "CONV_2D", 100, 200, 1), region("relu", "RELU", 200, 210, 1), region("conv_b", "CONV_2D", 210, 250, 1),
      region("conv_a", "CONV_2D", 300, 420, 2), region("relu", "RELU", 420, 426, 2), region("conv_b", "CONV_2D", 426, 470, 2),
  };
  LayerTable t = tabulate_layers(recs, "markers", 1e6, 1000);
  CHECK(t.invocation_rule == "interpreter");
  CHECK(t.invocations == 2);
  CHECK(t.outside == 1);
  REQUIRE(t.rows.size() == 3);
  CHECK(t.rows[0].node == 0);
  CHECK(t.rows[0].name == "conv_a");
  CHECK(t.rows[1].node == 1);
  CHECK(t.rows[1].name == "relu");
  CHECK(t.rows[2].node == 2);
  CHECK(t.rows[2].name == "conv_b");
  for (const auto &r : t.rows) CHECK(r.invocations == 2);
  CHECK(t.rows[0].cycles == 220);
  CHECK(t.rows[0].mean_cycles == doctest::Approx(110));
  CHECK(*t.rows[0].min_cycles == 100);
  CHECK(*t.rows[0].max_cycles == 120);
  CHECK(t.rows[0].mean_us == doctest::Approx(110)); // 1 MHz: one cycle is 1 us
  CHECK(t.rows[0].min_us == doctest::Approx(100));
  CHECK(t.rows[0].max_us == doctest::Approx(120));
  CHECK(*t.rows[1].min_cycles == 6);
  CHECK(*t.rows[1].max_cycles == 10);
  CHECK(*t.rows[2].min_cycles == 40);
  CHECK(*t.rows[2].max_cycles == 44);
  CHECK(t.rows[0].share == doctest::Approx(0.22));
  for (const auto &r : t.rows) {
    CHECK_FALSE(r.macs);           // unknown: no MACs given
    CHECK_FALSE(r.cycles_per_mac); // never 0 for unknown
  }
}

TEST_CASE("set-up regions outside an invocation are not rows") {
  // TFLM: an application's profiler event around set-up (with a nested
  // event), then one invocation of the interpreter.
  std::vector<LayerRecord> recs = {region("InitializeKeywordRunner", "", 0, 100, 0, 0), region("AllocateTensors", "", 10, 90, 0, 1),
                                   region("SVDF", "", 200, 300, 1, 0), region("SVDF", "", 300, 350, 1, 0),
                                   region("FULLY_CONNECTED", "", 350, 380, 1, 0)};
  LayerTable t = tabulate_layers(recs, "tflm-profiler", 1e6, 400);
  CHECK(t.outside == 1);
  REQUIRE(t.rows.size() == 3); // two SVDF nodes stay two rows
  CHECK(t.rows[0].node == 0);
  CHECK(t.rows[1].node == 1);
  CHECK(t.rows[0].op == "SVDF"); // TFLM's tag is the operator
  CHECK(t.rows[1].op == "SVDF");
  CHECK(t.rows[0].cycles == 100);
  CHECK(t.rows[1].cycles == 50);
  for (const auto &r : t.rows) CHECK(r.name != "InitializeKeywordRunner");

  SUBCASE("an event around the whole invocation (before the interpreter is entered) is set-up, the ops inside are layers") {
    std::vector<LayerRecord> wrapped = {region("Invoke", "", 0, 100, 0, 0), region("CONV_2D", "", 10, 60, 1, 1),
                                        region("RELU", "", 60, 90, 1, 1)};
    LayerTable w = tabulate_layers(wrapped, "tflm-profiler", 1e6, 100);
    REQUIRE(w.rows.size() == 2);
    CHECK(w.rows[0].op == "CONV_2D");
    CHECK(w.rows[1].node == 1);
    CHECK(w.outside == 1);
  }
}

TEST_CASE("markers: an outermost INVOKE marker is an invocation, other outermost markers are set-up") {
  std::vector<LayerRecord> recs = {region("preprocess", "", 0, 40),
                                   region("inference", kInvokeOp, 50, 200), region("conv1", "CONV_2D", 60, 150, 0, 1, 900),
                                   region("im2col", "", 70, 80, 0, 2), region("fc1", "FULLY_CONNECTED", 150, 190, 0, 1, 100),
                                   region("inference", kInvokeOp, 250, 400), region("conv1", "CONV_2D", 260, 340, 0, 1, 900),
                                   region("fc1", "FULLY_CONNECTED", 340, 390, 0, 1, 100)};
  LayerTable t = tabulate_layers(recs, "markers", 1e6, 500);
  CHECK(t.invocation_rule == "invoke-marker");
  CHECK(t.invocations == 2);
  CHECK(t.outside == 1);
  REQUIRE(t.rows.size() == 2);
  CHECK(t.rows[0].name == "conv1");
  CHECK(t.rows[0].cycles == 170);
  REQUIRE(t.rows[0].macs);
  CHECK(*t.rows[0].macs == 900); // per invocation
  REQUIRE(t.rows[0].cycles_per_mac);
  CHECK(*t.rows[0].cycles_per_mac == doctest::Approx(170.0 / 1800.0));
  CHECK(t.rows[1].name == "fc1");
  CHECK(t.rows[1].node == 1);
}

TEST_CASE("markers without an INVOKE marker: the repeated sequence of outermost layers gives the invocations") {
  std::vector<LayerRecord> recs;
  for (int n = 0; n < 3; ++n) {
    uint64_t b = uint64_t(n) * 100;
    recs.push_back(region("conv1", "CONV_2D", b, b + 50));
    recs.push_back(region("relu1", "RELU", b + 50, b + 60));
    recs.push_back(region("fc1", "FULLY_CONNECTED", b + 60, b + 90 + uint64_t(n)));
  }
  LayerTable t = tabulate_layers(recs, "markers", 1e6, 300);
  CHECK(t.invocation_rule == "repeated-sequence");
  CHECK(t.invocations == 3);
  CHECK(t.outside == 0);
  REQUIRE(t.rows.size() == 3);
  CHECK(t.rows[2].name == "fc1");
  CHECK(t.rows[2].node == 2);
  CHECK(t.rows[2].invocations == 3);
  CHECK(*t.rows[2].min_cycles == 30);
  CHECK(*t.rows[2].max_cycles == 32);
}

TEST_CASE("the per-operator summary sums the layers of each operator") {
  std::vector<LayerRecord> recs = {region("conv_a", "CONV_2D", 100, 200, 1, 0, 50), region("relu", "RELU", 200, 210, 1),
                                   region("conv_b", "CONV_2D", 210, 250, 1, 0, 50), region("conv_a", "CONV_2D", 300, 420, 2, 0, 50),
                                   region("relu", "RELU", 420, 426, 2), region("conv_b", "CONV_2D", 426, 470, 2, 0, 50)};
  LayerTable t = tabulate_layers(recs, "markers", 2e6, 1000);
  REQUIRE(t.operators.size() == 2);
  CHECK(t.operators[0].op == "CONV_2D"); // most cycles first
  CHECK(t.operators[0].layers == 2);
  CHECK(t.operators[0].invocations == 4);
  CHECK(t.operators[0].cycles == 100 + 40 + 120 + 44);
  CHECK(t.operators[0].ms == doctest::Approx(304 / 2e6 * 1e3));
  REQUIRE(t.operators[0].cycles_per_mac);
  CHECK(*t.operators[0].cycles_per_mac == doctest::Approx(304.0 / 200.0));
  CHECK(t.operators[1].op == "RELU");
  CHECK(t.operators[1].cycles == 16);
  CHECK_FALSE(t.operators[1].cycles_per_mac);
  uint64_t rows = 0, ops = 0;
  for (const auto &r : t.rows) rows += r.cycles;
  for (const auto &o : t.operators) ops += o.cycles;
  CHECK(rows == ops);
}
