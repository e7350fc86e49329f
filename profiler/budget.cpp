/// \file
/// Budget files (TOML), report metrics (JSON) and the checks between them.
#include "profiler/budget.h"
#include "base/toml_input.h"
#include "profiler/junit.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <toml++/toml.h>
#include <tuple>

#include "base/format.h"

namespace mcusim {

namespace {

using Kind = BudgetError::Kind;

using text::thousands;
std::string fmt(const char *f, double v) { return text::number(f, v); }
std::string ms_text(double ms) { return fmt("%.3f ms", ms); }
std::string limit_ms_text(double ms) { return fmt("%g ms", ms); }
std::string bytes_text(uint64_t b) { return thousands(b) + " B"; }

BudgetExpected<std::string> read_file(const std::filesystem::path &file, const std::string &what) {
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec))
    return tl::unexpected(BudgetError{Kind::Unreadable, file.string() + ": cannot read the " + what + ": is a directory"});
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    bool exists = std::filesystem::exists(file, ec);
    return tl::unexpected(BudgetError{Kind::Unreadable, file.string() + ": cannot read the " + what + ": " +
                                                            (exists ? "permission denied" : "no such file")});
  }
  std::ostringstream os;
  os << in.rdbuf();
  if (in.bad()) return tl::unexpected(BudgetError{Kind::Unreadable, file.string() + ": cannot read the " + what});
  return os.str();
}

// --- Budget (TOML) -------------------------------------------------------------

std::string quoted_list(std::initializer_list<const char *> names) {
  std::string s;
  for (const char *n : names) s += (s.empty() ? "" : ", ") + std::string(n);
  return s;
}

/// Reads a budget's tables, keeping the first problem found.
struct BudgetParser {
  std::string file;
  std::optional<BudgetError> error;

  bool fail(const toml::source_region &where, const std::string &msg) {
    if (!error) {
      std::string loc = file;
      if (where.begin.line) loc += ":" + std::to_string(where.begin.line);
      error = BudgetError{Kind::Malformed, loc + ": malformed budget: " + msg};
    }
    return false;
  }

  /// A non-negative whole number (cycles, bytes).
  std::optional<uint64_t> whole(const toml::node &n, const std::string &key, const char *unit) {
    if (auto v = n.as_integer()) {
      if (v->get() < 0) {
        fail(n.source(), "'" + key + "' must not be negative (got " + std::to_string(v->get()) + ")");
        return std::nullopt;
      }
      return uint64_t(v->get());
    }
    fail(n.source(), "'" + key + "' must be a whole number of " + unit + ", not " + toml_type_name(n.type()));
    return std::nullopt;
  }
  /// A non-negative finite number (milliseconds, percent).
  std::optional<double> number(const toml::node &n, const std::string &key, const char *unit) {
    std::optional<double> v;
    if (auto i = n.as_integer()) v = double(i->get());
    else if (auto f = n.as_floating_point()) v = f->get();
    if (!v) {
      fail(n.source(), "'" + key + "' must be a number of " + unit + ", not " + toml_type_name(n.type()));
      return std::nullopt;
    }
    if (!std::isfinite(*v)) {
      fail(n.source(), "'" + key + "' must be a finite number");
      return std::nullopt;
    }
    if (*v < 0) {
      fail(n.source(), "'" + key + "' must not be negative (got " + fmt("%g", *v) + ")");
      return std::nullopt;
    }
    return v;
  }
  const toml::table *table(const toml::node &n, const std::string &key) {
    if (auto t = n.as_table()) return t;
    fail(n.source(), "'" + key + "' must be a table, not " + toml_type_name(n.type()));
    return nullptr;
  }
  bool unknown(const toml::key &k, const toml::node &n, const std::string &prefix, std::initializer_list<const char *> known) {
    return fail(k.source().begin.line ? k.source() : n.source(),
                "unknown key '" + prefix + std::string(k.str()) + "' (known: " + quoted_list(known) + ")");
  }

  void limits(const toml::table &t, Budget::Limits &l) {
    static const std::initializer_list<const char *> known = {
        "cycles", "ms", "flash_bytes", "ram_bytes", "stack_bytes", "heap_bytes", "no_dynamic_allocation", "functions", "layers",
        "regions", "average_mw", "uj_per_run", "uj_per_inference", "peak_ma", "min_battery_years"};
    for (auto [kp, np] : in_file_order(t)) {
      const toml::key &k = *kp;
      const toml::node &n = *np;
      const std::string key(k.str()), full = "limits." + key;
      if (key == "cycles") l.cycles = whole(n, full, "cycles");
      else if (key == "ms") l.ms = number(n, full, "milliseconds");
      else if (key == "flash_bytes") l.flash_bytes = whole(n, full, "bytes");
      else if (key == "ram_bytes") l.ram_bytes = whole(n, full, "bytes");
      else if (key == "stack_bytes") l.stack_bytes = whole(n, full, "bytes");
      else if (key == "heap_bytes") l.heap_bytes = whole(n, full, "bytes");
      else if (key == "average_mw") l.average_mw = number(n, full, "milliwatts");
      else if (key == "uj_per_run") l.uj_per_run = number(n, full, "microjoules");
      else if (key == "uj_per_inference") l.uj_per_inference = number(n, full, "microjoules");
      else if (key == "peak_ma") l.peak_ma = number(n, full, "milliamperes");
      else if (key == "min_battery_years") l.min_battery_years = number(n, full, "years");
      else if (key == "no_dynamic_allocation") {
        if (auto b = n.as_boolean()) l.no_dynamic_allocation = b->get();
        else fail(n.source(), "'" + full + "' must be true or false, not " + toml_type_name(n.type()));
      } else if (key == "functions") {
        if (const toml::table *ft = table(n, full))
          for (auto [fk, fn] : in_file_order(*ft))
            if (auto v = whole(*fn, full + "." + std::string(fk->str()), "self cycles")) l.functions.emplace_back(fk->str(), *v);
      } else if (key == "regions") {
        if (const toml::table *rt = table(n, full))
          for (auto [rk, rn] : in_file_order(*rt))
            if (auto v = whole(*rn, full + "." + std::string(rk->str()), "bytes")) l.regions.emplace_back(rk->str(), *v);
      } else if (key == "layers") {
        if (const toml::table *lt = table(n, full))
          for (auto [lk, ln] : in_file_order(*lt)) layer(*lk, *ln, full + "." + std::string(lk->str()), l);
      } else unknown(k, n, "limits.", known);
    }
  }

  /// `name = cycles` or `name = { cycles = N, ms = X, uj = E }` (or a [limits.layers.name] table).
  void layer(const toml::key &k, const toml::node &n, const std::string &full, Budget::Limits &l) {
    Budget::LayerLimit lim{std::string(k.str()), {}, {}, {}};
    if (n.is_integer()) {
      lim.cycles = whole(n, full, "cycles");
    } else if (const toml::table *t = n.as_table()) {
      for (auto [lkp, lnp] : in_file_order(*t)) {
        const toml::key &lk = *lkp;
        const toml::node &ln = *lnp;
        const std::string key(lk.str());
        if (key == "cycles") lim.cycles = whole(ln, full + ".cycles", "cycles");
        else if (key == "ms") lim.ms = number(ln, full + ".ms", "milliseconds");
        else if (key == "uj") lim.uj = number(ln, full + ".uj", "microjoules");
        else unknown(lk, ln, full + ".", {"cycles", "ms", "uj"});
      }
      if (!lim.cycles && !lim.ms && !lim.uj && !error) fail(n.source(), "'" + full + "' sets none of cycles, ms and uj");
    } else {
      fail(n.source(), "'" + full + "' must be a whole number of cycles or a table { cycles = N, ms = X, uj = E }, not " +
                           toml_type_name(n.type()));
    }
    if (!error) l.layers.push_back(lim);
  }

  void regression(const toml::table &t, Budget::Regression &r) {
    for (auto [kp, np] : in_file_order(t)) {
      const toml::key &k = *kp;
      const toml::node &n = *np;
      const std::string key(k.str()), full = "regression." + key;
      if (key == "cycles_pct") r.cycles_pct = number(n, full, "percent");
      else if (key == "flash_pct") r.flash_pct = number(n, full, "percent");
      else if (key == "ram_pct") r.ram_pct = number(n, full, "percent");
      else if (key == "stack_pct") r.stack_pct = number(n, full, "percent");
      else if (key == "heap_pct") r.heap_pct = number(n, full, "percent");
      else unknown(k, n, "regression.", {"cycles_pct", "flash_pct", "ram_pct", "stack_pct", "heap_pct"});
    }
  }
};

} // namespace

BudgetExpected<Budget> parse_budget(std::string_view text, const std::string &file) {
  auto parsed = parse_toml_input(text, file, "malformed budget");
  if (!parsed) return tl::unexpected(BudgetError{Kind::Malformed, parsed.error()});
  const toml::table &root = *parsed;
  Budget b;
  b.file = file;
  BudgetParser p{file, {}};
  for (auto [kp, np] : in_file_order(root)) {
    const toml::key &k = *kp;
    const toml::node &n = *np;
    const std::string key(k.str());
    if (key == "limits") {
      if (const toml::table *t = p.table(n, "limits")) p.limits(*t, b.limits);
    } else if (key == "regression") {
      if (const toml::table *t = p.table(n, "regression")) p.regression(*t, b.regression);
    } else {
      p.unknown(k, n, "", {"limits", "regression"});
    }
    if (p.error) break;
  }
  if (p.error) return tl::unexpected(*p.error);
  const auto &l = b.limits;
  bool any = l.cycles || l.ms || l.flash_bytes || l.ram_bytes || l.stack_bytes || l.heap_bytes || l.no_dynamic_allocation ||
             !l.functions.empty() || !l.regions.empty() || !l.layers.empty() || b.regression.any() || l.average_mw ||
             l.uj_per_run || l.uj_per_inference || l.peak_ma || l.min_battery_years;
  if (!any)
    return tl::unexpected(BudgetError{Kind::Malformed, file + ": malformed budget: it sets no limits ([limits] or [regression])"});
  return b;
}

std::optional<BudgetError> check_budget_scenario(const Budget &b, bool have_scenario, const std::string &where) {
  if (!b.limits.min_battery_years || have_scenario) return std::nullopt;
  return BudgetError{Kind::Malformed, b.file + ": 'limits.min_battery_years' needs a battery projection, and " + where +
                                          " has no scenario (give --scenario FILE)"};
}

BudgetExpected<Budget> load_budget(const std::filesystem::path &file) {
  auto text = read_file(file, "budget");
  if (!text) return tl::unexpected(text.error());
  return parse_budget(*text, file.string());
}

// --- Report metrics (JSON) -------------------------------------------------------

namespace {

using nlohmann::json;

/// Reads fields of a report's JSON by dotted path, keeping the first problem found.
struct JsonReader {
  std::string file, what;
  std::optional<BudgetError> error;

  void fail(const std::string &msg) {
    if (!error) error = BudgetError{Kind::Malformed, file + ": malformed " + what + ": " + msg};
  }
  const json *find(const json &j, const std::string &path, const char *expected) {
    const json *cur = &j;
    size_t start = 0;
    while (true) {
      size_t dot = path.find('.', start);
      std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
      if (!cur->is_object() || !cur->contains(part)) {
        fail("missing '" + path + "' (" + expected + ")");
        return nullptr;
      }
      cur = &(*cur)[part];
      if (dot == std::string::npos) return cur;
      start = dot + 1;
    }
  }
  uint64_t whole(const json &j, const std::string &path) {
    const json *v = find(j, path, "a whole number");
    if (!v) return 0;
    if (v->is_number_unsigned()) return v->get<uint64_t>();
    if (v->is_number_integer() && v->get<int64_t>() >= 0) return uint64_t(v->get<int64_t>());
    fail("'" + path + "' is not a whole number");
    return 0;
  }
  double number(const json &j, const std::string &path) {
    const json *v = find(j, path, "a number");
    if (!v) return 0;
    if (v->is_number()) return v->get<double>();
    fail("'" + path + "' is not a number");
    return 0;
  }
  std::string text(const json &j, const std::string &path) {
    const json *v = find(j, path, "a string");
    if (!v) return {};
    if (v->is_string()) return v->get<std::string>();
    fail("'" + path + "' is not a string");
    return {};
  }
  bool boolean(const json &j, const std::string &path) {
    const json *v = find(j, path, "true or false");
    if (!v) return false;
    if (v->is_boolean()) return v->get<bool>();
    fail("'" + path + "' is not true or false");
    return false;
  }
  const json *array(const json &j, const std::string &path) {
    const json *v = find(j, path, "an array");
    if (v && !v->is_array()) {
      fail("'" + path + "' is not an array");
      return nullptr;
    }
    return v;
  }
};

/// Adds `amount` to the entry called `name`, or appends one.
template <typename Vec, typename Add> void accumulate(Vec &v, const std::string &name, Add add) {
  for (auto &e : v)
    if (e.first == name) return add(e);
  v.emplace_back(name, typename Vec::value_type::second_type{});
  add(v.back());
}

} // namespace

BudgetExpected<ReportMetrics> parse_report_metrics(std::string_view text, const std::string &file, const std::string &what) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error &e) {
    // e.byte is 1-based; count the lines up to it.
    size_t end = std::min<size_t>(e.byte ? e.byte - 1 : 0, text.size());
    size_t line = 1 + size_t(std::count(text.begin(), text.begin() + long(end), '\n'));
    std::string msg = e.what();
    if (auto p = msg.find("] "); msg.rfind("[json.exception", 0) == 0 && p != std::string::npos) msg = msg.substr(p + 2);
    return tl::unexpected(BudgetError{Kind::Malformed, file + ":" + std::to_string(line) + ": malformed " + what +
                                                           " (not JSON): " + msg});
  } catch (const json::exception &e) { // out_of_range: a number too large for a double
    std::string msg = e.what();
    if (auto p = msg.find("] "); msg.rfind("[json.exception", 0) == 0 && p != std::string::npos) msg = msg.substr(p + 2);
    return tl::unexpected(BudgetError{Kind::Malformed, file + ": malformed " + what + " (not JSON): " + msg});
  }
  JsonReader rd{file, what, {}};
  if (!j.is_object() || !j.contains("schema") || j["schema"] != "mcusim-run-report")
    return tl::unexpected(BudgetError{Kind::Malformed, file + ": malformed " + what +
                                                           ": not an mcusim run report (write one with mcusim run --report=json --report-out FILE)"});
  uint64_t version = rd.whole(j, "schema_version");
  if (!rd.error && (version == 0 || version > uint64_t(RunReport::kSchemaVersion)))
    rd.fail("report schema version " + std::to_string(version) + " (this mcusim reads version " +
            std::to_string(RunReport::kSchemaVersion) + ")");

  ReportMetrics m;
  m.firmware = rd.text(j, "firmware");
  m.device = rd.text(j, "device");
  m.mhz = rd.number(j, "mhz");
  m.stop_reason = rd.text(j, "result.stop_reason");
  {
    const json *ec = rd.find(j, "result.exit_code", "a whole number");
    if (ec && ec->is_number_integer()) m.exit_code = int(ec->get<int64_t>());
    else if (ec) rd.fail("'result.exit_code' is not a whole number");
  }
  m.cycles = rd.whole(j, "totals.cycles");
  m.ms = rd.number(j, "totals.simulated_seconds") * 1e3;
  m.profiled = rd.boolean(j, "profile.profiled");
  if (const json *fns = rd.array(j, "profile.functions")) {
    for (size_t i = 0; i < fns->size() && !rd.error; ++i) {
      const json &f = (*fns)[i];
      std::string where = "profile.functions[" + std::to_string(i) + "]";
      std::string name = rd.text(f, "name");
      uint64_t self = rd.whole(f, "self_cycles");
      if (rd.error) {
        rd.error->message += " in " + where;
        break;
      }
      accumulate(m.functions, name, [&](auto &e) { e.second += self; });
    }
  }
  if (const json *regs = rd.array(j, "memory.regions")) {
    for (size_t i = 0; i < regs->size() && !rd.error; ++i) {
      const json &r = (*regs)[i];
      ReportMetrics::Region reg{rd.text(r, "region"), rd.text(r, "kind"), rd.whole(r, "used")};
      if (rd.error) {
        rd.error->message += " in memory.regions[" + std::to_string(i) + "]";
        break;
      }
      if (reg.kind == "flash") m.flash_bytes += reg.used;
      if (reg.kind == "sram" || reg.kind == "tcm") m.ram_bytes += reg.used;
      m.regions.push_back(reg);
    }
  }
  m.stack_bytes = rd.whole(j, "memory.stack.used");
  m.malloc_used = rd.boolean(j, "memory.heap.malloc_used");
  m.heap_bytes = rd.whole(j, "memory.heap.bytes");
  // Optional per-layer rows, `layers` either an array of rows or { "rows": [...] }; each row
  // { "name": ..., "cycles": N [, "ms": X] } (other fields ignored). Rows with the same name add up.
  if (!rd.error && j.contains("layers")) {
    const json *layers = j["layers"].is_object() ? rd.array(j, "layers.rows") : rd.array(j, "layers");
    std::string where = j["layers"].is_object() ? "layers.rows" : "layers";
    if (layers) {
      std::vector<std::pair<std::string, ReportMetrics::Layer>> acc;
      for (size_t i = 0; i < layers->size() && !rd.error; ++i) {
        const json &row = (*layers)[i];
        std::string name = rd.text(row, "name");
        uint64_t cycles = rd.whole(row, "cycles");
        double ms = 0;
        if (row.is_object() && row.contains("ms")) ms = rd.number(row, "ms");
        else ms = m.mhz > 0 ? double(cycles) / (m.mhz * 1e3) : 0;
        if (rd.error) {
          rd.error->message += " in " + where + "[" + std::to_string(i) + "]";
          break;
        }
        accumulate(acc, name, [&](auto &e) {
          e.second.name = name;
          e.second.cycles += cycles;
          e.second.ms += ms;
        });
      }
      for (auto &[n, l] : acc) m.layers.push_back(l);
    }
  }
  if (rd.error) return tl::unexpected(*rd.error);
  // The energy figures through the report reader (a report it cannot read has none).
  if (auto full = parse_report_json(text)) add_energy_metrics(m, *full);
  return m;
}

void add_energy_metrics(ReportMetrics &m, const RunReport &r) {
  m.energy.reset();
  m.uj_per_inference.reset();
  m.energy_note = r.energy_note;
  for (auto &l : m.layers) l.uj.reset();
  if (!r.energy) return;
  m.energy = ReportMetrics::Energy{r.energy->energy_uj, r.energy->average_mw, r.energy->peak_ma};
  m.uj_per_inference = r.uj_per_inference;
  for (auto &l : m.layers) {
    double uj = 0;
    for (const auto &x : r.layers)
      if (x.name == l.name) uj += x.uj;
    l.uj = uj;
  }
}

BudgetExpected<ReportMetrics> load_report_metrics(const std::filesystem::path &file, const std::string &what) {
  auto text = read_file(file, what);
  if (!text) return tl::unexpected(text.error());
  return parse_report_metrics(*text, file.string(), what);
}

BudgetExpected<ReportMetrics> report_metrics(const RunReport &report) {
  // One reader for saved and fresh reports: `mcusim gate` and `mcusim run --budget` see the same figures.
  auto m = parse_report_metrics(render_json(report), report.firmware, "report");
  if (m) add_energy_metrics(*m, report); // the same figures as the JSON's, without a round trip through text
  return m;
}

// --- Checks ------------------------------------------------------------------------

size_t BudgetResult::failed() const {
  return size_t(std::count_if(checks.begin(), checks.end(), [](const BudgetCheck &c) { return !c.passed; }));
}

namespace {

std::string name_list(const std::vector<std::string> &names) {
  std::string s;
  size_t n = 0;
  for (const auto &x : names) {
    if (n == 8) {
      s += ", ... (" + std::to_string(names.size()) + " in all)";
      break;
    }
    s += (n++ ? ", " : "") + x;
  }
  return s;
}

std::string how_it_ended(const ReportMetrics &m) {
  return m.stop_reason == "exited" ? "exited with code " + std::to_string(m.exit_code) : m.stop_reason;
}

struct Checker {
  BudgetResult &out;

  void add(std::string name, std::string limit, std::string value, bool ok, std::string why) {
    out.checks.push_back({std::move(name), std::move(limit), std::move(value), ok, ok ? std::string() : std::move(why)});
  }
  void at_most(const std::string &name, uint64_t value, uint64_t limit, const std::string &what,
               std::string (*show)(uint64_t)) {
    add(name, show(limit), show(value), value <= limit, what + " " + show(value) + " is over the limit of " + show(limit));
  }
  void missing(const std::string &name, std::string limit, std::string why) { add(name, std::move(limit), "-", false, std::move(why)); }

  /// value may grow by at most pct percent of base.
  void regression(const std::string &metric, uint64_t base, uint64_t value, double pct, std::string (*show)(uint64_t)) {
    const std::string name = "regression " + metric;
    const std::string limit = fmt("+%.1f%%", pct);
    const std::string change = "(" + show(base) + " -> " + show(value) + ")";
    bool ok = (long double)value * 100.0L <= (long double)base * (100.0L + (long double)pct);
    std::string shown;
    if (base == 0) shown = value == 0 ? "+0.0% " + change : "new " + change;
    else shown = fmt("%+.1f%% ", 100.0 * (double(value) - double(base)) / double(base)) + change;
    std::string grew = base == 0 ? "grew from 0 to " + show(value)
                                 : fmt("grew %.1f%%", 100.0 * (double(value) - double(base)) / double(base)) + " " + change;
    add(name, limit, shown, ok, metric + " " + grew + " over the baseline, more than the allowed " + fmt("%.1f%%", pct));
  }
};

std::string show_cycles(uint64_t v) { return thousands(v); }
std::string show_bytes(uint64_t v) { return bytes_text(v); }
std::string uj_text(double v) { return fmt("%.4g µJ", v); }
std::string mw_text(double v) { return fmt("%.4g mW", v); }
std::string ma_text(double v) { return fmt("%.4g mA", v); }
std::string years_text(double v) { return std::isfinite(v) ? fmt("%.2f years", v) : std::string("unbounded"); }

/// Why an energy figure is missing.
std::string no_energy(const ReportMetrics &r) {
  return "not measured: the report has no energy (" + (r.energy_note.empty() ? r.device + " has no power figures" : r.energy_note) +
         ")";
}

} // namespace

BudgetResult evaluate_budget(const Budget &budget, const ReportMetrics &r, const ReportMetrics *baseline) {
  BudgetResult out;
  Checker c{out};
  const auto &l = budget.limits;
  const std::string not_profiled = "not measured: the report was not profiled";

  bool ended_well = r.stop_reason == "exited" && r.exit_code == 0;
  c.add("result", "exited with code 0", how_it_ended(r), ended_well,
        "the firmware did not exit with code 0 (" + how_it_ended(r) + "): its figures do not describe a complete run");

  if (l.cycles) c.at_most("cycles", r.cycles, *l.cycles, "cycles", show_cycles);
  if (l.ms)
    c.add("ms", limit_ms_text(*l.ms), ms_text(r.ms), r.ms <= *l.ms,
          "simulated time " + ms_text(r.ms) + " is over the limit of " + limit_ms_text(*l.ms));
  for (const auto &fn : l.functions) {
    // Named copies: clang before 16 cannot capture structured bindings in a lambda.
    const std::string &name = fn.first;
    const uint64_t limit = fn.second;
    const std::string check = "function " + name;
    auto it = std::find_if(r.functions.begin(), r.functions.end(), [&](const auto &f) { return f.first == name; });
    if (!r.profiled) c.missing(check, show_cycles(limit), not_profiled);
    else if (it == r.functions.end())
      c.missing(check, show_cycles(limit), "no such function in the profile (not in the ELF's symbols, or it never ran)");
    else c.at_most(check, it->second, limit, name + " self cycles", show_cycles);
  }
  for (const auto &lim : l.layers) {
    auto it = std::find_if(r.layers.begin(), r.layers.end(), [&](const auto &x) { return x.name == lim.name; });
    std::string why;
    if (r.layers.empty()) why = "no such layer: the report has no layers";
    else if (it == r.layers.end()) {
      std::vector<std::string> names;
      for (const auto &x : r.layers) names.push_back(x.name);
      why = "no such layer (the report's layers: " + name_list(names) + ")";
    }
    if (lim.cycles) {
      const std::string check = "layer " + lim.name;
      if (!why.empty()) c.missing(check, show_cycles(*lim.cycles), why);
      else c.at_most(check, it->cycles, *lim.cycles, "layer " + lim.name + " cycles", show_cycles);
    }
    if (lim.uj) {
      const std::string check = "layer " + lim.name + " uj";
      if (!why.empty()) c.missing(check, uj_text(*lim.uj), why);
      else if (!it->uj) c.missing(check, uj_text(*lim.uj), no_energy(r));
      else
        c.add(check, uj_text(*lim.uj), uj_text(*it->uj), *it->uj <= *lim.uj,
              "layer " + lim.name + " energy " + uj_text(*it->uj) + " is over the limit of " + uj_text(*lim.uj));
    }
    if (lim.ms) {
      const std::string check = "layer " + lim.name + " ms";
      if (!why.empty()) c.missing(check, limit_ms_text(*lim.ms), why);
      else
        c.add(check, limit_ms_text(*lim.ms), ms_text(it->ms), it->ms <= *lim.ms,
              "layer " + lim.name + " time " + ms_text(it->ms) + " is over the limit of " + limit_ms_text(*lim.ms));
    }
  }
  if (l.flash_bytes) c.at_most("flash_bytes", r.flash_bytes, *l.flash_bytes, "flash use", show_bytes);
  if (l.ram_bytes) c.at_most("ram_bytes", r.ram_bytes, *l.ram_bytes, "RAM use (sram and tcm regions)", show_bytes);
  for (const auto &reg : l.regions) {
    const std::string &name = reg.first;
    const uint64_t limit = reg.second;
    const std::string check = "region " + name;
    auto it = std::find_if(r.regions.begin(), r.regions.end(), [&](const auto &x) { return x.name == name; });
    if (it == r.regions.end()) {
      std::vector<std::string> names;
      for (const auto &x : r.regions) names.push_back(x.name);
      c.missing(check, show_bytes(limit), "no such memory region (the report's regions: " + name_list(names) + ")");
    } else c.at_most(check, it->used, limit, "use of " + name, show_bytes);
  }
  if (l.stack_bytes) {
    if (!r.profiled) c.missing("stack_bytes", show_bytes(*l.stack_bytes), not_profiled);
    else c.at_most("stack_bytes", r.stack_bytes, *l.stack_bytes, "stack use", show_bytes);
  }
  if (l.heap_bytes) {
    if (!r.profiled) c.missing("heap_bytes", show_bytes(*l.heap_bytes), not_profiled);
    else c.at_most("heap_bytes", r.heap_bytes, *l.heap_bytes, "heap growth", show_bytes);
  }
  if (l.no_dynamic_allocation) {
    if (!r.profiled) c.missing("no_dynamic_allocation", "none", not_profiled);
    else {
      bool ok = !r.malloc_used && r.heap_bytes == 0;
      std::string value = ok ? "none" : std::string(r.malloc_used ? "malloc called, " : "") + "heap grew " + bytes_text(r.heap_bytes);
      c.add("no_dynamic_allocation", "none", value, ok, "dynamic allocation: " + value);
    }
  }

  // Energy.
  auto energy_check = [&](const char *name, const std::optional<double> &limit, std::optional<double> value,
                          std::string (*show)(double), const std::string &what, const std::string &missing_why) {
    if (!limit) return;
    if (!value) return c.missing(name, show(*limit), missing_why);
    c.add(name, show(*limit), show(*value), *value <= *limit, what + " " + show(*value) + " is over the limit of " + show(*limit));
  };
  const std::string no_power = no_energy(r);
  auto e = [&](double ReportMetrics::Energy::*f) { return r.energy ? std::optional<double>((*r.energy).*f) : std::nullopt; };
  energy_check("average_mw", l.average_mw, e(&ReportMetrics::Energy::average_mw), mw_text, "average power", no_power);
  energy_check("uj_per_run", l.uj_per_run, e(&ReportMetrics::Energy::uj), uj_text, "energy per run", no_power);
  energy_check("uj_per_inference", l.uj_per_inference, r.energy ? r.uj_per_inference : std::nullopt, uj_text,
               "energy per inference", r.energy ? "not measured: the report has no model invocations (no layers)" : no_power);
  energy_check("peak_ma", l.peak_ma, e(&ReportMetrics::Energy::peak_ma), ma_text, "peak current", no_power);
  if (l.min_battery_years) {
    const std::string limit = "at least " + years_text(*l.min_battery_years);
    if (!r.battery_years) c.missing("min_battery_years", limit, "not measured: no battery projection (it needs --scenario and a run with energy)");
    else
      c.add("min_battery_years", limit, years_text(*r.battery_years), *r.battery_years >= *l.min_battery_years,
            "battery life " + years_text(*r.battery_years) + " is under the minimum of " + years_text(*l.min_battery_years));
  }

  const auto &g = budget.regression;
  if (g.any() && !baseline) out.notes.push_back("regression limits not checked: no baseline report given (--baseline)");
  if (baseline && !g.any()) out.notes.push_back("the budget has no [regression] limits: the baseline is not used");
  if (baseline && g.any()) {
    const ReportMetrics &b = *baseline;
    if (b.firmware != r.firmware || b.device != r.device)
      out.notes.push_back("the baseline is " + b.firmware + " on " + b.device + ", this report " + r.firmware + " on " + r.device);
    if (!(b.stop_reason == "exited" && b.exit_code == 0))
      out.notes.push_back("the baseline run did not exit with code 0 (" + how_it_ended(b) + ")");
    if (g.cycles_pct) c.regression("cycles", b.cycles, r.cycles, *g.cycles_pct, show_cycles);
    if (g.flash_pct) c.regression("flash", b.flash_bytes, r.flash_bytes, *g.flash_pct, show_bytes);
    if (g.ram_pct) c.regression("ram", b.ram_bytes, r.ram_bytes, *g.ram_pct, show_bytes);
    for (auto [metric, pct, base, value] : {std::tuple{"stack", g.stack_pct, b.stack_bytes, r.stack_bytes},
                                            std::tuple{"heap", g.heap_pct, b.heap_bytes, r.heap_bytes}}) {
      if (!pct) continue;
      if (!r.profiled || !b.profiled)
        c.missing(std::string("regression ") + metric, fmt("+%.1f%%", *pct),
                  std::string("not measured: the ") + (!r.profiled ? "report" : "baseline") + " was not profiled");
      else c.regression(metric, base, value, *pct, show_bytes);
    }
  }
  return out;
}

std::string render_checks(const BudgetResult &result, bool failures_only) {
  std::vector<std::array<std::string, 4>> rows;
  rows.push_back({"metric", "limit", "value", "result"});
  for (const auto &ch : result.checks) {
    if (failures_only && ch.passed) continue;
    rows.push_back({ch.name, ch.limit, ch.value, ch.passed ? "PASS" : "FAIL: " + ch.message});
  }
  // Columns by characters, not bytes ("µJ").
  auto chars = [](const std::string &s) {
    return size_t(std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
  };
  std::array<size_t, 3> width{};
  for (const auto &row : rows)
    for (size_t i = 0; i < 3; ++i) width[i] = std::max(width[i], chars(row[i]));
  std::string out;
  if (rows.size() > 1)
    for (const auto &row : rows) {
      std::string line = "  ";
      for (size_t i = 0; i < 3; ++i) line += row[i] + std::string(width[i] - chars(row[i]) + 2, ' ');
      out += line + row[3] + "\n";
    }
  for (const auto &n : result.notes) out += "  note: " + n + "\n";
  return out;
}

std::string render_budget_junit(const BudgetResult &result, const ReportMetrics &report, const std::string &budget_file,
                                const std::string &suite_name) {
  JUnitSuite suite;
  suite.name = suite_name;
  suite.properties = {{"firmware", report.firmware}, {"device", report.device}, {"budget", budget_file}};
  std::string stem = std::filesystem::path(report.firmware).stem().string();
  const std::string classname = stem.empty() ? suite_name : suite_name + "." + stem;
  for (const auto &ch : result.checks) {
    JUnitCase tc;
    tc.name = ch.name;
    tc.classname = classname;
    tc.failed = !ch.passed;
    tc.type = "budget";
    if (tc.failed) {
      tc.message = ch.message;
      tc.detail = "limit: " + ch.limit + "\nvalue: " + ch.value + "\n" + report.firmware + " on " + report.device +
                  ", budget " + budget_file + "\n";
    }
    suite.cases.push_back(std::move(tc));
  }
  return render_junit(suite);
}

} // namespace mcusim
