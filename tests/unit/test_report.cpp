#include "profiler/run_report.h"
#include "profiler/call_tracker.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "helpers.h"

using namespace mcusim;

namespace {
std::pair<RunResult, RunReport> profiled_run(const std::string &name, const std::string &device, const std::string &cmdline = "") {
  auto elf = load_elf(test::firmware(name));
  REQUIRE(elf);
  auto dev = find_device(device);
  REQUIRE(dev);
  test::CaptureConsole console;
  RunOptions o;
  o.profile = true;
  o.profile_listener = [] { return std::make_unique<CallTracker>(); };
  o.cmdline = cmdline;
  auto sim = Simulator::create(*dev, *elf, o, console);
  REQUIRE(sim);
  RunResult r = (*sim)->run();
  return {r, build_report(r, *elf, *dev, (*sim)->timing_description())};
}
} // namespace

TEST_CASE("the function profile accounts for every cycle") {
  if (!test::have_firmware("crc32-stm32f407")) return;
  auto [r, rep] = profiled_run("crc32-stm32f407", "stm32f407");
  REQUIRE(r.reason == StopReason::Exited);
  REQUIRE(r.profile);
  uint64_t self = 0, insns = 0;
  for (const auto &f : r.profile->functions) self += f.self_cycles, insns += f.self_instructions;
  CHECK(self + r.profile->unattributed_cycles == r.cycles);
  CHECK(insns == r.instructions);
  REQUIRE(!rep.functions.empty());
  CHECK(rep.functions[0].name == "main"); // the CRC loop is inlined into main
  CHECK(rep.functions[0].self_share > 0.9);
  CHECK(rep.functions[0].calls == 1);
  CHECK(rep.functions[0].inclusive_cycles >= rep.functions[0].self_cycles);
  CHECK(rep.stack.used > 0);
  CHECK(rep.stack.used < 4096);
  CHECK_FALSE(rep.stack.overflow);
  CHECK(rep.heap.malloc_used); // newlib's stdio allocates its buffers
}

TEST_CASE("call counts and inclusive time follow calls, returns and interrupts") {
  if (!test::have_firmware("selftest-stm32f407")) return;
  auto [r, rep] = profiled_run("selftest-stm32f407", "stm32f407");
  REQUIRE(r.reason == StopReason::Exited);
  const RunReport &report = rep; // clang before 16 cannot capture a structured binding
  auto find = [&report](const std::string &n) -> const RunReport::Function * {
    for (const auto &f : report.functions)
      if (f.name == n) return &f;
    return nullptr;
  };
  const auto *tick = find("SysTick_Handler");
  REQUIRE(tick);
  CHECK(tick->calls >= 5); // one frame per interrupt taken
  CHECK(rep.exceptions_taken >= tick->calls);
  const auto *main_fn = find("main");
  REQUIRE(main_fn);
  CHECK(main_fn->calls == 1);
  // main runs the whole test: its inclusive time is most of the run.
  CHECK(main_fn->inclusive_cycles > r.cycles / 2);
  uint64_t self = 0;
  for (const auto &f : r.profile->functions) self += f.self_cycles;
  CHECK(self + r.profile->unattributed_cycles == r.cycles);
}

TEST_CASE("reports are deterministic and the JSON follows its schema") {
  if (!test::have_firmware("matmul-stm32h7a3")) return;
  auto a = profiled_run("matmul-stm32h7a3", "stm32h7a3", "matmul 1");
  auto b = profiled_run("matmul-stm32h7a3", "stm32h7a3", "matmul 1");
  auto ja = nlohmann::json::parse(render_json(a.second)), jb = nlohmann::json::parse(render_json(b.second));
  ja.erase("host");
  jb.erase("host");
  CHECK(ja == jb);
  CHECK(render_text(a.second).substr(0, 200) == render_text(b.second).substr(0, 200));
  CHECK(ja["schema"] == "mcusim-run-report");
  CHECK(ja["schema_version"] == RunReport::kSchemaVersion);
  CHECK(ja["totals"]["cycles"].get<uint64_t>() == a.first.cycles);
  CHECK(ja["profile"]["functions"].size() > 3);
  CHECK(ja["memory"]["regions"].size() >= 2);
  std::string md = render_markdown(a.second);
  CHECK(md.find("| cycles |") != std::string::npos);
  CHECK(md.find("`main`") != std::string::npos);
}

#include "profiler/timeline.h"

TEST_CASE("flame-graph stacks add up to the run and the trace holds layers and calls") {
  if (!test::have_firmware("layers-stm32f407")) return;
  auto [r, rep] = profiled_run("layers-stm32f407", "stm32f407");
  REQUIRE(r.profile);
  uint64_t total = 0;
  bool main_path = false;
  for (const auto &[path, cycles] : r.profile->stacks) {
    total += cycles;
    main_path |= path.rfind("Reset_Handler;main", 0) == 0;
  }
  CHECK(total + r.profile->unattributed_cycles == r.cycles);
  CHECK(main_path);
  std::string folded = render_folded(*r.profile);
  CHECK(folded.find("Reset_Handler;main ") != std::string::npos);
  auto trace = nlohmann::json::parse(render_trace(*r.profile, r.hz, "layers"));
  int layers = 0, calls = 0;
  for (const auto &e : trace["traceEvents"]) {
    if (e["ph"] != "X") continue;
    if (e["cat"] == "layer") ++layers;
    if (e["cat"] == "function") ++calls;
    CHECK(e["dur"].get<double>() >= 0);
  }
  CHECK(layers == 9); // 3 layers x 3 inferences
  CHECK(calls > 10);
  REQUIRE(rep.layers.size() == 3);
  CHECK(rep.layers[0].name == "conv1");
  CHECK(rep.layers[0].invocations == 3);
  REQUIRE(rep.layers[0].macs);
  CHECK(*rep.layers[0].macs == 900); // of one invocation
  REQUIRE(rep.layers[0].cycles_per_mac);
  CHECK(*rep.layers[0].cycles_per_mac > 1.0);
  CHECK(rep.layer_invocations == 3); // conv1, relu1, fc1 repeated: three invocations
  CHECK(rep.layers[2].node == 2);
  CHECK_FALSE(rep.layers[1].macs); // relu1 gives no MACs
  CHECK_FALSE(rep.layers[1].cycles_per_mac);
}
