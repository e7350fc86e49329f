/// \file
/// Building the RunReport from a run and its image.
#include "profiler/run_report.h"
#include "profiler/layer_table.h"

#include <limits>

#include "image/auto_device.h"

#include <array>
#include <algorithm>
#include <llvm/Demangle/Demangle.h>

namespace mcusim {

RunReport build_report(const RunResult &r, const ElfImage &elf, const Device &device, const std::string &timing) {
  RunReport rep;
  rep.firmware = elf.path.filename().string();
  rep.device = device.name;
  rep.core = core_name(device.core);
  rep.timing = timing;
  rep.mhz = r.hz / 1e6;
  rep.stop_reason = stop_reason_text(r); // "interrupted by SIGINT" for a run stopped by a signal
  rep.exit_code = r.exit_code;
  rep.message = r.message;
  if (r.fault) rep.fault = format_fault(*r.fault, elf);
  rep.unmodelled_registers = r.unmodelled_registers;
  if (r.clock_changes.size() > 1)
    for (const auto &c : r.clock_changes) rep.clock_changes.push_back({c.cycle, c.hz / 1e6, c.flash_ws});
  rep.cycles = r.cycles;
  rep.instructions = r.instructions;
  rep.sleep_cycles = r.sleep_cycles;
  rep.cpi = r.instructions ? double(r.cycles) / double(r.instructions) : 0;
  rep.simulated_seconds = r.simulated_seconds();
  rep.wall_seconds = r.wall_seconds;
  // null in JSON (NaN) for runs too short for the figure to mean anything
  rep.mips = r.mips_known() ? r.mips() : std::numeric_limits<double>::quiet_NaN();

  if (r.profile) {
    const ProfileData &p = *r.profile;
    rep.profiled = true;
    for (const auto &f : p.functions) {
      if (!f.self_cycles && !f.calls) continue;
      RunReport::Function fn{f.name, f.source, f.addr, f.self_cycles, f.inclusive_cycles, f.calls, f.self_instructions, 0};
      fn.self_share = r.cycles ? double(f.self_cycles) / double(r.cycles) : 0;
      rep.functions.push_back(fn);
    }
    std::sort(rep.functions.begin(), rep.functions.end(), [](const auto &a, const auto &b) {
      return a.self_cycles != b.self_cycles ? a.self_cycles > b.self_cycles : a.name < b.name;
    });
    rep.other_cycles = p.unattributed_cycles;
    rep.stack.initial_sp = p.initial_sp;
    rep.stack.lowest_sp = p.min_sp;
    rep.stack.used = p.initial_sp > p.min_sp ? p.initial_sp - p.min_sp : 0;
    rep.heap.malloc_used = p.malloc_used;
    rep.heap.bytes = p.heap_bytes;
    rep.max_call_depth = p.max_call_depth;
    rep.exceptions_taken = p.exceptions_taken;
    rep.layer_source = p.layer_source;
    rep.arena = {p.arena_symbol, p.arena_size, p.arena_used, p.arena_head, p.arena_tail};
    LayerTable t = tabulate_layers(p.layers, p.layer_source, r.hz, r.cycles);
    rep.layers = std::move(t.rows);
    rep.layer_operators = std::move(t.operators);
    rep.layer_invocations = t.invocations;
    rep.invocation_cycles = t.invocation_cycles;
    rep.layer_setup = t.outside;
    rep.invocation_rule = t.invocation_rule;
  }
  // The stack's floor: an explicit limit symbol, else the end of static data.
  uint32_t floor = 0;
  if (const ElfSymbol *lim = elf.find_symbol("__StackLimit")) floor = lim->addr;
  else {
    for (const auto &s : elf.sections)
      if ((s.write || s.nobits) && s.addr < rep.stack.initial_sp) floor = std::max(floor, s.addr + s.size);
  }
  // The heap grows up from `end` towards the stack.
  if (const ElfSymbol *end = elf.find_symbol("end"); end && rep.heap.bytes)
    floor = std::max<uint32_t>(floor, end->addr + uint32_t(rep.heap.bytes));
  rep.stack.limit = floor;
  if (rep.profiled && floor && rep.stack.lowest_sp < floor) rep.stack.overflow = true;

  for (const auto &u : image_usage(elf, device).regions) {
    const MemoryRegionDesc *d = nullptr;
    for (const auto &m : device.memory)
      if (m.name == u.region) d = &m;
    rep.memory.push_back({u.region, d ? region_kind_name(d->kind) : "", u.used, u.capacity});
  }
  for (const auto &s : elf.sections) {
    const MemoryRegionDesc *m = device.region_at(s.addr, std::max<uint32_t>(s.size, 1));
    rep.sections.push_back({s.name, m ? m->name : "", s.addr, s.size});
  }
  std::vector<RunReport::Symbol> syms;
  for (const auto &s : elf.symbols)
    if (s.size > 0) syms.push_back({llvm::demangle(s.name), s.func ? "code" : "data", s.addr, s.size});
  std::sort(syms.begin(), syms.end(), [](const auto &a, const auto &b) { return a.size != b.size ? a.size > b.size : a.name < b.name; });
  syms.erase(std::unique(syms.begin(), syms.end(), [](const auto &a, const auto &b) { return a.addr == b.addr && a.size == b.size; }),
             syms.end());
  if (syms.size() > 10) syms.resize(10);
  rep.top_symbols = syms;
  return rep;
}

namespace {
/// Where a function's code lies: SRAM or TCM, else flash (ROM and unknown addresses with it).
CodeLocation code_location_at(const Device &device, uint32_t addr) {
  const MemoryRegionDesc *m = device.region_at(addr);
  return m && (m->kind == RegionKind::Sram || m->kind == RegionKind::Tcm) ? CodeLocation::Ram : CodeLocation::Flash;
}
} // namespace

void attach_energy(RunReport &rep, const RunResult &r, const Device &device, const power::EnergyModel &model) {
  attach_energy(rep, r, device, std::vector<power::EnergyModel>{model}, false);
}

void attach_energy(RunReport &rep, const RunResult &r, const Device &device, const std::vector<power::EnergyModel> &by_clock,
                   bool priced_by_clock) {
  const PowerCounters &c = r.power;
  if (c.total() != r.cycles) {
    rep.energy.reset();
    rep.energy_note = "the run's power counters cover " + std::to_string(c.total()) + " of its " + std::to_string(r.cycles) +
                      " cycles: no energy";
    return;
  }
  rep.energy = priced_by_clock ? power::price_run(c, by_clock) : power::price_run(c, by_clock.back());
  rep.energy_note.clear();
  const power::RunEnergy &e = *rep.energy;

  // Run energy per cycle by location: at the one model, or (a run at several
  // clocks) the run's average, as functions and layers are not counted by clock.
  std::array<double, kCodeLocations> per_cycle{};
  std::array<double, kCodeLocations> run_uj{};
  for (unsigned l = 0; l < kCodeLocations; ++l) {
    run_uj[l] = power::run_uj(by_clock.back(), c.run_cycles[l], CodeLocation(l));
    per_cycle[l] = power::run_uj(by_clock.back(), 1, CodeLocation(l));
  }
  if (e.clocks.size() > 1)
    for (const auto &st : e.states)
      for (unsigned l = 0; l < kCodeLocations; ++l)
        if (st.state == std::string("run (") + code_location_name(CodeLocation(l)) + ")") {
          run_uj[l] = st.uj;
          per_cycle[l] = st.cycles ? st.uj / double(st.cycles) : per_cycle[l];
        }

  const bool one_clock = e.clocks.size() <= 1;
  const power::EnergyModel &model = by_clock.back();
  auto uj_of = [&](uint64_t cycles, CodeLocation loc) {
    return one_clock ? power::run_uj(model, cycles, loc) : double(cycles) * per_cycle[unsigned(loc)];
  };
  // Functions: self cycles at the run current of their code's location.
  std::array<uint64_t, kCodeLocations> self{};
  for (auto &f : rep.functions) {
    CodeLocation loc = code_location_at(device, f.addr);
    self[unsigned(loc)] += f.self_cycles;
    f.self_uj = uj_of(f.self_cycles, loc);
    f.inclusive_uj = uj_of(f.inclusive_cycles, loc);
  }
  // Everything else: the run cycles no function holds (exception entry and
  // return, idle), by location, and the other states and the class weights.
  double other = e.class_uj;
  double states_uj = 0;
  for (const auto &st : e.states) states_uj += st.uj;
  for (unsigned l = 0; l < kCodeLocations; ++l)
    if (c.run_cycles[l] > self[l]) other += uj_of(c.run_cycles[l] - self[l], CodeLocation(l));
  if (one_clock)
    other += model.state_uj(CoreState::Sleep, c.sleep_cycles) + power::deep_sleep_uj(model, c) +
             model.state_uj(CoreState::Wakeup, c.sleep_wakeup_cycles + c.deep_wakeup_cycles);
  else other += states_uj - run_uj[0] - run_uj[1]; // sleep, deep sleep, wake-ups at their clocks
  rep.other_uj = other;

  // Layers: their cycles at the run's average run current (layers are not
  // counted by location).
  const uint64_t run = c.run_cycles[0] + c.run_cycles[1];
  const double run_avg_uj_per_cycle =
      run ? (run_uj[0] + run_uj[1]) / double(run) : power::run_uj(model, 1, CodeLocation::Flash);
  for (auto &l : rep.layers) {
    l.uj = double(l.cycles) * run_avg_uj_per_cycle;
    l.mean_uj = l.invocations ? l.uj / double(l.invocations) : 0;
  }
  // One inference: an invocation's span (its layers and the glue between them).
  if (rep.layer_invocations > 0 && !rep.layers.empty())
    rep.uj_per_inference = double(rep.inference_cycles()) * run_avg_uj_per_cycle / double(rep.layer_invocations);
  else rep.uj_per_inference.reset();
}

} // namespace mcusim
