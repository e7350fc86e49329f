#include "profiler/budget.h"
#include "profiler/junit.h"

#include <cctype>
#include <cstring>
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <set>

using namespace mcusim;

namespace {

ReportMetrics metrics_of(const RunReport &r) {
  auto m = report_metrics(r);
  INFO((m ? std::string() : m.error().message));
  REQUIRE(m);
  return *m;
}

RunReport::Function function(const std::string &name, uint64_t self_cycles) {
  RunReport::Function f;
  f.name = name;
  f.self_cycles = f.inclusive_cycles = self_cycles;
  f.calls = 1;
  f.self_share = double(self_cycles) / 1e6;
  return f;
}

RunReport::Region region(const std::string &name, const std::string &kind, uint64_t used) {
  RunReport::Region m;
  m.name = name;
  m.kind = kind;
  m.used = used;
  m.capacity = 1 << 20;
  return m;
}

/// A report as a run would give it: 1,000,000 cycles at 100 MHz (10 ms).
RunReport synthetic_report() {
  RunReport r;
  r.firmware = "model.elf";
  r.device = "testchip";
  r.core = "cortex-m4f";
  r.mhz = 100;
  r.stop_reason = "exited";
  r.exit_code = 0;
  r.cycles = 1'000'000;
  r.instructions = 800'000;
  r.simulated_seconds = 0.01;
  r.profiled = true;
  r.functions = {function("main", 600'000), function("conv", 390'000), function("static_helper", 6'000),
                 function("static_helper", 4'000)};
  r.memory = {region("flash", "flash", 40'000), region("sram", "sram", 12'000), region("dtcm", "tcm", 3'000),
              region("ext", "peripheral", 999)};
  r.stack.used = 1'500;
  r.heap.malloc_used = false;
  r.heap.bytes = 0;
  return r;
}

Budget parse_ok(const std::string &text) {
  auto b = parse_budget(text, "b.toml");
  INFO((b ? std::string() : b.error().message));
  REQUIRE(b);
  return *b;
}

std::string parse_error(const std::string &text) {
  auto b = parse_budget(text, "b.toml");
  REQUIRE_FALSE(b);
  CHECK(b.error().kind == BudgetError::Kind::Malformed);
  return b.error().message;
}

const BudgetCheck *find_check(const BudgetResult &r, const std::string &name) {
  for (const auto &c : r.checks)
    if (c.name == name) return &c;
  return nullptr;
}

/// The one check `name` of `budget_text` against `report` (and `baseline`).
BudgetCheck check_of(const std::string &budget_text, const ReportMetrics &report, const std::string &name,
                     const ReportMetrics *baseline = nullptr) {
  BudgetResult res = evaluate_budget(parse_ok(budget_text), report, baseline);
  const BudgetCheck *c = find_check(res, name);
  INFO("check " << name << " in\n" << render_checks(res));
  REQUIRE(c);
  return *c;
}

/// The report's JSON with `layers` set to `layers`.
ReportMetrics with_layers(const RunReport &r, const nlohmann::json &layers) {
  auto j = nlohmann::json::parse(render_json(r));
  j["layers"] = layers;
  auto m = parse_report_metrics(j.dump(), "r.json", "report");
  INFO((m ? std::string() : m.error().message));
  REQUIRE(m);
  return *m;
}

/// A small XML well-formedness check, enough for what render_junit writes: one
/// root element, balanced and properly nested tags, quoted attributes without
/// '<' or duplicates, only the five predefined entities, no text outside the root.
std::string xml_problem(const std::string &x) {
  size_t i = 0;
  std::vector<std::string> open;
  bool root_seen = false;
  auto entity_at = [&](size_t at) -> size_t {
    for (const char *e : {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"})
      if (x.compare(at, std::strlen(e), e) == 0) return std::strlen(e);
    return 0;
  };
  auto name_at = [&](size_t &j) {
    size_t s = j;
    while (j < x.size() && (std::isalnum((unsigned char)x[j]) || x[j] == '_' || x[j] == ':' || x[j] == '-' || x[j] == '.')) ++j;
    return x.substr(s, j - s);
  };
  auto skip_space = [&](size_t &j) {
    while (j < x.size() && std::isspace((unsigned char)x[j])) ++j;
  };
  if (x.rfind("<?xml", 0) == 0) {
    i = x.find("?>");
    if (i == std::string::npos) return "unterminated XML declaration";
    i += 2;
  }
  while (i < x.size()) {
    char c = x[i];
    if (c == '<' && i + 1 < x.size() && x[i + 1] == '/') {
      size_t j = i + 2;
      std::string name = name_at(j);
      skip_space(j);
      if (j >= x.size() || x[j] != '>') return "bad end tag </" + name;
      if (open.empty() || open.back() != name) return "mismatched </" + name + ">";
      open.pop_back();
      i = j + 1;
    } else if (c == '<') {
      size_t j = i + 1;
      std::string name = name_at(j);
      if (name.empty() || std::isdigit((unsigned char)name[0])) return "bad tag name at offset " + std::to_string(i);
      if (open.empty() && root_seen) return "a second root element <" + name + ">";
      root_seen = true;
      std::set<std::string> attrs;
      while (true) {
        size_t before = j;
        skip_space(j);
        if (j >= x.size()) return "unterminated tag <" + name;
        if (x.compare(j, 2, "/>") == 0) {
          j += 2;
          break;
        }
        if (x[j] == '>') {
          open.push_back(name);
          ++j;
          break;
        }
        if (j == before) return "no space before an attribute in <" + name;
        std::string attr = name_at(j);
        if (attr.empty()) return "bad attribute in <" + name;
        if (!attrs.insert(attr).second) return "duplicate attribute " + attr;
        if (j >= x.size() || x[j] != '=') return "attribute " + attr + " without '='";
        ++j;
        if (j >= x.size() || (x[j] != '"' && x[j] != '\'')) return "unquoted attribute " + attr;
        char q = x[j++];
        while (j < x.size() && x[j] != q) {
          if (x[j] == '<') return "'<' in attribute " + attr;
          if (x[j] == '&') {
            size_t n = entity_at(j);
            if (!n) return "bad entity in attribute " + attr;
            j += n;
          } else ++j;
        }
        if (j >= x.size()) return "unterminated attribute " + attr;
        ++j;
      }
      i = j;
    } else if (c == '&') {
      size_t n = entity_at(i);
      if (!n) return "bad entity at offset " + std::to_string(i);
      if (open.empty()) return "text outside the root element";
      i += n;
    } else {
      if (open.empty() && !std::isspace((unsigned char)c)) return "text outside the root element";
      if ((unsigned char)c < 0x20 && c != '\n' && c != '\r' && c != '\t') return "control character";
      ++i;
    }
  }
  if (!open.empty()) return "unclosed <" + open.back() + ">";
  if (!root_seen) return "no root element";
  return "";
}

size_t count(const std::string &s, const std::string &what) {
  size_t n = 0;
  for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

} // namespace

// --- Parsing ------------------------------------------------------------------------------

TEST_CASE("a budget with every kind of limit parses") {
  Budget b = parse_ok(R"(
[limits]
cycles = 2_000_000
ms = 12.5
flash_bytes = 65536
ram_bytes = 16384
stack_bytes = 2048
heap_bytes = 0
no_dynamic_allocation = true
[limits.functions]
main = 1_500_000
"ns::Op<int>::eval" = 10
[limits.regions]
sram = 8192
[limits.layers]
conv1 = 400_000
fc = { cycles = 1000, ms = 0.5 }
[limits.layers.softmax]
ms = 2
[regression]   # against --baseline
cycles_pct = 2.0
flash_pct = 1
ram_pct = 1.0
stack_pct = 5.0
heap_pct = 0
)");
  CHECK(b.file == "b.toml");
  CHECK(b.limits.cycles == 2'000'000u);
  CHECK(b.limits.ms == doctest::Approx(12.5));
  CHECK(b.limits.flash_bytes == 65536u);
  CHECK(b.limits.ram_bytes == 16384u);
  CHECK(b.limits.stack_bytes == 2048u);
  CHECK(b.limits.heap_bytes == 0u);
  CHECK(b.limits.no_dynamic_allocation);
  REQUIRE(b.limits.functions.size() == 2);
  CHECK(b.limits.functions[1] == std::pair<std::string, uint64_t>{"ns::Op<int>::eval", 10});
  CHECK(b.limits.functions[0] == std::pair<std::string, uint64_t>{"main", 1'500'000});
  REQUIRE(b.limits.regions.size() == 1);
  CHECK(b.limits.regions[0].second == 8192u);
  REQUIRE(b.limits.layers.size() == 3);
  CHECK(b.limits.layers[0].name == "conv1");
  CHECK(b.limits.layers[0].cycles == 400'000u);
  CHECK_FALSE(b.limits.layers[0].ms);
  CHECK(b.limits.layers[1].name == "fc");
  CHECK(b.limits.layers[1].cycles == 1000u);
  CHECK(b.limits.layers[1].ms == doctest::Approx(0.5));
  CHECK(b.limits.layers[2].name == "softmax");
  CHECK_FALSE(b.limits.layers[2].cycles);
  CHECK(b.limits.layers[2].ms == doctest::Approx(2));
  CHECK(b.regression.cycles_pct == doctest::Approx(2.0));
  CHECK(b.regression.flash_pct == doctest::Approx(1.0));
  CHECK(b.regression.heap_pct == doctest::Approx(0.0));
  CHECK(b.regression.any());
}

TEST_CASE("a budget with only regression limits parses but one with no limits does not") {
  Budget b = parse_ok("[regression]\ncycles_pct = 3\n");
  CHECK(b.regression.cycles_pct == doctest::Approx(3));
  CHECK_FALSE(b.limits.cycles);
  CHECK(parse_error("") == "b.toml: malformed budget: it sets no limits ([limits] or [regression])");
  CHECK(parse_error("[limits]\nno_dynamic_allocation = false\n").find("sets no limits") != std::string::npos);
}

TEST_CASE("malformed budgets: one line naming the file, the line and the problem") {
  SUBCASE("syntax error") {
    std::string e = parse_error("[limits]\ncycles = = 5\n");
    CHECK(e.rfind("b.toml:2: malformed budget: ", 0) == 0);
  }
  SUBCASE("unclosed table header") { CHECK(parse_error("[limits\ncycles = 5\n").rfind("b.toml:1: malformed budget: ", 0) == 0); }
  SUBCASE("unknown top-level table") {
    CHECK(parse_error("[limit]\ncycles = 5\n") == "b.toml:1: malformed budget: unknown key 'limit' (known: limits, regression)");
  }
  SUBCASE("unknown limit") {
    std::string e = parse_error("[limits]\ncycles = 5\ncyles = 6\n");
    CHECK(e.rfind("b.toml:3: malformed budget: unknown key 'limits.cyles' (known: cycles, ms, ", 0) == 0);
  }
  SUBCASE("unknown regression metric") {
    CHECK(parse_error("[regression]\n\ncpu_pct = 1\n").rfind("b.toml:3: malformed budget: unknown key 'regression.cpu_pct'", 0) == 0);
  }
  SUBCASE("unknown key in a layer's table") {
    CHECK(parse_error("[limits.layers.conv1]\ncycles = 5\nmacs = 3\n").rfind(
              "b.toml:3: malformed budget: unknown key 'limits.layers.conv1.macs' (known: cycles, ms, uj)", 0) == 0);
  }
  SUBCASE("a string where a number belongs") {
    CHECK(parse_error("[limits]\ncycles = \"2M\"\n") ==
          "b.toml:2: malformed budget: 'limits.cycles' must be a whole number of cycles, not a string");
  }
  SUBCASE("a fraction where a whole number belongs") {
    CHECK(parse_error("[limits]\nflash_bytes = 1.5\n") ==
          "b.toml:2: malformed budget: 'limits.flash_bytes' must be a whole number of bytes, not a floating-point number");
  }
  SUBCASE("a number where true/false belongs") {
    CHECK(parse_error("[limits]\nno_dynamic_allocation = 1\n") ==
          "b.toml:2: malformed budget: 'limits.no_dynamic_allocation' must be true or false, not an integer");
  }
  SUBCASE("a number where a table belongs") {
    CHECK(parse_error("[limits]\nfunctions = 5\n") == "b.toml:2: malformed budget: 'limits.functions' must be a table, not an integer");
    CHECK(parse_error("limits = [1, 2]\n") == "b.toml:1: malformed budget: 'limits' must be a table, not an array");
  }
  SUBCASE("a function limit that is not a number") {
    CHECK(parse_error("[limits.functions]\nmain = \"fast\"\n") ==
          "b.toml:2: malformed budget: 'limits.functions.main' must be a whole number of self cycles, not a string");
  }
  SUBCASE("a layer that is neither a number nor a table") {
    CHECK(parse_error("[limits.layers]\nconv1 = true\n").rfind(
              "b.toml:2: malformed budget: 'limits.layers.conv1' must be a whole number of cycles or a table", 0) == 0);
    CHECK(parse_error("[limits.layers.conv1]\n").find("'limits.layers.conv1' sets none of cycles, ms and uj") != std::string::npos);
  }
  SUBCASE("negative numbers") {
    CHECK(parse_error("[limits]\ncycles = -1\n") == "b.toml:2: malformed budget: 'limits.cycles' must not be negative (got -1)");
    CHECK(parse_error("[limits]\nms = -0.5\n") == "b.toml:2: malformed budget: 'limits.ms' must not be negative (got -0.5)");
    CHECK(parse_error("[regression]\ncycles_pct = -2\n") ==
          "b.toml:2: malformed budget: 'regression.cycles_pct' must not be negative (got -2)");
    CHECK(parse_error("[limits.regions]\nsram = -8\n") ==
          "b.toml:2: malformed budget: 'limits.regions.sram' must not be negative (got -8)");
  }
  SUBCASE("not a finite number") {
    CHECK(parse_error("[limits]\nms = nan\n") == "b.toml:2: malformed budget: 'limits.ms' must be a finite number");
    CHECK(parse_error("[regression]\nram_pct = inf\n") == "b.toml:2: malformed budget: 'regression.ram_pct' must be a finite number");
  }
}

TEST_CASE("budget text: an opening bracket followed by byte 0x0F is rejected before parsing, on one line") {
  CHECK(parse_error(std::string("[\x0F")) == "b.toml:1: malformed budget: control byte 0x0F at column 2 (byte offset 1)");
}

TEST_CASE("budget text: invalid UTF-8, overlong encodings and NUL bytes are rejected") {
  CHECK(parse_error("[limits.functions]\nmain\xA7 = 5\n") ==
        "b.toml:2: malformed budget: invalid UTF-8: byte 0xA7 cannot start a character (a continuation byte without a lead "
        "byte) at column 5 (byte offset 23)");
  CHECK(parse_error("[limits.functions]\n\"\xC1\xBF\" = 5\n").find("b.toml:2: malformed budget: invalid UTF-8: overlong encoding") == 0);
  CHECK(parse_error("[limits.functions]\n\"\xE0\x81\x81\" = 5\n").find("overlong encoding of U+0041") != std::string::npos);
  CHECK(parse_error(std::string("[limits]\ncycles = 5\0\n", 21)) ==
        "b.toml:2: malformed budget: NUL byte (0x00) at column 11 (byte offset 19)");
  CHECK(parse_error("[limits]\ncycles = 5\r\n\r") == "b.toml:3: malformed budget: carriage return not followed by a line feed at column 1 (byte offset 21)");
  // A control character written as an escape in a function name would break the one-line messages and reports.
  CHECK(parse_error("[limits.functions]\n\"main\\n\" = 5\n") ==
        "b.toml:2: malformed budget: key 'limits.functions.main\\x0A' holds a control character (U+000A) at column 1");
}

TEST_CASE("budget limits: nan, inf and negative values are rejected, one line each") {
  for (const char *text : {"[limits]\nms = nan\n", "[limits]\nms = -inf\n", "[limits]\nms = -1\n", "[limits]\ncycles = -1\n",
                           "[limits]\nstack_bytes = -8\n", "[limits.layers]\nconv1 = { ms = nan }\n",
                           "[limits.layers]\nconv1 = { cycles = -3 }\n", "[limits.functions]\nmain = -1\n",
                           "[regression]\ncycles_pct = nan\n", "[regression]\nflash_pct = inf\n", "[regression]\nheap_pct = -0.1\n"}) {
    CAPTURE(text);
    std::string e = parse_error(text);
    CHECK(e.rfind("b.toml:2: malformed budget: '", 0) == 0);
    CHECK((e.find("must be a finite number") != std::string::npos || e.find("must not be negative") != std::string::npos));
    CHECK(e.find('\n') == std::string::npos);
  }
  CHECK(parse_error("[limits.layers]\nconv1 = { ms = nan }\n") ==
        "b.toml:2: malformed budget: 'limits.layers.conv1.ms' must be a finite number");
  CHECK(parse_error("[limits]\ncycles = 99999999999999999999\n").rfind("b.toml:2: malformed budget: ", 0) == 0);
}

TEST_CASE("a missing budget file is unreadable, not malformed") {
  auto b = load_budget("/nonexistent/budget.toml");
  REQUIRE_FALSE(b);
  CHECK(b.error().kind == BudgetError::Kind::Unreadable);
  CHECK(b.error().message == "/nonexistent/budget.toml: cannot read the budget: no such file");
}

// --- Report metrics -----------------------------------------------------------------------

TEST_CASE("report metrics come from the report's JSON") {
  ReportMetrics m = metrics_of(synthetic_report());
  CHECK(m.firmware == "model.elf");
  CHECK(m.device == "testchip");
  CHECK(m.stop_reason == "exited");
  CHECK(m.cycles == 1'000'000u);
  CHECK(m.ms == doctest::Approx(10.0));
  CHECK(m.profiled);
  CHECK(m.flash_bytes == 40'000u);
  CHECK(m.ram_bytes == 15'000u); // sram + tcm, not the peripheral region
  CHECK(m.regions.size() == 4);
  CHECK(m.stack_bytes == 1'500u);
  CHECK_FALSE(m.malloc_used);
  REQUIRE(m.functions.size() == 3); // the two static_helper add up
  CHECK(m.functions[2] == std::pair<std::string, uint64_t>{"static_helper", 10'000});
}

TEST_CASE("layer rows are read as an array or as an object with rows and same names add up") {
  RunReport r = synthetic_report();
  for (const auto &layers : {nlohmann::json::array({{{"name", "conv1"}, {"cycles", 300'000}},
                                                    {{"name", "fc"}, {"cycles", 50'000}, {"ms", 0.5}},
                                                    {{"name", "conv1"}, {"cycles", 100'000}}}),
                             nlohmann::json{{"source", "markers"},
                                            {"rows", {{{"name", "conv1"}, {"op", "CONV_2D"}, {"cycles", 400'000}, {"ms", 4.0}},
                                                      {{"name", "fc"}, {"cycles", 50'000}, {"ms", 0.5}}}}}}) {
    ReportMetrics m = with_layers(r, layers);
    REQUIRE(m.layers.size() == 2);
    CHECK(m.layers[0].name == "conv1");
    CHECK(m.layers[0].cycles == 400'000u);
    CHECK(m.layers[0].ms == doctest::Approx(4.0)); // from cycles and the clock when a row has no ms
    CHECK(m.layers[1].ms == doctest::Approx(0.5));
  }
  CHECK(with_layers(r, {{"source", ""}, {"rows", nlohmann::json::array()}}).layers.empty());
}

TEST_CASE("malformed baselines and reports") {
  auto err = [](const std::string &text) {
    auto m = parse_report_metrics(text, "base.json", "baseline");
    REQUIRE_FALSE(m);
    CHECK(m.error().kind == BudgetError::Kind::Malformed);
    return m.error().message;
  };
  CHECK(err("{\n  \"schema\": \"mcusim-run-report\",\n  oops\n}").rfind("base.json:3: malformed baseline (not JSON): ", 0) == 0);
  CHECK(err("[1, 2]").find("base.json: malformed baseline: not an mcusim run report") == 0);
  // A number too large for a double is nlohmann's out_of_range, not a parse_error.
  CHECK(err("{\"schema\": \"mcusim-run-report\", \"x\": 9.3e505}").rfind("base.json: malformed baseline (not JSON): number overflow", 0) == 0);
  CHECK(err("{\"schema\": \"other\"}").find("not an mcusim run report") != std::string::npos);
  auto j = nlohmann::json::parse(render_json(synthetic_report()));
  j["schema_version"] = 99;
  CHECK(err(j.dump()) == "base.json: malformed baseline: report schema version 99 (this mcusim reads version " +
                             std::to_string(RunReport::kSchemaVersion) + ")");
  j = nlohmann::json::parse(render_json(synthetic_report()));
  j["totals"].erase("cycles");
  CHECK(err(j.dump()) == "base.json: malformed baseline: missing 'totals.cycles' (a whole number)");
  j = nlohmann::json::parse(render_json(synthetic_report()));
  j["memory"]["stack"]["used"] = "lots";
  CHECK(err(j.dump()) == "base.json: malformed baseline: 'memory.stack.used' is not a whole number");
  j = nlohmann::json::parse(render_json(synthetic_report()));
  j["profile"]["functions"][1].erase("self_cycles");
  CHECK(err(j.dump()) == "base.json: malformed baseline: missing 'self_cycles' (a whole number) in profile.functions[1]");
  j = nlohmann::json::parse(render_json(synthetic_report()));
  j["layers"] = {{{"name", "conv1"}}};
  CHECK(err(j.dump()) == "base.json: malformed baseline: missing 'cycles' (a whole number) in layers[0]");
  auto missing = load_report_metrics("/nonexistent/base.json", "baseline");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().kind == BudgetError::Kind::Unreadable);
}

// --- Checks -------------------------------------------------------------------------------

TEST_CASE("each limit passes at its value and fails one below it") {
  ReportMetrics m = metrics_of(synthetic_report());
  struct Case {
    const char *check, *at_limit, *below;
  };
  for (const Case &c : {Case{"cycles", "[limits]\ncycles = 1_000_000", "[limits]\ncycles = 999_999"},
                        Case{"ms", "[limits]\nms = 10.0", "[limits]\nms = 9.99"},
                        Case{"flash_bytes", "[limits]\nflash_bytes = 40000", "[limits]\nflash_bytes = 39999"},
                        Case{"ram_bytes", "[limits]\nram_bytes = 15000", "[limits]\nram_bytes = 14999"},
                        Case{"region dtcm", "[limits.regions]\ndtcm = 3000", "[limits.regions]\ndtcm = 2999"},
                        Case{"stack_bytes", "[limits]\nstack_bytes = 1500", "[limits]\nstack_bytes = 1499"},
                        Case{"function main", "[limits.functions]\nmain = 600_000", "[limits.functions]\nmain = 599_999"},
                        Case{"function static_helper", "[limits.functions]\nstatic_helper = 10_000",
                             "[limits.functions]\nstatic_helper = 9_999"}}) {
    CAPTURE(c.check);
    CHECK(check_of(c.at_limit, m, c.check).passed);
    BudgetCheck broken = check_of(c.below, m, c.check);
    CHECK_FALSE(broken.passed);
    CHECK(broken.message.find("is over the limit of") != std::string::npos);
  }
  BudgetCheck cyc = check_of("[limits]\ncycles = 999_999", m, "cycles");
  CHECK(cyc.limit == "999,999");
  CHECK(cyc.value == "1,000,000");
  CHECK(cyc.message == "cycles 1,000,000 is over the limit of 999,999");
}

TEST_CASE("heap limits and no_dynamic_allocation") {
  RunReport r = synthetic_report();
  CHECK(check_of("[limits]\nno_dynamic_allocation = true", metrics_of(r), "no_dynamic_allocation").passed);
  CHECK(check_of("[limits]\nheap_bytes = 0", metrics_of(r), "heap_bytes").passed);
  r.heap.malloc_used = true;
  r.heap.bytes = 1468;
  BudgetCheck dyn = check_of("[limits]\nno_dynamic_allocation = true", metrics_of(r), "no_dynamic_allocation");
  CHECK_FALSE(dyn.passed);
  CHECK(dyn.value == "malloc called, heap grew 1,468 B");
  CHECK_FALSE(check_of("[limits]\nheap_bytes = 0", metrics_of(r), "heap_bytes").passed);
  CHECK(check_of("[limits]\nheap_bytes = 4096", metrics_of(r), "heap_bytes").passed);
}

TEST_CASE("the result check fails when the run did not exit with code 0") {
  RunReport r = synthetic_report();
  BudgetResult ok = evaluate_budget(parse_ok("[limits]\ncycles = 5_000_000"), metrics_of(r), nullptr);
  REQUIRE(ok.checks.size() == 2);
  CHECK(ok.checks[0].name == "result");
  CHECK(ok.passed());
  r.stop_reason = "fault";
  BudgetResult bad = evaluate_budget(parse_ok("[limits]\ncycles = 5_000_000"), metrics_of(r), nullptr);
  CHECK(bad.failed() == 1);
  CHECK(bad.checks[0].value == "fault");
  r.stop_reason = "exited";
  r.exit_code = 3;
  CHECK_FALSE(evaluate_budget(parse_ok("[limits]\ncycles = 5_000_000"), metrics_of(r), nullptr).checks[0].passed);
}

TEST_CASE("limits on functions, regions and layers the report does not have fail by name") {
  RunReport r = synthetic_report();
  ReportMetrics m = metrics_of(r);
  BudgetCheck fn = check_of("[limits.functions]\nnosuch = 5", m, "function nosuch");
  CHECK_FALSE(fn.passed);
  CHECK(fn.value == "-");
  CHECK(fn.message.rfind("no such function", 0) == 0);
  BudgetCheck reg = check_of("[limits.regions]\nitcm = 5", m, "region itcm");
  CHECK_FALSE(reg.passed);
  CHECK(reg.message == "no such memory region (the report's regions: flash, sram, dtcm, ext)");
  BudgetCheck lay = check_of("[limits.layers]\nconv1 = 400_000", m, "layer conv1");
  CHECK_FALSE(lay.passed);
  CHECK(lay.message == "no such layer: the report has no layers");
  ReportMetrics with = with_layers(r, nlohmann::json::array({{{"name", "conv2"}, {"cycles", 5}}}));
  CHECK(check_of("[limits.layers]\nconv1 = 400_000", with, "layer conv1").message ==
        "no such layer (the report's layers: conv2)");
  r.profiled = false;
  r.functions.clear();
  CHECK(check_of("[limits]\nstack_bytes = 4096", metrics_of(r), "stack_bytes").message ==
        "not measured: the report was not profiled");
}

TEST_CASE("layer limits are checked when the report has the layer") {
  ReportMetrics m = with_layers(synthetic_report(), nlohmann::json::array({{{"name", "conv1"}, {"cycles", 300'000}, {"ms", 3.0}},
                                                                            {{"name", "fc"}, {"cycles", 50'000}}}));
  CHECK(check_of("[limits.layers]\nconv1 = 300_000", m, "layer conv1").passed);
  BudgetCheck over = check_of("[limits.layers]\nconv1 = 299_999", m, "layer conv1");
  CHECK_FALSE(over.passed);
  CHECK(over.message == "layer conv1 cycles 300,000 is over the limit of 299,999");
  CHECK(check_of("[limits.layers.conv1]\nms = 3", m, "layer conv1 ms").passed);
  CHECK_FALSE(check_of("[limits.layers.conv1]\nms = 2.9", m, "layer conv1 ms").passed);
  CHECK(check_of("[limits.layers]\nfc = { ms = 0.5 }", m, "layer fc ms").passed); // 50,000 cycles at 100 MHz
  CHECK_FALSE(check_of("[limits.layers]\nfc = { ms = 0.49 }", m, "layer fc ms").passed);
  BudgetResult both = evaluate_budget(parse_ok("[limits.layers]\nconv1 = { cycles = 1, ms = 1 }"), m, nullptr);
  CHECK(both.failed() == 2);
}

TEST_CASE("regression limits: allowed percentage over the baseline") {
  RunReport base = synthetic_report();
  RunReport now = base;
  const char *budget = "[regression]\ncycles_pct = 2.0\nflash_pct = 1.0\nram_pct = 0\nstack_pct = 5\nheap_pct = 10\n";
  ReportMetrics b = metrics_of(base);

  now.cycles = 1'020'000; // +2.0%: allowed
  CHECK(check_of(budget, metrics_of(now), "regression cycles", &b).passed);
  now.cycles = 1'020'001;
  BudgetCheck over = check_of(budget, metrics_of(now), "regression cycles", &b);
  CHECK_FALSE(over.passed);
  CHECK(over.limit == "+2.0%");
  CHECK(over.value == "+2.0% (1,000,000 -> 1,020,001)");
  CHECK(over.message == "cycles grew 2.0% (1,000,000 -> 1,020,001) over the baseline, more than the allowed 2.0%");
  now.cycles = 500'000; // faster: fine
  BudgetCheck faster = check_of(budget, metrics_of(now), "regression cycles", &b);
  CHECK(faster.passed);
  CHECK(faster.value == "-50.0% (1,000,000 -> 500,000)");

  now.memory[0].used = 40'400; // flash +1%
  CHECK(check_of(budget, metrics_of(now), "regression flash", &b).passed);
  now.memory[0].used = 40'401;
  CHECK_FALSE(check_of(budget, metrics_of(now), "regression flash", &b).passed);
  now.memory[2].used = 3'001; // tcm counts as RAM; 0% allowed
  CHECK_FALSE(check_of(budget, metrics_of(now), "regression ram", &b).passed);
  now.stack.used = 1'575; // +5%
  CHECK(check_of(budget, metrics_of(now), "regression stack", &b).passed);
  now.stack.used = 1'576;
  CHECK_FALSE(check_of(budget, metrics_of(now), "regression stack", &b).passed);

  // From nothing: any heap at all is a regression, whatever the percentage.
  CHECK(check_of(budget, metrics_of(now), "regression heap", &b).passed);
  now.heap.bytes = 16;
  BudgetCheck heap = check_of(budget, metrics_of(now), "regression heap", &b);
  CHECK_FALSE(heap.passed);
  CHECK(heap.value == "new (0 B -> 16 B)");

  BudgetResult all = evaluate_budget(parse_ok(budget), metrics_of(now), &b);
  CHECK(all.checks.size() == 6); // result + 5 metrics
}

TEST_CASE("notes: regression limits without a baseline, a baseline without regression limits, another firmware") {
  ReportMetrics m = metrics_of(synthetic_report());
  BudgetResult no_base = evaluate_budget(parse_ok("[limits]\ncycles = 5_000_000\n[regression]\ncycles_pct = 1"), m, nullptr);
  CHECK(no_base.checks.size() == 2);
  REQUIRE(no_base.notes.size() == 1);
  CHECK(no_base.notes[0].find("regression limits not checked") == 0);
  BudgetResult unused = evaluate_budget(parse_ok("[limits]\ncycles = 5_000_000"), m, &m);
  REQUIRE(unused.notes.size() == 1);
  CHECK(unused.notes[0].find("no [regression] limits") != std::string::npos);
  RunReport other = synthetic_report();
  other.firmware = "old.elf";
  ReportMetrics o = metrics_of(other);
  BudgetResult diff = evaluate_budget(parse_ok("[regression]\ncycles_pct = 1"), m, &o);
  REQUIRE(diff.notes.size() == 1);
  CHECK(diff.notes[0] == "the baseline is old.elf on testchip, this report model.elf on testchip");
}

TEST_CASE("the check table lists metric, limit, value and PASS/FAIL") {
  ReportMetrics m = metrics_of(synthetic_report());
  BudgetResult res = evaluate_budget(parse_ok("[limits]\ncycles = 2_000_000\nstack_bytes = 1000"), m, nullptr);
  std::string table = render_checks(res);
  CHECK(table.find("metric") != std::string::npos);
  CHECK(table.find("cycles       2,000,000           1,000,000           PASS") != std::string::npos);
  CHECK(table.find("stack_bytes  1,000 B             1,500 B             FAIL: stack use 1,500 B is over the limit of 1,000 B") !=
        std::string::npos);
  std::string failures = render_checks(res, true);
  CHECK(failures.find("PASS") == std::string::npos);
  CHECK(failures.find("stack_bytes") != std::string::npos);
}

// --- JUnit --------------------------------------------------------------------------------

TEST_CASE("the XML checker used here rejects what is not well-formed") {
  CHECK(xml_problem("<a><b/></a>").empty());
  CHECK(xml_problem("<?xml version=\"1.0\"?>\n<a x=\"1 &amp; 2\">t &lt; u</a>\n").empty());
  CHECK_FALSE(xml_problem("<a><b></a>").empty());
  CHECK_FALSE(xml_problem("<a x=\"1 & 2\"/>").empty());
  CHECK_FALSE(xml_problem("<a x=\"<\"/>").empty());
  CHECK_FALSE(xml_problem("<a>x < y</a>").empty());
  CHECK_FALSE(xml_problem("<a/><b/>").empty());
  CHECK_FALSE(xml_problem("<a x=\"1\" x=\"2\"/>").empty());
  CHECK_FALSE(xml_problem("<a>").empty());
}

TEST_CASE("xml_escape") {
  CHECK(xml_escape("a&b<c>d\"e'f") == "a&amp;b&lt;c&gt;d&quot;e&apos;f");
  CHECK(xml_escape("tab\tnl\nbell\x07") == "tab\tnl\nbell?");
  CHECK(xml_escape("caf\xc3\xa9") == "caf\xc3\xa9"); // valid UTF-8 kept
  CHECK(xml_escape("bad\xff\xc3") == "bad??");
}

TEST_CASE("JUnit output: one testsuite, one testcase per check, failures escaped") {
  RunReport r = synthetic_report();
  r.functions.push_back(function("operator<&", 5'000));
  r.firmware = "a&b<c>.elf";
  ReportMetrics m = metrics_of(r);
  Budget b = parse_ok("[limits]\ncycles = 2_000_000\nstack_bytes = 1000\n[limits.functions]\n\"operator<&\" = 10\n");
  BudgetResult res = evaluate_budget(b, m, nullptr);
  REQUIRE(res.checks.size() == 4);
  REQUIRE(res.failed() == 2);
  std::string xml = render_budget_junit(res, m, "ci/budget \"main\".toml");
  INFO(xml);
  CHECK(xml_problem(xml) == "");
  CHECK(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites", 0) == 0);
  CHECK(count(xml, "<testsuite ") == 1);
  CHECK(xml.find("<testsuite name=\"mcusim-budget\" tests=\"4\" failures=\"2\"") != std::string::npos);
  CHECK(count(xml, "<testcase ") == 4);
  CHECK(count(xml, "<failure ") == 2);
  CHECK(xml.find("<testcase name=\"cycles\" classname=\"mcusim-budget.a&amp;b&lt;c&gt;\" time=\"0\"/>") != std::string::npos);
  CHECK(xml.find("<testcase name=\"function operator&lt;&amp;\"") != std::string::npos);
  CHECK(xml.find("<failure message=\"operator&lt;&amp; self cycles 5,000 is over the limit of 10\" type=\"budget\">") !=
        std::string::npos);
  CHECK(xml.find("<property name=\"budget\" value=\"ci/budget &quot;main&quot;.toml\"/>") != std::string::npos);
  CHECK(xml.find("operator<&") == std::string::npos); // never raw
}

TEST_CASE("render_junit of a generic suite") {
  JUnitSuite s;
  s.name = "x'y";
  s.cases = {{"ok", "c"}, {"bad", "c", true, "it <broke>", "line 1\nline 2 & more"}};
  std::string xml = render_junit(s);
  CHECK(xml_problem(xml) == "");
  CHECK(xml.find("<testsuite name=\"x&apos;y\" tests=\"2\" failures=\"1\"") != std::string::npos);
  CHECK(xml.find("<failure message=\"it &lt;broke&gt;\" type=\"failure\">line 1\nline 2 &amp; more</failure>") != std::string::npos);
  CHECK(xml.find("<properties>") == std::string::npos);
}
