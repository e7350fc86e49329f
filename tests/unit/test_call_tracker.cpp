// The call tracker driven by synthetic event streams (no engine).
#include "profiler/call_tracker.h"
#include "core/arena_use.h"

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

enum Fn : uint32_t { kReset = 1, kMain, kLeaf, kTail, kHandler, kDmul, kDmulInner, kWork, kDeep, kLongjmp, kUidivmod, kUdivsi3 };

// Functions, sorted by address; each starts at 0x100 * index.
std::vector<FunctionProfile> functions() {
  return {{"(no symbol)", 0, 0, ""},          {"Reset_Handler", 0x100, 0x80, ""}, {"main", 0x200, 0x80, "main.c:3"},
          {"leaf", 0x300, 0x40, ""},           {"tail", 0x400, 0x40, ""},          {"SysTick_Handler", 0x500, 0x20, ""},
          {"__aeabi_dmul", 0x600, 0x80, ""},   {"__dmul_inner", 0x700, 0x40, ""},  {"work", 0x800, 0x40, ""},
          {"deep", 0x900, 0x40, ""},           {"longjmp", 0xA00, 0x40, ""},       {"__aeabi_uidivmod", 0xB00, 0x10, ""},
          {"__udivsi3", 0xC00, 0x100, ""}};
}
constexpr uint32_t kStackTop = 0x20001000;

/// Feeds blocks as the block hook would: each block names its address, its
/// cycles, the SP at its start and whether it ends in BL/BLX (falling
/// through to `ft`). Every block is one instruction.
struct Stream {
  FakeProbe probe;
  CallTracker t;
  uint64_t now = 0;
  uint32_t prev_func = 0, prev_ft = 0;
  bool prev_call = false;
  explicit Stream(const std::string &pattern = "", std::vector<FunctionProfile> fns = functions()) {
    probe.regs[13] = kStackTop;
    probe.put16(0x300, 0xB5F0); // leaf: push {r4-r7, lr}
    probe.put16(0x302, 0xB084); //       sub sp, #16
    t.probe = &probe;
    std::string err;
    REQUIRE(t.init(std::move(fns), 0x101, pattern, &err));
  }
  void run(uint32_t addr, uint32_t cycles, uint32_t sp, uint32_t call_ft = 0) {
    probe.regs[13] = sp;
    uint32_t func = t.func_of(addr);
    t.block(prev_func, prev_call, prev_ft, addr, func, 0, cycles, 1, now);
    now += cycles;
    prev_func = func, prev_call = call_ft != 0, prev_ft = call_ft;
  }
  void exception_entry(uint32_t handler, uint32_t sp, uint32_t entry_cycles) {
    now += entry_cycles;
    probe.regs[13] = sp;
    t.exception_entry(handler, now);
    prev_func = 0, prev_call = false, prev_ft = 0;
  }
  void exception_return(uint32_t sp, uint32_t exit_cycles) {
    t.exception_return(now);
    now += exit_cycles;
    probe.regs[13] = sp;
    prev_func = 0, prev_call = false, prev_ft = 0;
  }
  ProfileData finish() { return t.finish(now, kStackTop); }
};

std::map<std::string, uint64_t> stacks_of(const ProfileData &d) { return {d.stacks.begin(), d.stacks.end()}; }

/// The report's contract: inclusive >= self, a call for every function with
/// self cycles, and the self cycles plus the unattributed ones make the run.
void check_invariants(const ProfileData &d, uint64_t total) {
  uint64_t self = 0;
  for (const auto &f : d.functions) {
    INFO(f.name);
    CHECK(f.inclusive_cycles >= f.self_cycles);
    if (f.self_cycles) CHECK(f.calls >= 1);
    self += f.self_cycles;
  }
  CHECK(self + d.unattributed_cycles == total);
  uint64_t stacked = 0;
  for (const auto &s : d.stacks) stacked += s.second;
  CHECK(stacked == self);
}
} // namespace

TEST_CASE("calls and returns give self and inclusive cycles, the reset handler being the root frame") {
  Stream s;
  s.run(0x100, 10, kStackTop, 0x104);       // Reset_Handler: bl main
  s.run(0x200, 20, kStackTop, 0x210);       // main (entered with the SP at the call): push; bl leaf
  s.run(0x300, 30, kStackTop - 8);          // leaf: push {r4-r7, lr}; sub sp, #16
  s.run(0x320, 5, kStackTop - 44);          // leaf: pop {.., pc}
  s.run(0x210, 7, kStackTop - 8);           // back in main, the SP at leaf's entry
  s.run(0x104, 3, kStackTop);               // back in Reset_Handler
  ProfileData d = s.finish();
  check_invariants(d, 75);
  CHECK(d.functions[kReset].calls == 1);
  CHECK(d.functions[kReset].self_cycles == 13);
  CHECK(d.functions[kReset].inclusive_cycles == 75);
  CHECK(d.functions[kMain].calls == 1);
  CHECK(d.functions[kMain].inclusive_cycles == 62);
  CHECK(d.functions[kLeaf].inclusive_cycles == 35);
  CHECK(d.functions[kLeaf].self_instructions == 2);
  CHECK(d.max_call_depth == 2);
  CHECK(d.min_sp == kStackTop - 8 - 36); // leaf's prologue allocates 36 bytes
  auto st = stacks_of(d);
  CHECK(st["Reset_Handler;main;leaf"] == 35);
  CHECK(st["Reset_Handler"] == 13);
  // The trace: every activation, the root at depth 0.
  REQUIRE(d.calls.size() == 3);
  CHECK(d.calls[0].func == kReset);
  CHECK(d.calls[0].depth == 0);
  CHECK(d.calls[2].func == kLeaf);
  CHECK(d.calls[2].depth == 2);
  CHECK(d.calls[2].end == 65);
}

TEST_CASE("a tail call is a call: its own frame, returning to where its caller would have") {
  Stream s;
  s.run(0x100, 10, kStackTop, 0x104);
  s.run(0x200, 20, kStackTop, 0x210);      // main: bl leaf
  s.run(0x300, 30, kStackTop - 8);         // leaf ... pop, b.w tail
  s.run(0x400, 40, kStackTop - 8);         // tail: entered by a branch, SP back at leaf's entry
  s.run(0x210, 5, kStackTop - 8);          // tail: bx lr returns to main
  s.run(0x220, 5, kStackTop - 8);
  ProfileData d = s.finish();
  check_invariants(d, 110);
  CHECK(d.functions[kTail].calls == 1);
  CHECK(d.functions[kTail].self_cycles == 40);
  CHECK(d.functions[kTail].inclusive_cycles == 40);
  CHECK(d.functions[kLeaf].inclusive_cycles == 30);
  CHECK(d.functions[kMain].inclusive_cycles == 100);
  CHECK(d.max_call_depth == 2); // tail replaced leaf on the stack
  auto st = stacks_of(d);
  CHECK(st["Reset_Handler;main;tail"] == 40);
  CHECK(st["Reset_Handler;main;leaf"] == 30);

  SUBCASE("the M0+ divide: __aeabi_uidivmod branches to __udivsi3") {
    Stream m;
    for (int i = 0; i < 3; ++i) {
      m.run(0x200, 4, kStackTop, 0x204);  // main: bl __aeabi_uidivmod
      m.run(0xB00, 2, kStackTop);         // cmp r1, #0; b __udivsi3
      m.run(0xC00, 30, kStackTop);        // __udivsi3 ... bx lr
      m.run(0x204, 1, kStackTop);
    }
    ProfileData e = m.finish();
    check_invariants(e, 111);
    CHECK(e.functions[kUdivsi3].calls == 3);
    CHECK(e.functions[kUdivsi3].inclusive_cycles == 90);
    CHECK(e.functions[kUidivmod].calls == 3);
    CHECK(e.max_call_depth == 2); // main (reached from the root by a branch), then the divide
  }
}

TEST_CASE("recursion counts once in the inclusive cycles, and a branch to a return address inside the frame is no return") {
  Stream s;
  s.run(0x100, 1, kStackTop, 0x104);        // bl main
  s.run(0x200, 10, kStackTop, 0x210);       // main: push; bl main (recursion 1)
  s.run(0x200, 10, kStackTop - 8, 0x210);   // main: push; bl main (recursion 2)
  s.run(0x200, 10, kStackTop - 16);         // main: push
  s.run(0x220, 10, kStackTop - 24);         // innermost: a loop branches back to 0x210 with its frame allocated
  s.run(0x210, 10, kStackTop - 24);         //   ... not a return
  s.run(0x230, 10, kStackTop - 24);         //   ... pop {pc}
  s.run(0x210, 10, kStackTop - 16);         // returned to recursion 1
  s.run(0x210, 10, kStackTop - 8);          // returned to the outer main
  s.run(0x104, 1, kStackTop);               // returned to Reset_Handler
  ProfileData d = s.finish();
  check_invariants(d, 82);
  CHECK(d.functions[kMain].calls == 3);
  CHECK(d.functions[kMain].self_cycles == 80);
  CHECK(d.functions[kMain].inclusive_cycles == 80); // not 80 + 60 + 40
  CHECK(d.max_call_depth == 3);
  auto st = stacks_of(d);
  CHECK(st["Reset_Handler;main;main;main"] == 40);
  CHECK(st["Reset_Handler;main;main"] == 10 + 10);
}

TEST_CASE("a return past a frame: bleq to a routine that returns to its caller's caller") {
  // __aeabi_dmul pushes 16 bytes and makes a conditional call to an inner
  // routine, which pops dmul's registers and returns straight to dmul's caller.
  Stream s;
  s.run(0x100, 1, kStackTop, 0x104);
  for (int i = 0; i < 50; ++i) {
    s.run(0x200, 2, i ? kStackTop - 8 : kStackTop, 0x210); // main: bl __aeabi_dmul
    s.run(0x600, 5, kStackTop - 24, 0x640);  // dmul: push {r4-r6, lr}; ... bleq __dmul_inner
    s.run(0x640, 3, kStackTop - 24);         // that bleq was not taken: its fall-through
    s.run(0x650, 1, kStackTop - 24, 0x654);  // bleq again, taken
    s.run(0x700, 6, kStackTop - 24);         // inner: pop {r4-r6, pc} -> main
    s.run(0x210, 1, kStackTop - 8);          // main, with dmul and inner both closed
  }
  s.run(0x104, 1, kStackTop);
  ProfileData d = s.finish();
  check_invariants(d, 2 + 50 * 18);
  CHECK(d.max_call_depth == 3);               // main, dmul, inner; never more
  CHECK(d.functions[kDmul].calls == 50);
  CHECK(d.functions[kDmulInner].calls == 50);
  CHECK(d.functions[kDmul].inclusive_cycles == 50 * 15);
  CHECK(d.functions[kMain].inclusive_cycles == 50 * 18);
  CHECK(d.functions[kMain].calls == 1);
  // The conditional call at 0x640 was not taken (the next block is its
  // fall-through): no frame for it.
  auto st = stacks_of(d);
  CHECK(st["Reset_Handler;main;__aeabi_dmul"] == 50 * 9);
  CHECK(st["Reset_Handler;main;__aeabi_dmul;__dmul_inner"] == 50 * 6);
}

TEST_CASE("longjmp: the stack reset closes every frame above the setjmp") {
  Stream s;
  s.run(0x100, 1, kStackTop, 0x104);
  s.run(0x200, 1, kStackTop, 0x208);       // main: push 16 bytes; setjmp done; bl work
  s.run(0x800, 1, kStackTop - 24, 0x810);  // work: bl deep
  s.run(0x900, 1, kStackTop - 40, 0x910);  // deep: bl longjmp
  s.run(0xA00, 4, kStackTop - 40);         // longjmp: restore SP, jump into main after its setjmp call
  s.run(0x204, 2, kStackTop - 16);         // main again (SP as it was when main called work)
  s.run(0x208, 2, kStackTop - 16, 0x20C);  // main: bl work again
  s.run(0x800, 1, kStackTop - 24);
  s.run(0x20C, 1, kStackTop - 16);         // work returns
  ProfileData d = s.finish();
  check_invariants(d, 14);
  CHECK(d.max_call_depth == 4); // main, work, deep, longjmp
  CHECK(d.functions[kWork].calls == 2);
  CHECK(d.functions[kWork].inclusive_cycles == 1 + 1 + 4 + 1);
  auto st = stacks_of(d);
  CHECK(st["Reset_Handler;main;work"] == 2); // the second call to work is under main, not under longjmp
  CHECK(st["Reset_Handler;main"] == 6);
}

TEST_CASE("a tail call back to the caller's function is a new activation, not a return") {
  Stream s;
  s.run(0x100, 1, kStackTop, 0x104);
  s.run(0x200, 2, kStackTop, 0x210);       // main: bl work
  s.run(0x800, 3, kStackTop - 8);          // work: b main (mutual recursion through a tail call)
  s.run(0x200, 4, kStackTop - 8);          // main again, in work's place
  s.run(0x210, 5, kStackTop - 8);          // ... which returns where work would have
  s.run(0x104, 1, kStackTop);
  ProfileData d = s.finish();
  check_invariants(d, 16);
  CHECK(d.functions[kMain].calls == 2);
  CHECK(d.functions[kWork].calls == 1);
  CHECK(d.max_call_depth == 2);
  auto st = stacks_of(d);
  CHECK(st["Reset_Handler;main;main"] == 4);
  CHECK(st["Reset_Handler;main"] == 7);
}

TEST_CASE("an interrupt taken in a tail-called function, its handler tail-calling") {
  Stream s;
  s.run(0x100, 1, kStackTop, 0x104);
  s.run(0x200, 2, kStackTop, 0x210);      // main: bl leaf
  s.run(0x300, 3, kStackTop - 8);         // leaf: b tail
  s.run(0x400, 4, kStackTop - 8);         // tail
  s.exception_entry(0x501, kStackTop - 40, 12);
  s.run(0x500, 5, kStackTop - 40);        // SysTick_Handler: b work
  s.run(0x800, 6, kStackTop - 40);        // work: bx lr (EXC_RETURN)
  s.exception_return(kStackTop - 8, 10);
  s.run(0x404, 4, kStackTop - 8);         // tail resumes; bx lr
  s.run(0x210, 1, kStackTop - 8);         // main
  s.run(0x104, 1, kStackTop);
  ProfileData d = s.finish();
  check_invariants(d, 49);
  CHECK(d.unattributed_cycles == 22);
  CHECK(d.exceptions_taken == 1);
  CHECK(d.functions[kHandler].calls == 1);
  CHECK(d.functions[kHandler].inclusive_cycles == 11);
  CHECK(d.functions[kWork].calls == 1);
  CHECK(d.functions[kTail].inclusive_cycles == 4 + 11 + 4); // the interrupt is nested in it
  CHECK(d.functions[kMain].calls == 1);
  CHECK(d.max_call_depth == 4); // main, tail, the handler, work
  auto st = stacks_of(d);
  CHECK(st["Reset_Handler;main;tail;SysTick_Handler;work"] == 6);
  CHECK(st["Reset_Handler;main;tail"] == 8);
  // Every frame closed where it should: nothing left open under main at the end.
  for (const auto &c : d.calls)
    if (c.func == kTail) CHECK(c.end == 1 + 2 + 3 + 4 + 12 + 5 + 6 + 10 + 4);
}

TEST_CASE("exceptions open and close a handler frame, and the root survives a stray exception return") {
  Stream s;
  s.run(0x200, 10, kStackTop);             // the first block is not in Reset_Handler: a branch from the root
  s.exception_entry(0x501, kStackTop - 32, 12);
  s.run(0x500, 6, kStackTop - 32);
  s.exception_return(kStackTop, 10);
  s.run(0x204, 4, kStackTop);
  s.t.exception_return(s.now);             // no exception frame open: ignored
  s.run(0x208, 4, kStackTop);
  ProfileData d = s.finish();
  check_invariants(d, 46);
  CHECK(d.functions[kHandler].calls == 1);
  CHECK(d.functions[kHandler].inclusive_cycles == 6);
  CHECK(d.functions[kReset].calls == 1);
  CHECK(d.functions[kReset].self_cycles == 0);
  CHECK(d.functions[kReset].inclusive_cycles == 24);
  CHECK(d.functions[kMain].calls == 1);
  CHECK(d.functions[kMain].inclusive_cycles == 24);
}

TEST_CASE("markers and pattern layers, a tail call carrying its caller's layer") {
  Stream s("^leaf$");
  s.probe.puts(0x3000, "conv1");
  s.probe.puts(0x3010, "CONV_2D");
  s.probe.put32(0x3100, 0x3000);
  s.probe.put32(0x3104, 0x3010);
  s.probe.put32(0x3108, 1000);
  s.run(0x200, 10, kStackTop);
  s.t.marker(1, 0x3100, 12);
  s.run(0x204, 8, kStackTop, 0x210);      // main: bl leaf (a pattern layer, nested in conv1)
  s.run(0x300, 50, kStackTop);            // leaf: b tail
  s.run(0x400, 5, kStackTop);             // tail: bx lr
  s.run(0x210, 5, kStackTop);
  s.t.marker(2, 0, 80);
  ProfileData d = s.finish();
  REQUIRE(d.layers.size() == 2);
  CHECK(d.layers[0].name == "conv1");
  CHECK(d.layers[0].op == "CONV_2D");
  CHECK(d.layers[0].macs == 1000);
  CHECK(d.layers[0].start == 12);
  CHECK(d.layers[0].end == 80);
  CHECK(d.layers[0].depth == 0);
  CHECK(d.layers[1].name == "leaf");
  CHECK(d.layers[1].start == 18);
  CHECK(d.layers[1].end == 73); // leaf's layer lasts until tail returns
  CHECK(d.layer_source == "markers");
  std::string err;
  CallTracker bad;
  FakeProbe probe;
  bad.probe = &probe;
  CHECK_FALSE(bad.init(functions(), 0x101, "(unclosed", &err));
  CHECK(err.find("invalid --layer-pattern") != std::string::npos);
}

TEST_CASE("the heap is the break's growth, counted once through _sbrk_r and _sbrk") {
  Stream s("", {{"(no symbol)", 0, 0, ""},
                {"Reset_Handler", 0x100, 0x80, ""},
                {"main", 0x200, 0x80, ""},
                {"malloc", 0x300, 0x20, ""},
                {"_sbrk_r", 0x400, 0x20, ""},
                {"_sbrk", 0x500, 0x20, ""}});
  uint32_t brk = 0x20000800;
  s.run(0x100, 1, kStackTop, 0x104);
  bool first = true;
  auto grow = [&](int32_t inc, bool fails = false) {
    s.run(0x200, 2, first ? kStackTop : kStackTop - 8, 0x210); // main: bl malloc
    first = false;
    s.probe.regs[1] = uint32_t(inc);
    s.run(0x300, 2, kStackTop - 16, 0x310);          // malloc: bl _sbrk_r(reent, inc)
    s.probe.regs[0] = uint32_t(inc);
    s.run(0x400, 2, kStackTop - 16, 0x410);          // _sbrk_r: bl _sbrk(inc)
    s.run(0x500, 2, kStackTop - 24);                 // _sbrk: bx lr with the old break in r0
    s.probe.regs[0] = fails ? 0xFFFFFFFFu : brk;
    if (!fails) brk += uint32_t(inc);
    s.run(0x410, 2, kStackTop - 24);                 // _sbrk_r: pop {pc}
    s.run(0x310, 2, kStackTop - 16);                 // malloc: pop {pc}
    s.run(0x210, 2, kStackTop - 8);
  };
  grow(1024);
  grow(444);
  grow(-128);       // trimmed
  grow(64);         // within the old high mark
  grow(1 << 20, true); // refused: no growth
  ProfileData d = s.finish();
  check_invariants(d, 1 + 5 * 14);
  CHECK(d.malloc_used);
  CHECK(d.heap_bytes == 1468);
  CHECK(d.functions[4].calls == 5);
  CHECK(d.functions[5].calls == 5);
}

TEST_CASE("a deep recursion: one tree node per depth, the inclusive cycles counted once") {
  Stream s;
  s.run(0x100, 1, kStackTop, 0x104);
  const uint32_t depth = 1000;
  for (uint32_t i = 0; i < depth; ++i) s.run(0x200, 1, kStackTop - 8 * i, i + 1 < depth ? 0x210 : 0); // main recurses
  for (uint32_t k = depth; k >= 2; --k) s.run(0x210, 1, kStackTop - 8 * (k - 1));                    // ... and returns
  s.run(0x104, 1, kStackTop);
  ProfileData d = s.finish();
  check_invariants(d, 2 * depth + 1);
  CHECK(d.max_call_depth == depth);
  CHECK(d.functions[kMain].calls == depth);
  CHECK(d.functions[kMain].inclusive_cycles == 2 * depth - 1);
  CHECK(d.stacks.size() == depth + 1);
}

TEST_CASE("the arena in use: head and tail around the longest zero run") {
  std::vector<uint8_t> a(1000, 0);
  for (int i = 0; i < 300; ++i) a[size_t(i)] = uint8_t(i % 7); // head, with short zero runs inside
  for (int i = 900; i < 1000; ++i) a[size_t(i)] = 0x55;        // tail: persistent buffers from the top
  ArenaUse u = measure_arena_use(a.data(), 1000);
  CHECK(u.head == 300);
  CHECK(u.tail == 100);
  std::vector<uint8_t> zero(64, 0);
  u = measure_arena_use(zero.data(), 64);
  CHECK(u.head + u.tail == 0);
  std::vector<uint8_t> full(64, 1);
  u = measure_arena_use(full.data(), 64);
  CHECK(u.head + u.tail == 64);
  CHECK(u.nonzero == 64);
  std::vector<uint8_t> top(64, 0);
  top[60] = 9;
  u = measure_arena_use(top.data(), 64);
  CHECK(u.head == 0);
  CHECK(u.tail == 4);
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
  Stream s;
  auto &t = s.probe;
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
  s.run(0x200, 10, kStackTop);
  s.t.marker(1, 0x3000, 10), s.t.marker(2, 0, 30); // set-up
  for (uint64_t at : {100u, 300u}) {
    s.t.marker(1, 0x3100, at);
    s.t.marker(1, 0x3200, at + 5), s.t.marker(2, 0, at + 65);
    s.t.marker(1, 0x3300, at + 65), s.t.marker(2, 0, at + 90);
    s.t.marker(2, 0, at + 95);
  }
  ProfileData d = s.t.finish(500, kStackTop);
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
