// The call tracker driven by synthetic event streams (no engine).
#include "core/call_tracker.h"

#include <doctest/doctest.h>
#include <map>

using namespace mcusim;

namespace {
struct FakeProbe final : CallTracker::Probe {
  uint32_t regs[16] = {};
  std::map<uint32_t, uint8_t> mem;
  uint32_t reg(int r) override { return regs[r]; }
  std::optional<uint8_t> read8(uint32_t a) override {
    auto it = mem.find(a);
    return it == mem.end() ? std::nullopt : std::optional<uint8_t>(it->second);
  }
  std::optional<uint16_t> read16(uint32_t a) override {
    auto lo = read8(a), hi = read8(a + 1);
    if (!lo || !hi) return std::nullopt;
    return uint16_t(*lo | *hi << 8);
  }
  std::optional<uint32_t> read32(uint32_t a) override {
    auto lo = read16(a), hi = read16(a + 2);
    if (!lo || !hi) return std::nullopt;
    return uint32_t(*lo | uint32_t(*hi) << 16);
  }
  void put16(uint32_t a, uint16_t v) { mem[a] = uint8_t(v), mem[a + 1] = uint8_t(v >> 8); }
  void put32(uint32_t a, uint32_t v) { put16(a, uint16_t(v)), put16(a + 2, uint16_t(v >> 16)); }
  void puts(uint32_t a, const std::string &s) {
    for (size_t i = 0; i <= s.size(); ++i) mem[a + uint32_t(i)] = i < s.size() ? uint8_t(s[i]) : 0;
  }
};

// Functions: 1 reset @0x080, 2 main @0x100, 3 leaf @0x200, 4 tail @0x300, 5 handler @0x400.
std::vector<FunctionProfile> functions() {
  return {{"(no symbol)", 0, 0, ""}, {"Reset_Handler", 0x80, 0x40, ""}, {"main", 0x100, 0x80, "main.c:3"},
          {"leaf", 0x200, 0x40, ""},  {"tail", 0x300, 0x40, ""},          {"SysTick_Handler", 0x400, 0x20, ""}};
}

struct Fixture {
  FakeProbe probe;
  CallTracker t;
  explicit Fixture(const std::string &pattern = "") {
    probe.regs[13] = 0x20001000;
    probe.put16(0x200, 0xB5F0); // leaf: push {r4-r7, lr}
    probe.put16(0x202, 0xB084); //       sub sp, #16
    t.probe = &probe;
    std::string err;
    REQUIRE(t.init(functions(), 0x81, pattern, &err));
  }
};
} // namespace

TEST_CASE("calls, returns and tail calls give self and inclusive cycles") {
  Fixture f;
  auto &t = f.t;
  // reset (10) -> calls main
  t.block(0, false, 0, 0x80, 1, 0, 10, 5, 0);
  t.block(1, true, 0x88, 0x100, 2, 0, 20, 10, 10); // main entered by a call from reset
  t.block(2, true, 0x110, 0x200, 3, 0, 30, 12, 30); // main calls leaf
  t.block(3, false, 0x220, 0x300, 4, 2, 40, 8, 60);  // leaf tail-calls tail (a plain branch): still leaf's frame
  t.block(4, false, 0x320, 0x110, 2, 0, 5, 2, 102);  // tail returns to main's call site: leaf's frame closes
  ProfileData d = t.finish(107, 0x20001000);
  REQUIRE(d.functions.size() == 6);
  CHECK(d.functions[2].self_cycles == 25);
  CHECK(d.functions[3].self_cycles == 32); // its block plus the branch cost settled at the tail call
  CHECK(d.functions[4].self_cycles == 40);
  CHECK(d.functions[3].calls == 1);
  CHECK(d.functions[4].calls == 0); // reached by a branch, not a call
  CHECK(d.functions[3].inclusive_cycles == 102 - 30); // from the call to the return, the tail call included
  CHECK(d.functions[2].inclusive_cycles == 107 - 10);
  CHECK(d.max_call_depth == 2);
  // leaf's prologue allocates 36 bytes below the SP at the call
  CHECK(d.min_sp == 0x20001000 - 36);
  uint64_t self = 0;
  for (const auto &fn : d.functions) self += fn.self_cycles;
  CHECK(self == 107);
  std::map<std::string, uint64_t> stacks(d.stacks.begin(), d.stacks.end());
  CHECK(stacks["Reset_Handler;main;leaf"] == 30 + 2);
  CHECK(stacks["Reset_Handler;main;leaf;tail"] == 40); // the tail call shows under its caller
  CHECK(stacks["Reset_Handler;main"] == 25);
}

TEST_CASE("exceptions open and close a handler frame; recursion counts once") {
  Fixture f;
  auto &t = f.t;
  t.block(0, false, 0, 0x100, 2, 0, 10, 4, 0);
  t.exception_entry(0x401, 10);
  t.block(2, false, 0x108, 0x400, 5, 0, 6, 3, 22); // 12 cycles of entry are not any function's
  t.exception_return(38);
  t.block(5, false, 0, 0x100, 2, 0, 4, 2, 48);
  t.block(2, true, 0x104, 0x100, 2, 0, 4, 2, 52); // main calls itself
  t.block(2, false, 0, 0x104, 2, 0, 4, 2, 56);    // ... and returns
  ProfileData d = t.finish(60, 0x20001000);
  CHECK(d.exceptions_taken == 1);
  CHECK(d.functions[5].calls == 1);
  CHECK(d.functions[5].inclusive_cycles == 38 - 10);
  CHECK(d.functions[2].calls == 1);
  CHECK(d.functions[2].inclusive_cycles == 56 - 52);
}

TEST_CASE("markers and pattern layers") {
  Fixture f("^leaf$");
  auto &t = f.t;
  f.probe.puts(0x3000, "conv1");
  f.probe.puts(0x3010, "CONV_2D");
  f.probe.put32(0x3100, 0x3000);
  f.probe.put32(0x3104, 0x3010);
  f.probe.put32(0x3108, 1000);
  t.block(0, false, 0, 0x100, 2, 0, 10, 4, 0);
  t.marker(1, 0x3100, 12);
  t.block(2, true, 0x110, 0x200, 3, 0, 50, 20, 20); // a call to leaf: a pattern layer, nested in conv1
  t.block(3, false, 0, 0x110, 2, 0, 5, 2, 70);
  t.marker(2, 0, 80);
  ProfileData d = t.finish(90, 0x20001000);
  REQUIRE(d.layers.size() == 2);
  CHECK(d.layers[0].name == "conv1");
  CHECK(d.layers[0].op == "CONV_2D");
  CHECK(d.layers[0].macs == 1000);
  CHECK(d.layers[0].start == 12);
  CHECK(d.layers[0].end == 80);
  CHECK(d.layers[0].depth == 0);
  CHECK(d.layers[1].name == "leaf");
  CHECK(d.layers[1].start == 20);
  CHECK(d.layers[1].end == 70);
  CHECK(d.layer_source == "markers");
  std::string err;
  CallTracker bad;
  CHECK_FALSE(bad.init(functions(), 0x81, "(unclosed", &err));
  CHECK(err.find("invalid --layer-pattern") != std::string::npos);
}

TEST_CASE("heap growth through _sbrk and malloc use") {
  FakeProbe probe;
  CallTracker t;
  t.probe = &probe;
  std::string err;
  REQUIRE(t.init({{"(no symbol)", 0, 0, ""}, {"main", 0x100, 0x80, ""}, {"_sbrk", 0x200, 0x20, ""}, {"malloc", 0x300, 0x20, ""}},
                 0x101, "", &err));
  probe.regs[13] = 0x20001000;
  probe.regs[0] = 512;
  t.block(0, false, 0, 0x100, 1, 0, 5, 2, 0);
  t.block(1, true, 0x104, 0x300, 3, 0, 5, 2, 5); // malloc
  t.block(3, true, 0x308, 0x200, 2, 0, 5, 2, 10); // _sbrk(512)
  ProfileData d = t.finish(20, 0x20001000);
  CHECK(d.malloc_used);
  CHECK(d.heap_bytes == 512);
}

TEST_CASE("TFLM profiler events are numbered with the interpreter invocation they ran in, set-up events none") {
  FakeProbe probe;
  probe.regs[13] = 0x20001000;
  probe.puts(0x3000, "InitializeRunner");
  probe.puts(0x3020, "CONV_2D");
  CallTracker t;
  t.probe = &probe;
  std::string err;
  REQUIRE(t.init({{"(no symbol)", 0, 0, ""},
                  {"Reset_Handler", 0x80, 0x40, ""},
                  {"main", 0x100, 0x80, ""},
                  {"tflite::MicroProfiler::BeginEvent(char const*)", 0x200, 0x40, ""},
                  {"tflite::MicroProfiler::EndEvent(unsigned long)", 0x240, 0x40, ""},
                  {"tflite::MicroInterpreterGraph::InvokeSubgraph(int)", 0x300, 0x40, ""},
                  {"kernel", 0x400, 0x40, ""}},
                 0x81, "", &err));
  auto event = [&](uint32_t caller, uint32_t ret, uint32_t tag, uint64_t now) {
    probe.regs[1] = tag;
    t.block(caller, true, ret, 0x200, 3, 0, 5, 1, now); // BeginEvent(tag)
    t.block(3, false, 0, ret, caller, 0, 5, 1, now + 5);
    t.block(caller, true, ret + 4, 0x240, 4, 0, 5, 1, now + 10); // EndEvent
    t.block(4, false, 0, ret + 4, caller, 0, 5, 1, now + 15);
  };
  t.block(0, false, 0, 0x80, 1, 0, 10, 1, 0);
  t.block(1, true, 0x88, 0x100, 2, 0, 10, 1, 10); // main
  event(2, 0x110, 0x3000, 20);                   // set-up, outside any invocation
  for (int n = 0; n < 2; ++n) {
    uint64_t at = 100 + uint64_t(n) * 100;
    t.block(2, true, 0x118, 0x300, 5, 0, 5, 1, at); // InvokeSubgraph
    event(5, 0x310, 0x3020, at + 10);
    t.block(5, false, 0, 0x118, 2, 0, 5, 1, at + 40); // back in main
  }
  ProfileData d = t.finish(400, 0x20001000);
  REQUIRE(d.layers.size() == 3);
  CHECK(d.layers[0].name == "InitializeRunner");
  CHECK(d.layers[0].invocation == 0);
  CHECK(d.layers[1].name == "CONV_2D");
  CHECK(d.layers[1].invocation == 1);
  CHECK(d.layers[2].invocation == 2);
  CHECK(d.layer_source == "tflm-profiler");
}

#include "profiler/layer_table.h"

TEST_CASE("ITM markers: an INVOKE marker brackets an invocation, the markers inside are its layers, one outside is set-up") {
  Fixture f;
  auto &t = f.probe;
  auto descriptor = [&](uint32_t at, const std::string &name, const std::string &op, uint32_t macs) {
    t.puts(at + 0x20, name);
    t.puts(at + 0x40, op);
    t.put32(at, at + 0x20);
    t.put32(at + 4, at + 0x40);
    t.put32(at + 8, macs);
  };
  descriptor(0x3000, "preprocess", "", 0);
  descriptor(0x3100, "inference", kInvokeOp, 0);
  descriptor(0x3200, "conv1", "CONV_2D", 900);
  descriptor(0x3300, "fc1", "FULLY_CONNECTED", 0);
  f.t.block(0, false, 0, 0x100, 2, 0, 10, 4, 0);
  f.t.marker(1, 0x3000, 10), f.t.marker(2, 0, 30); // set-up
  for (uint64_t at : {100u, 300u}) {
    f.t.marker(1, 0x3100, at);
    f.t.marker(1, 0x3200, at + 5), f.t.marker(2, 0, at + 65);
    f.t.marker(1, 0x3300, at + 65), f.t.marker(2, 0, at + 90);
    f.t.marker(2, 0, at + 95);
  }
  ProfileData d = f.t.finish(500, 0x20001000);
  REQUIRE(d.layers.size() == 7);
  CHECK(d.layers[2].depth == 1);
  LayerTable lt = tabulate_layers(d.layers, d.layer_source, 1e6, 500);
  CHECK(lt.invocation_rule == "invoke-marker");
  CHECK(lt.invocations == 2);
  CHECK(lt.outside == 1);
  REQUIRE(lt.rows.size() == 2);
  CHECK(lt.rows[0].name == "conv1");
  CHECK(lt.rows[0].cycles == 120);
  CHECK(*lt.rows[0].macs == 900);
  CHECK(*lt.rows[0].cycles_per_mac == doctest::Approx(120.0 / 1800));
  CHECK(lt.rows[1].name == "fc1");
  CHECK(lt.rows[1].node == 1);
  CHECK_FALSE(lt.rows[1].cycles_per_mac);
}
