/// \file
/// Reading a RunReport back from its JSON (render_json's output, schema in
/// docs/report.md). render_json(parse_report_json(render_json(r))) is
/// byte-for-byte render_json(r): every field render_json writes is read back,
/// and a NaN or infinity that render_json wrote as null comes back as NaN.
#include "profiler/run_report.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>

namespace mcusim {

namespace {

using nlohmann::json;

/// A malformed field: the message names it ("totals.cycles: ...").
struct BadField {
  std::string message;
};

const json *member(const json &obj, const char *key) {
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

// Each read_* leaves `out` unchanged when the key is absent (a report of an
// earlier revision of the same schema version), and throws on a wrong type.
void read(const json &obj, const char *key, std::string &out, const std::string &at) {
  const json *v = member(obj, key);
  if (!v) return;
  if (!v->is_string()) throw BadField{at + key + ": expected a string"};
  out = v->get<std::string>();
}
void read(const json &obj, const char *key, bool &out, const std::string &at) {
  const json *v = member(obj, key);
  if (!v) return;
  if (!v->is_boolean()) throw BadField{at + key + ": expected true or false"};
  out = v->get<bool>();
}
void read(const json &obj, const char *key, double &out, const std::string &at) {
  const json *v = member(obj, key);
  if (!v) return;
  if (v->is_null()) out = std::numeric_limits<double>::quiet_NaN(); // render_json writes NaN and infinities as null
  else if (v->is_number()) out = v->get<double>();
  else throw BadField{at + key + ": expected a number"};
}
void read(const json &obj, const char *key, uint64_t &out, const std::string &at) {
  const json *v = member(obj, key);
  if (!v) return;
  if (v->is_number_unsigned()) out = v->get<uint64_t>();
  else if (v->is_number_integer() && v->get<int64_t>() >= 0) out = uint64_t(v->get<int64_t>());
  else throw BadField{at + key + ": expected an integer of 0 or more"};
}
void read(const json &obj, const char *key, uint32_t &out, const std::string &at) {
  uint64_t wide = out;
  read(obj, key, wide, at);
  if (wide > std::numeric_limits<uint32_t>::max()) throw BadField{at + key + ": out of range (32 bits)"};
  out = uint32_t(wide);
}
void read(const json &obj, const char *key, int &out, const std::string &at) {
  const json *v = member(obj, key);
  if (!v) return;
  if (!v->is_number_integer()) throw BadField{at + key + ": expected an integer"};
  int64_t wide = v->is_number_unsigned() ? int64_t(std::min<uint64_t>(v->get<uint64_t>(), uint64_t(INT64_MAX))) : v->get<int64_t>();
  if (wide < std::numeric_limits<int>::min() || wide > std::numeric_limits<int>::max())
    throw BadField{at + key + ": out of range"};
  out = int(wide);
}

/// A number (integer or not) or null (unknown).
template <typename T> void read(const json &obj, const char *key, std::optional<T> &out, const std::string &at) {
  const json *v = member(obj, key);
  if (!v) return;
  if (v->is_null()) {
    out.reset();
    return;
  }
  T value = 0;
  read(obj, key, value, at);
  out = value;
}

const json &object(const json &obj, const char *key, const std::string &at) {
  static const json empty = json::object();
  const json *v = member(obj, key);
  if (!v) return empty;
  if (!v->is_object()) throw BadField{at + key + ": expected an object"};
  return *v;
}
const json &array(const json &obj, const char *key, const std::string &at) {
  static const json empty = json::array();
  const json *v = member(obj, key);
  if (!v) return empty;
  if (!v->is_array()) throw BadField{at + key + ": expected an array"};
  return *v;
}
/// Calls fn(element, "path[i].") for each element, which must be an object.
template <typename Fn>
void each(const json &arr, const std::string &at, Fn fn) {
  for (size_t i = 0; i < arr.size(); ++i) {
    std::string where = at + "[" + std::to_string(i) + "].";
    if (!arr[i].is_object()) throw BadField{where.substr(0, where.size() - 1) + ": expected an object"};
    fn(arr[i], where);
  }
}

/// A list of strings.
void read(const json &obj, const char *key, std::vector<std::string> &out, const std::string &at) {
  const json *v = member(obj, key);
  if (!v) return;
  if (!v->is_array()) throw BadField{at + key + ": expected an array of strings"};
  out.clear();
  for (const auto &e : *v) {
    if (!e.is_string()) throw BadField{at + key + ": expected an array of strings"};
    out.push_back(e.get<std::string>());
  }
}

CoreState core_state_named(const json &obj, const std::string &at) {
  std::string name = "run";
  read(obj, "state", name, at);
  for (CoreState s : {CoreState::Run, CoreState::Sleep, CoreState::DeepSleep, CoreState::Wakeup})
    if (name == core_state_name(s)) return s;
  throw BadField{at + "state: expected run, sleep, deep-sleep or wake-up"};
}

/// The "energy" object (schema 3).
void read_energy(const json &e, RunReport &r) {
  power::RunEnergy out;
  power::EnergyModel &m = out.model;
  const std::string at = "energy.";
  const json &model = object(e, "model", at);
  const std::string mat = "energy.model.";
  read(model, "device", m.device, mat);
  read(model, "mode", m.mode, mat);
  read(model, "deep_sleep", m.deep_sleep_name, mat);
  read(model, "mhz", m.mhz, mat);
  read(model, "voltage_v", m.voltage_v, mat);
  read(model, "temperature_c", m.temperature_c, mat);
  read(model, "run_flash_ua", m.run_ua[0], mat);
  read(model, "run_sram_ua", m.run_ua[1], mat);
  read(model, "sleep_ua", m.sleep_ua, mat);
  read(model, "deep_sleep_ua", m.deep_sleep_ua, mat);
  read(model, "wakeup_ua", m.wakeup_ua, mat);
  read(model, "sleep_wakeup_us", m.sleep_wakeup_us, mat);
  read(model, "deep_wakeup_us", m.deep_wakeup_us, mat);
  const json &w = object(model, "weights_pj", mat);
  read(w, "mac", m.weights.mac_pj, mat + "weights_pj.");
  read(w, "fpu", m.weights.fpu_pj, mat + "weights_pj.");
  read(w, "flash_load", m.weights.flash_load_pj, mat + "weights_pj.");
  read(w, "sram_access", m.weights.sram_access_pj, mat + "weights_pj.");
  read(model, "sources", m.sources, mat);
  read(e, "seconds", out.seconds, at);
  read(e, "uj", out.energy_uj, at);
  read(e, "uj_per_inference", r.uj_per_inference, at);
  read(e, "average_mw", out.average_mw, at);
  read(e, "average_ma", out.average_ma, at);
  read(e, "peak_mw", out.peak_mw, at);
  read(e, "peak_ma", out.peak_ma, at);
  read(e, "sleep_entries", out.sleep_entries, at);
  read(e, "deep_sleep_entries", out.deep_sleep_entries, at);
  read(e, "wakeup_uj", out.wakeup_uj, at);
  read(e, "class_uj", out.class_uj, at);
  each(array(e, "states", at), "energy.states", [&](const json &s, const std::string &sat) {
    power::StateEnergy st;
    read(s, "state", st.state, sat);
    read(s, "cycles", st.cycles, sat);
    read(s, "seconds", st.seconds, sat);
    read(s, "current_ua", st.current_ua, sat);
    read(s, "uj", st.uj, sat);
    read(s, "share", st.share, sat);
    read(s, "entries", st.entries, sat);
    read(s, "wakeup_us", st.wakeup_us, sat);
    out.states.push_back(std::move(st));
  });
  if (const json *k = member(e, "clocks"); k && !k->is_null())
    each(array(e, "clocks", at), "energy.clocks", [&](const json &c, const std::string &cat) {
      power::ClockEnergy ce;
      read(c, "mhz", ce.mhz, cat);
      read(c, "mode", ce.mode, cat);
      read(c, "cycles", ce.cycles, cat);
      read(c, "seconds", ce.seconds, cat);
      read(c, "uj", ce.uj, cat);
      out.clocks.push_back(std::move(ce));
    });
  read(e, "timeline_merged", out.timeline_merged, at);
  each(array(e, "timeline", at), "energy.timeline", [&](const json &p, const std::string &pat) {
    power::PowerPoint pt;
    read(p, "start_s", pt.start_s, pat);
    read(p, "end_s", pt.end_s, pat);
    pt.state = core_state_named(p, pat);
    read(p, "mw", pt.mw, pat);
    out.timeline.push_back(pt);
  });
  r.energy = std::move(out);
}

RunReport from_json(const json &j, int64_t version) {
  RunReport r;
  read(j, "firmware", r.firmware, "");
  read(j, "device", r.device, "");
  read(j, "core", r.core, "");
  read(j, "timing", r.timing, "");
  read(j, "mhz", r.mhz, "");

  const json &result = object(j, "result", "");
  read(result, "stop_reason", r.stop_reason, "result.");
  read(result, "exit_code", r.exit_code, "result.");
  read(result, "message", r.message, "result.");
  read(result, "fault", r.fault, "result.");
  read(result, "unmodelled_registers", r.unmodelled_registers, "result.");
  if (result.contains("clock_changes") && result["clock_changes"].is_array())
    for (const auto &c : result["clock_changes"]) {
      RunReport::ClockChange cc;
      read(c, "cycle", cc.cycle, "result.clock_changes.");
      read(c, "mhz", cc.mhz, "result.clock_changes.");
      read(c, "flash_ws", cc.flash_ws, "result.clock_changes.");
      r.clock_changes.push_back(cc);
    }

  const json &totals = object(j, "totals", "");
  read(totals, "cycles", r.cycles, "totals.");
  read(totals, "instructions", r.instructions, "totals.");
  read(totals, "sleep_cycles", r.sleep_cycles, "totals.");
  read(totals, "cpi", r.cpi, "totals.");
  read(totals, "simulated_seconds", r.simulated_seconds, "totals.");

  const json &layers = object(j, "layers", "");
  read(layers, "source", r.layer_source, "layers.");
  read(layers, "invocations", r.layer_invocations, "layers.");
  read(layers, "invocation_rule", r.invocation_rule, "layers.");
  if (layers.contains("invocation_cycles")) read(layers, "invocation_cycles", r.invocation_cycles, "layers."); // schema 3
  read(layers, "setup_regions", r.layer_setup, "layers.");
  each(array(layers, "rows", "layers."), "layers.rows", [&](const json &l, const std::string &at) {
    RunReport::Layer layer;
    layer.node = uint32_t(r.layers.size());
    read(l, "node", layer.node, at);
    read(l, "name", layer.name, at);
    read(l, "op", layer.op, at);
    read(l, "invocations", layer.invocations, at);
    read(l, "cycles", layer.cycles, at);
    read(l, "ms", layer.ms, at);
    read(l, "share", layer.share, at);
    if (version == 1) {
      // Schema 1: rows summed by name, MACs over all invocations, 0 for
      // unknown; no per-invocation minimum or maximum.
      uint64_t macs = 0;
      double cycles_per_mac = 0;
      read(l, "macs", macs, at);
      read(l, "cycles_per_mac", cycles_per_mac, at);
      if (layer.invocations) {
        layer.mean_cycles = double(layer.cycles) / double(layer.invocations);
        layer.mean_us = r.mhz > 0 ? layer.mean_cycles / r.mhz : 0;
        if (macs) layer.macs = macs / layer.invocations;
      }
      if (macs) layer.cycles_per_mac = cycles_per_mac;
      if (layer.op.empty() && r.layer_source.rfind("tflm", 0) == 0) layer.op = layer.name; // the tag or kernel, as now
    } else {
      read(l, "mean_cycles", layer.mean_cycles, at);
      read(l, "min_cycles", layer.min_cycles, at);
      read(l, "max_cycles", layer.max_cycles, at);
      read(l, "mean_us", layer.mean_us, at);
      if (layer.min_cycles) read(l, "min_us", layer.min_us, at);
      if (layer.max_cycles) read(l, "max_us", layer.max_us, at);
      read(l, "macs", layer.macs, at);
      read(l, "cycles_per_mac", layer.cycles_per_mac, at);
      read(l, "uj", layer.uj, at);
      read(l, "mean_uj", layer.mean_uj, at);
    }
    r.layers.push_back(std::move(layer));
  });
  each(array(layers, "operators", "layers."), "layers.operators", [&](const json &o, const std::string &at) {
    RunReport::LayerOperator op;
    read(o, "op", op.op, at);
    read(o, "layers", op.layers, at);
    read(o, "invocations", op.invocations, at);
    read(o, "cycles", op.cycles, at);
    read(o, "ms", op.ms, at);
    read(o, "share", op.share, at);
    read(o, "cycles_per_mac", op.cycles_per_mac, at);
    r.layer_operators.push_back(std::move(op));
  });

  const json &profile = object(j, "profile", "");
  read(profile, "profiled", r.profiled, "profile.");
  each(array(profile, "functions", "profile."), "profile.functions", [&](const json &f, const std::string &at) {
    RunReport::Function fn;
    read(f, "name", fn.name, at);
    read(f, "source", fn.source, at);
    read(f, "address", fn.addr, at);
    read(f, "self_cycles", fn.self_cycles, at);
    read(f, "inclusive_cycles", fn.inclusive_cycles, at);
    read(f, "calls", fn.calls, at);
    read(f, "instructions", fn.instructions, at);
    read(f, "self_share", fn.self_share, at);
    read(f, "self_uj", fn.self_uj, at);
    read(f, "inclusive_uj", fn.inclusive_uj, at);
    r.functions.push_back(std::move(fn));
  });
  read(profile, "other_cycles", r.other_cycles, "profile.");
  read(profile, "max_call_depth", r.max_call_depth, "profile.");
  read(profile, "exceptions_taken", r.exceptions_taken, "profile.");
  read(profile, "other_uj", r.other_uj, "profile.");

  const json &memory = object(j, "memory", "");
  each(array(memory, "regions", "memory."), "memory.regions", [&](const json &m, const std::string &at) {
    RunReport::Region reg;
    read(m, "region", reg.name, at);
    read(m, "kind", reg.kind, at);
    read(m, "used", reg.used, at);
    read(m, "capacity", reg.capacity, at);
    r.memory.push_back(std::move(reg));
  });
  each(array(memory, "sections", "memory."), "memory.sections", [&](const json &s, const std::string &at) {
    RunReport::Section sec;
    read(s, "name", sec.name, at);
    read(s, "address", sec.addr, at);
    read(s, "size", sec.size, at);
    read(s, "region", sec.region, at);
    r.sections.push_back(std::move(sec));
  });
  each(array(memory, "top_symbols", "memory."), "memory.top_symbols", [&](const json &s, const std::string &at) {
    RunReport::Symbol sym;
    read(s, "name", sym.name, at);
    read(s, "kind", sym.kind, at);
    read(s, "address", sym.addr, at);
    read(s, "size", sym.size, at);
    r.top_symbols.push_back(std::move(sym));
  });
  const json &stack = object(memory, "stack", "memory.");
  read(stack, "initial_sp", r.stack.initial_sp, "memory.stack.");
  read(stack, "lowest_sp", r.stack.lowest_sp, "memory.stack.");
  read(stack, "used", r.stack.used, "memory.stack.");
  read(stack, "limit", r.stack.limit, "memory.stack.");
  read(stack, "overflow", r.stack.overflow, "memory.stack.");
  const json &heap = object(memory, "heap", "memory.");
  read(heap, "malloc_used", r.heap.malloc_used, "memory.heap.");
  read(heap, "bytes", r.heap.bytes, "memory.heap.");
  const json &arena = object(memory, "arena", "memory.");
  read(arena, "symbol", r.arena.symbol, "memory.arena.");
  read(arena, "size", r.arena.size, "memory.arena.");
  read(arena, "used", r.arena.used, "memory.arena.");
  read(arena, "head", r.arena.head, "memory.arena.");
  read(arena, "tail", r.arena.tail, "memory.arena.");

  if (const json *e = member(j, "energy"); e && !e->is_null()) {
    if (!e->is_object()) throw BadField{"energy: expected an object"};
    read_energy(*e, r);
  }

  if (const json *g = member(j, "gpio_phases"); g && g->is_array())
    each(*g, "gpio_phases", [&](const json &p, const std::string &at) {
      RunReport::GpioPhase ph;
      read(p, "name", ph.name, at);
      read(p, "pin", ph.pin, at);
      read(p, "count", ph.count, at);
      read(p, "cycles", ph.cycles, at);
      read(p, "us", ph.us, at);
      read(p, "mean_cycles", ph.mean_cycles, at);
      read(p, "mean_us", ph.mean_us, at);
      read(p, "open", ph.open, at);
      r.gpio_phases.push_back(std::move(ph));
    });

  const json &host = object(j, "host", "");
  read(host, "wall_seconds", r.wall_seconds, "host.");
  read(host, "mips", r.mips, "host.");
  return r;
}

} // namespace

Expected<RunReport> parse_report_json(std::string_view text) {
  json j;
  try {
    j = json::parse(text.begin(), text.end());
  } catch (const json::exception &e) { // parse_error, or out_of_range for a number too large for a double
    std::string what = e.what();
    if (auto p = what.find("] "); what.rfind("[json.exception", 0) == 0 && p != std::string::npos) what = what.substr(p + 2);
    return make_error(ErrorKind::FileUnreadable, "not JSON: " + what);
  }
  if (!j.is_object()) return make_error(ErrorKind::FileUnreadable, "not an mcusim run report (not a JSON object)");
  const json *schema = member(j, "schema");
  if (!schema || !schema->is_string() || schema->get<std::string>() != "mcusim-run-report")
    return make_error(ErrorKind::FileUnreadable, "not an mcusim run report (no \"schema\": \"mcusim-run-report\")");
  const json *version = member(j, "schema_version");
  if (!version || !version->is_number_integer())
    return make_error(ErrorKind::FileUnreadable, "malformed run report: schema_version: expected an integer");
  int64_t v = version->get<int64_t>();
  if (v > RunReport::kSchemaVersion)
    return make_error(ErrorKind::FileUnreadable, "run report schema version " + std::to_string(v) + " is newer than this mcusim's (" +
                                                     std::to_string(RunReport::kSchemaVersion) + ")");
  if (v < 1) return make_error(ErrorKind::FileUnreadable, "malformed run report: schema_version " + std::to_string(v));
  try {
    return from_json(j, v);
  } catch (const BadField &e) {
    return make_error(ErrorKind::FileUnreadable, "malformed run report: " + e.message);
  } catch (const json::exception &e) {
    return make_error(ErrorKind::FileUnreadable, std::string("malformed run report: ") + e.what());
  }
}

} // namespace mcusim
