/// Energy in the HTML report, the run database, `mcusim compare` and the
/// Chrome / Perfetto trace, from hand-built reports whose energy is set here.
#include "profiler/compare.h"
#include "profiler/run_report.h"
#include "profiler/store.h"
#include "profiler/timeline.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <atomic>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <limits>
#include <set>
#include <unistd.h>

#include "helpers.h"

using namespace mcusim;
namespace fs = std::filesystem;

namespace {

using test::TempDir;

/// Ten milliseconds at 3 V: 1 ms running (4.8 mA), 4 ms asleep (1 mA), a
/// 10 µs wake-up, deep sleep (2 µA) to 9 ms, running again to 10 ms.
power::RunEnergy sample_energy() {
  power::RunEnergy e;
  power::EnergyModel &m = e.model;
  m.device = "stm32l4r5";
  m.mode = "range1";
  m.deep_sleep_name = "stop2";
  m.mhz = 48;
  m.voltage_v = 3.0;
  m.temperature_c = 25;
  m.run_ua[0] = 4800;
  m.run_ua[1] = 4100;
  m.sleep_ua = 1000;
  m.deep_sleep_ua = 2;
  m.wakeup_ua = 4800;
  m.sleep_wakeup_us = 1.5;
  m.deep_wakeup_us = 10;
  m.weights.mac_pj = 1.25;
  m.sources = {"run flash: 100 µA/MHz (DS12023 table 36)", "sleep: 1000 µA (DS12023 table 40)"};
  e.seconds = 0.010;
  e.timeline = {{0, 0.001, 14.4, CoreState::Run},
                {0.001, 0.005, 3.0, CoreState::Sleep},
                {0.005, 0.00501, 14.4, CoreState::Wakeup},
                {0.00501, 0.009, 0.006, CoreState::DeepSleep},
                {0.009, 0.010, 14.4, CoreState::Run}};
  e.states = {{"run (flash)", 96000, 0.002, 28.8, 0, 4800},
              {"sleep", 192000, 0.004, 12.0, 0, 1000},
              {"deep sleep (stop2)", 191520, 0.00399, 0.02394, 0, 2},
              {"wake-up", 480, 0.00001, 0.144, 0, 4800}};
  for (const auto &s : e.states) e.energy_uj += s.uj;
  for (auto &s : e.states) s.share = s.uj / e.energy_uj;
  e.average_mw = e.energy_uj / (e.seconds * 1e3);
  e.average_ma = e.average_mw / m.voltage_v;
  e.peak_mw = 14.4;
  e.peak_ma = 4.8;
  e.sleep_entries = 1;
  e.deep_sleep_entries = 1;
  e.wakeup_uj = 0.144;
  e.class_uj = 0;
  return e;
}

RunReport::Function function(const std::string &name, uint64_t self, uint64_t inclusive, double self_uj, double inclusive_uj) {
  RunReport::Function f;
  f.name = name;
  f.self_cycles = self;
  f.inclusive_cycles = inclusive;
  f.calls = 1;
  f.self_share = double(self) / 480000;
  f.self_uj = self_uj;
  f.inclusive_uj = inclusive_uj;
  return f;
}

/// A profiled report with two layers and three functions, with energy or
/// (energy = false) with the note that says why there is none.
RunReport sample_report(bool energy = true) {
  RunReport r;
  r.firmware = "kws-stm32l4r5.elf";
  r.device = "stm32l4r5";
  r.core = "cortex-m4f";
  r.timing = "cortex-m4 tables, 2 flash wait states";
  r.mhz = 48;
  r.stop_reason = "exited";
  r.cycles = 480000;
  r.instructions = 90000;
  r.sleep_cycles = 383520;
  r.cpi = 480000.0 / 90000;
  r.simulated_seconds = 0.010;
  r.profiled = true;
  r.functions = {function("main", 60000, 96000, 18.0, 28.8), function("conv", 30000, 30000, 9.0, 9.0),
                 function("fc", 6000, 6000, 1.8, 1.8)};
  r.layers = {{.node = 0, .name = "conv1", .op = "CONV_2D", .invocations = 2, .cycles = 60000, .mean_cycles = 30000,
               .min_cycles = 29000, .max_cycles = 31000, .ms = 1.25, .share = 0.125, .mean_us = 625, .uj = 18.0, .mean_uj = 9.0},
              {.node = 1, .name = "fc1", .op = "FULLY_CONNECTED", .invocations = 2, .cycles = 12000, .mean_cycles = 6000,
               .min_cycles = 6000, .max_cycles = 6000, .ms = 0.25, .share = 0.025, .mean_us = 125, .uj = 3.6, .mean_uj = 1.8}};
  r.layer_operators = {{.op = "CONV_2D", .layers = 1, .invocations = 2, .cycles = 60000, .ms = 1.25, .share = 0.125},
                       {.op = "FULLY_CONNECTED", .layers = 1, .invocations = 2, .cycles = 12000, .ms = 0.25, .share = 0.025}};
  r.layer_source = "markers";
  r.layer_invocations = 2;
  r.invocation_rule = "invoke-marker";
  r.memory = {{.name = "flash", .kind = "flash", .used = 20000, .capacity = 2097152},
              {.name = "sram", .kind = "sram", .used = 9000, .capacity = 655360}};
  if (energy) {
    r.energy = sample_energy();
    r.uj_per_inference = 20.484;
  } else {
    for (auto &f : r.functions) f.self_uj = f.inclusive_uj = 0;
    for (auto &l : r.layers) l.uj = l.mean_uj = 0;
    r.energy_note = "stm32f407 has no [power] section <see docs/power.md>";
  }
  return r;
}

/// Whether an HTML page is well-formed as XML would be, allowing the
/// doctype and HTML's void elements (meta): every other tag closed or
/// self-closed, properly nested; quoted attributes; no '<' in text. Returns
/// the first problem, or "".
std::string html_problem(const std::string &x) {
  static const std::set<std::string> kVoid = {"meta", "br", "hr", "img", "link", "input"};
  std::vector<std::string> open;
  size_t i = 0;
  if (x.rfind("<!DOCTYPE html>", 0) == 0) i = std::string("<!DOCTYPE html>").size();
  auto name_at = [&](size_t &j) {
    size_t s = j;
    while (j < x.size() && (std::isalnum((unsigned char)x[j]) || x[j] == '-' || x[j] == ':')) ++j;
    return x.substr(s, j - s);
  };
  while (i < x.size()) {
    if (x[i] != '<') {
      if (x[i] == '&') {
        size_t semi = x.find(';', i);
        if (semi == std::string::npos || semi - i > 8) return "a bare '&' at offset " + std::to_string(i);
      }
      ++i;
      continue;
    }
    if (x.compare(i, 2, "</") == 0) {
      size_t j = i + 2;
      std::string name = name_at(j);
      if (j >= x.size() || x[j] != '>') return "bad end tag </" + name;
      if (open.empty() || open.back() != name) return "mismatched </" + name + "> (open: " + (open.empty() ? "" : open.back()) + ")";
      open.pop_back();
      i = j + 1;
      continue;
    }
    size_t j = i + 1;
    std::string name = name_at(j);
    if (name.empty()) return "bad tag at offset " + std::to_string(i);
    bool closed = false;
    while (true) {
      while (j < x.size() && std::isspace((unsigned char)x[j])) ++j;
      if (j >= x.size()) return "unterminated <" + name;
      if (x.compare(j, 2, "/>") == 0) {
        closed = true;
        j += 2;
        break;
      }
      if (x[j] == '>') {
        ++j;
        break;
      }
      std::string attr = name_at(j);
      if (attr.empty() || j >= x.size() || x[j] != '=') return "bad attribute in <" + name;
      ++j;
      if (x[j] != '"') return "unquoted attribute " + attr + " in <" + name;
      size_t end = x.find('"', j + 1);
      if (end == std::string::npos) return "unterminated attribute " + attr;
      if (x.substr(j + 1, end - j - 1).find('<') != std::string::npos) return "'<' in attribute " + attr;
      j = end + 1;
    }
    if (!closed && !kVoid.count(name)) open.push_back(name);
    i = j;
  }
  if (!open.empty()) return "unclosed <" + open.back() + ">";
  return "";
}

/// The d attribute of the first <path class="step" ...>.
std::string step_path(const std::string &html) {
  size_t at = html.find("<path class=\"step\" d=\"");
  if (at == std::string::npos) return "";
  at += std::string("<path class=\"step\" d=\"").size();
  return html.substr(at, html.find('"', at) - at);
}

int64_t count(const fs::path &db, const std::string &sql) {
  sqlite3 *c = nullptr;
  REQUIRE(sqlite3_open_v2(db.c_str(), &c, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt *q = nullptr;
  REQUIRE_MESSAGE(sqlite3_prepare_v2(c, sql.c_str(), -1, &q, nullptr) == SQLITE_OK, sqlite3_errmsg(c));
  REQUIRE(sqlite3_step(q) == SQLITE_ROW);
  int64_t n = sqlite3_column_int64(q, 0);
  sqlite3_finalize(q);
  sqlite3_close(c);
  return n;
}

/// One row of a query as "a|b|c" (NULL for NULL).
std::string row_text(const fs::path &db, const std::string &sql) {
  sqlite3 *c = nullptr;
  REQUIRE(sqlite3_open_v2(db.c_str(), &c, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt *q = nullptr;
  REQUIRE_MESSAGE(sqlite3_prepare_v2(c, sql.c_str(), -1, &q, nullptr) == SQLITE_OK, sqlite3_errmsg(c));
  std::string out;
  if (sqlite3_step(q) == SQLITE_ROW)
    for (int i = 0; i < sqlite3_column_count(q); ++i) {
      const unsigned char *t = sqlite3_column_text(q, i);
      out += (i ? "|" : "") + std::string(t ? reinterpret_cast<const char *>(t) : "NULL");
    }
  sqlite3_finalize(q);
  sqlite3_close(c);
  return out;
}

void exec(const fs::path &db, const std::string &sql) {
  sqlite3 *c = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &c) == SQLITE_OK);
  char *err = nullptr;
  int rc = sqlite3_exec(c, sql.c_str(), nullptr, nullptr, &err);
  std::string msg = err ? err : "";
  sqlite3_free(err);
  sqlite3_close(c);
  REQUIRE_MESSAGE(rc == SQLITE_OK, msg);
}

bool same(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

/// Every field of two RunEnergy values, exactly.
void check_same_energy(const power::RunEnergy &a, const power::RunEnergy &b) {
  const auto &ma = a.model, &mb = b.model;
  CHECK(ma.device == mb.device);
  CHECK(ma.mode == mb.mode);
  CHECK(ma.deep_sleep_name == mb.deep_sleep_name);
  CHECK(same(ma.mhz, mb.mhz));
  CHECK(same(ma.voltage_v, mb.voltage_v));
  CHECK(same(ma.temperature_c, mb.temperature_c));
  CHECK(same(ma.run_ua[0], mb.run_ua[0]));
  CHECK(same(ma.run_ua[1], mb.run_ua[1]));
  CHECK(same(ma.sleep_ua, mb.sleep_ua));
  CHECK(same(ma.deep_sleep_ua, mb.deep_sleep_ua));
  CHECK(same(ma.wakeup_ua, mb.wakeup_ua));
  CHECK(same(ma.sleep_wakeup_us, mb.sleep_wakeup_us));
  CHECK(same(ma.deep_wakeup_us, mb.deep_wakeup_us));
  CHECK(same(ma.weights.mac_pj, mb.weights.mac_pj));
  CHECK(same(ma.weights.fpu_pj, mb.weights.fpu_pj));
  CHECK(same(ma.weights.flash_load_pj, mb.weights.flash_load_pj));
  CHECK(same(ma.weights.sram_access_pj, mb.weights.sram_access_pj));
  CHECK(ma.sources == mb.sources);
  CHECK(same(a.seconds, b.seconds));
  CHECK(same(a.energy_uj, b.energy_uj));
  CHECK(same(a.average_mw, b.average_mw));
  CHECK(same(a.peak_mw, b.peak_mw));
  CHECK(same(a.peak_ma, b.peak_ma));
  CHECK(same(a.average_ma, b.average_ma));
  CHECK(a.sleep_entries == b.sleep_entries);
  CHECK(a.deep_sleep_entries == b.deep_sleep_entries);
  CHECK(same(a.wakeup_uj, b.wakeup_uj));
  CHECK(same(a.class_uj, b.class_uj));
  CHECK(a.timeline_merged == b.timeline_merged);
  REQUIRE(a.states.size() == b.states.size());
  for (size_t i = 0; i < a.states.size(); ++i) {
    CHECK(a.states[i].state == b.states[i].state);
    CHECK(a.states[i].cycles == b.states[i].cycles);
    CHECK(same(a.states[i].seconds, b.states[i].seconds));
    CHECK(same(a.states[i].uj, b.states[i].uj));
    CHECK(same(a.states[i].share, b.states[i].share));
    CHECK(same(a.states[i].current_ua, b.states[i].current_ua));
  }
  REQUIRE(a.timeline.size() == b.timeline.size());
  for (size_t i = 0; i < a.timeline.size(); ++i) {
    CHECK(same(a.timeline[i].start_s, b.timeline[i].start_s));
    CHECK(same(a.timeline[i].end_s, b.timeline[i].end_s));
    CHECK(same(a.timeline[i].mw, b.timeline[i].mw));
    CHECK(a.timeline[i].state == b.timeline[i].state);
  }
}

/// ∫ P dt over a timeline, in µJ (mW x ms).
double integral_uj(const std::vector<power::PowerPoint> &t) {
  double uj = 0;
  for (const auto &p : t) uj += p.mw * (p.end_s - p.start_s) * 1e3;
  return uj;
}

} // namespace

// --- HTML -------------------------------------------------------------------------------

TEST_CASE("html: the Energy section has the totals, the power states, the power chart and the µJ columns") {
  const RunReport r = sample_report();
  const std::string html = render_html(r);
  CHECK(html_problem(html) == "");
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("src=") == std::string::npos);
  CHECK(html.find("href=") == std::string::npos);
  CHECK(html.find("<h2>Energy</h2>") != std::string::npos);
  // The model and the totals: 40.968 µJ in 10 ms = 4.097 mW; peak 14.4 mW.
  CHECK(html.find("stm32l4r5, mode range1 at 48 MHz, 3 V, 25 &deg;C") != std::string::npos);
  CHECK(html.find("<b>4.097 mW</b><span>average power</span>") != std::string::npos);
  CHECK(html.find("<b>14.400 mW</b><span>peak power</span>") != std::string::npos);
  CHECK(html.find("<b>40.968 \xC2\xB5J</b><span>energy per run</span>") != std::string::npos);
  CHECK(html.find("<b>20.484 \xC2\xB5J</b><span>energy per inference</span>") != std::string::npos);
  // The power states: time, cycles, energy, share, current.
  CHECK(html.find("<tr><td>run (flash)</td><td>2.000</td><td>96,000</td><td>28.800</td><td>70.3%</td><td>4800.0</td></tr>") !=
        std::string::npos);
  CHECK(html.find("<tr><td>sleep</td><td>4.000</td><td>192,000</td><td>12.000</td><td>29.3%</td><td>1000.0</td></tr>") !=
        std::string::npos);
  CHECK(html.find("<tr><td>deep sleep (stop2)</td><td>3.990</td><td>191,520</td><td>0.024</td><td>0.1%</td><td>2.0</td></tr>") !=
        std::string::npos);
  CHECK(html.find("1 sleep and 1 deep-sleep entries, wake-ups 0.144 &micro;J") != std::string::npos);
  CHECK(html.find("<li>run flash: 100 \xC2\xB5" "A/MHz (DS12023 table 36)</li><li>sleep: 1000 \xC2\xB5" "A (DS12023 table 40)</li>") !=
        std::string::npos);
  // The chart: a step line with two vertices per point; 10 ms and 14.4 mW on
  // axes of 0..10 ms (5 steps of 2) and 0..16 mW (8 steps of 2):
  // x = 70 + 800 * t / 10 ms, y = 12 + 200 * (1 - P / 16 mW).
  CHECK(html.find("<svg class=\"chart power\"") != std::string::npos);
  const std::string d = step_path(html);
  REQUIRE_FALSE(d.empty());
  size_t vertices = 0;
  for (char c : d) vertices += c == 'L';
  CHECK(vertices == 2 * r.energy->timeline.size());
  CHECK(d.rfind("M70.00,32.00 L70.00,32.00 L150.00,32.00 L150.00,174.50 L470.00,174.50", 0) == 0); // run, then sleep at 3 mW
  CHECK(d.find("L790.00,32.00 L870.00,32.00") == d.size() - std::string("L790.00,32.00 L870.00,32.00").size());
  // The axes end at the data: the last tick labels are 10 (ms) and 16 (mW).
  CHECK(html.find("text-anchor=\"middle\">10</text>") != std::string::npos);
  CHECK(html.find("text-anchor=\"middle\">12</text>") == std::string::npos);
  CHECK(html.find("text-anchor=\"end\">16</text>") != std::string::npos);
  CHECK(html.find("text-anchor=\"end\">18</text>") == std::string::npos);
  CHECK(html.find(">time (ms)</text>") != std::string::npos);
  CHECK(html.find(">power (mW)</text>") != std::string::npos);
  // The states are filled in their colours, with a legend.
  for (const char *s : {"run", "sleep", "deep-sleep", "wake-up"})
    CHECK(html.find("</i>" + std::string(s) + "</span>") != std::string::npos);
  CHECK(html.find("merged") == std::string::npos);
  // µJ columns in the layer and function tables.
  CHECK(html.find("<th>&micro;J</th><th>mean &micro;J</th>") != std::string::npos);
  CHECK(html.find("<td>18.000</td><td>9.000</td></tr>") != std::string::npos); // conv1
  CHECK(html.find("<th>self &micro;J</th><th>inclusive &micro;J</th>") != std::string::npos);
  CHECK(html.find("<td>18.000</td><td>28.800</td></tr>") != std::string::npos); // main
}

TEST_CASE("html: a merged timeline says so, an empty one draws no chart") {
  RunReport r = sample_report();
  r.energy->timeline_merged = true;
  std::string html = render_html(r);
  CHECK(html_problem(html) == "");
  CHECK(html.find("The timeline was merged to 5 points") != std::string::npos);
  r.energy->timeline.clear();
  html = render_html(r);
  CHECK(html_problem(html) == "");
  CHECK(html.find("chart power") == std::string::npos);
  CHECK(html.find("No power timeline was recorded.") != std::string::npos);
}

TEST_CASE("html: a report without energy shows its energy note and no chart or µJ columns") {
  const RunReport r = sample_report(false);
  const std::string html = render_html(r);
  CHECK(html_problem(html) == "");
  CHECK(html.find("Energy: stm32f407 has no [power] section &lt;see docs/power.md&gt;") != std::string::npos);
  CHECK(html.find("<h2>Energy</h2>") == std::string::npos);
  CHECK(html.find("chart power") == std::string::npos);
  CHECK(html.find("&micro;J") == std::string::npos);
  // Nor a note when there is none to give.
  RunReport plain = r;
  plain.energy_note.clear();
  CHECK(render_html(plain).find("Energy") == std::string::npos);
}

TEST_CASE("html: the well-formedness check used here finds what is broken") {
  CHECK(html_problem("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body><p>a &amp; b</p></body></html>") == "");
  CHECK(html_problem("<html><p></html>") != "");
  CHECK(html_problem("<html><svg><rect x=\"1\"></svg></html>") != "");
  CHECK(html_problem("<html><p>a & b</p></html>") != "");
  CHECK(html_problem("<html><p x=1></p></html>") != "");
  CHECK(html_problem("<html>") != "");
}

// --- Trace ------------------------------------------------------------------------------

TEST_CASE("trace: a \"power (mW)\" counter track holds the timeline's points") {
  ProfileData profile;
  const power::RunEnergy e = sample_energy();
  auto trace = nlohmann::json::parse(render_trace(profile, 48e6, "kws on stm32l4r5", &e));
  std::vector<nlohmann::json> counters;
  for (const auto &ev : trace["traceEvents"])
    if (ev["ph"] == "C") counters.push_back(ev);
  REQUIRE(counters.size() == e.timeline.size() + 1); // one per point, one holding the last to its end
  for (size_t i = 0; i < counters.size(); ++i) {
    const auto &c = counters[i];
    const auto &p = e.timeline[std::min(i, e.timeline.size() - 1)];
    CHECK(c["name"] == "power (mW)");
    CHECK(c["pid"] == 1);
    CHECK(c["ts"].get<double>() == doctest::Approx((i < e.timeline.size() ? p.start_s : p.end_s) * 1e6));
    CHECK(c["args"]["mW"].get<double>() == p.mw);
  }
  CHECK(counters[1]["ts"].get<double>() == doctest::Approx(1000.0)); // sleep from 1 ms
  CHECK(counters[1]["args"]["mW"].get<double>() == 3.0);
  CHECK(counters.back()["ts"].get<double>() == doctest::Approx(10000.0));
  CHECK_FALSE(trace.contains("otherData"));

  // A merged timeline is noted; no energy, no counters.
  power::RunEnergy merged = e;
  merged.timeline_merged = true;
  trace = nlohmann::json::parse(render_trace(profile, 48e6, "kws", &merged));
  CHECK(trace["otherData"]["note"] == "power timeline merged");
  trace = nlohmann::json::parse(render_trace(profile, 48e6, "kws"));
  for (const auto &ev : trace["traceEvents"]) CHECK(ev["ph"] != "C");
}

// --- Compare ----------------------------------------------------------------------------

TEST_CASE("compare: energy rows with deltas when both runs have energy") {
  RunReport a = sample_report(), b = sample_report();
  b.energy->energy_uj = a.energy->energy_uj * 0.5;
  b.energy->average_mw = 2.5;
  b.uj_per_inference = 10.0;
  RunComparison c = compare_runs(a, b, "run 1", "run 2");
  REQUIRE(c.energy.size() == 4);
  CHECK(c.energy[0].name == "energy (\xC2\xB5J)");
  CHECK(c.energy[0].delta() == doctest::Approx(-a.energy->energy_uj / 2));
  CHECK(*c.energy[0].percent() == doctest::Approx(-50));
  CHECK(c.energy[1].name == "average power (mW)");
  CHECK(c.energy[1].delta() == doctest::Approx(2.5 - a.energy->average_mw));
  CHECK(c.energy[2].name == "peak power (mW)");
  CHECK(c.energy[2].delta() == 0);
  CHECK(c.energy[3].name == "energy per inference (\xC2\xB5J)");
  CHECK(c.energy[3].delta() == doctest::Approx(10.0 - 20.484));

  const std::string text = render_comparison_text(c);
  CHECK(text.find("\nenergy ") != std::string::npos);
  // "µ" is two bytes: the columns still line up with the totals above.
  size_t row = text.find("  energy (\xC2\xB5J)"), cycles = text.find("  cycles");
  REQUIRE(row != std::string::npos);
  std::string energy_line = text.substr(row, text.find('\n', row) - row), cycles_line = text.substr(cycles, text.find('\n', cycles) - cycles);
  CHECK(energy_line.size() == cycles_line.size() + 1);
  CHECK(energy_line.find("40.968") != std::string::npos);
  CHECK(energy_line.find("20.484") != std::string::npos);
  CHECK(energy_line.find("-20.484") != std::string::npos);
  CHECK(energy_line.find("-50.0%") != std::string::npos);
  auto j = nlohmann::json::parse(render_comparison_json(c));
  REQUIRE(j["energy"].size() == 4);
  CHECK(j["energy"][0]["unit"] == "uJ");
  CHECK(j["energy"][1]["unit"] == "mW");
  CHECK(j["energy"][0]["delta"].get<double>() == doctest::Approx(-a.energy->energy_uj / 2));
  CHECK(j["a"]["energy"] == true);
  const std::string md = render_comparison_markdown(c);
  CHECK(md.find("| average power (mW) | 4.097 | 2.500 | -1.597 | -39.0% |") != std::string::npos);

  SUBCASE("per inference only when both have it") {
    b.uj_per_inference.reset();
    CHECK(compare_runs(a, b, "A", "B").energy.size() == 3);
  }
  SUBCASE("one run without energy: no rows, one line naming it") {
    RunReport none = sample_report(false);
    RunComparison d = compare_runs(a, none, "A", "B");
    CHECK(d.energy.empty());
    CHECK(render_comparison_text(d).find("\nenergy: B has none (stm32f407 has no [power] section <see docs/power.md>)\n") !=
          std::string::npos);
    CHECK(render_comparison_markdown(d).find("energy: B has none") != std::string::npos);
    CHECK(nlohmann::json::parse(render_comparison_json(d))["energy"].empty());
  }
  SUBCASE("neither run with energy: nothing about energy") {
    RunReport x = sample_report(false), y = sample_report(false);
    RunComparison d = compare_runs(x, y, "A", "B");
    CHECK(d.energy.empty());
    CHECK(render_comparison_text(d).find("energy") == std::string::npos);
  }
}

// --- Database ---------------------------------------------------------------------------

TEST_CASE("store: a run with energy stores its totals, states, timeline and µJ, and reads back the same report") {
  TempDir dir;
  const fs::path db = dir / "runs.db";
  const RunReport r = sample_report();
  int64_t id = 0;
  {
    auto store = RunStore::open(db);
    REQUIRE_MESSAGE(store, store.error().message);
    CHECK(store->user_version() == 3);
    auto added = store->add_run(r, "/fw/kws.elf", "2026-11-30T12:00:00Z");
    REQUIRE_MESSAGE(added, added.error().message);
    id = *added;
    auto back = store->load_report(id);
    REQUIRE_MESSAGE(back, back.error().message);
    REQUIRE(back->energy);
    check_same_energy(*r.energy, *back->energy);
    REQUIRE(back->uj_per_inference);
    CHECK(*back->uj_per_inference == *r.uj_per_inference);
    for (size_t i = 0; i < r.functions.size(); ++i) {
      CHECK(back->functions[i].self_uj == r.functions[i].self_uj);
      CHECK(back->functions[i].inclusive_uj == r.functions[i].inclusive_uj);
    }
    for (size_t i = 0; i < r.layers.size(); ++i) {
      CHECK(back->layers[i].uj == r.layers[i].uj);
      CHECK(back->layers[i].mean_uj == r.layers[i].mean_uj);
    }
    // What `mcusim report RUN` prints is what the run printed.
    CHECK(render_html(*back) == render_html(r));
    CHECK(render_text(*back) == render_text(r));
    CHECK(render_markdown(*back) == render_markdown(r));
    CHECK(render_json(*back) == render_json(r));
  }
  // The columns and rows, for queries.
  CHECK(row_text(db, "SELECT power_device, power_mode, power_mhz, power_voltage_v, power_temperature_c, energy_note FROM runs") ==
        "stm32l4r5|range1|48.0|3.0|25.0|NULL");
  CHECK(count(db, "SELECT energy_uj = " + nlohmann::json(r.energy->energy_uj).dump() + " FROM runs") == 1);
  CHECK(count(db, "SELECT peak_mw = 14.4 AND uj_per_inference = 20.484 FROM runs") == 1);
  CHECK(row_text(db, "SELECT deep_sleep, run_flash_ua, sleep_entries, timeline_merged FROM energy") == "stop2|4800.0|1|0");
  CHECK(count(db, "SELECT count(*) FROM power_states WHERE run_id = " + std::to_string(id)) == 4);
  CHECK(row_text(db, "SELECT state, cycles, uj, current_ua FROM power_states WHERE position = 1") == "sleep|192000|12.0|1000.0");
  CHECK(count(db, "SELECT count(*) FROM power_timeline") == 5);
  CHECK(row_text(db, "SELECT start_s, end_s, mw, state FROM power_timeline WHERE position = 3") == "0.00501|0.009|0.006|deep-sleep");
  CHECK(row_text(db, "SELECT self_uj, inclusive_uj FROM functions WHERE name = 'main'") == "18.0|28.8");
  CHECK(row_text(db, "SELECT uj, mean_uj FROM layers WHERE name = 'fc1'") == "3.6|1.8");
}

TEST_CASE("store: a run without energy stores NULLs and its note, and reads back with no energy") {
  TempDir dir;
  const fs::path db = dir / "runs.db";
  const RunReport r = sample_report(false);
  auto store = RunStore::open(db);
  REQUIRE(store);
  auto id = store->add_run(r, "/fw/kws.elf");
  REQUIRE_MESSAGE(id, id.error().message);
  CHECK(row_text(db, "SELECT energy_uj, average_mw, peak_mw, uj_per_inference, power_device, power_mode, power_mhz, power_voltage_v, "
                     "power_temperature_c FROM runs") == "NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL");
  CHECK(row_text(db, "SELECT energy_note FROM runs") == r.energy_note);
  CHECK(count(db, "SELECT count(*) FROM functions WHERE self_uj IS NULL AND inclusive_uj IS NULL") == 3);
  CHECK(count(db, "SELECT count(*) FROM layers WHERE uj IS NULL AND mean_uj IS NULL") == 2);
  for (const char *table : {"energy", "power_states", "power_timeline"}) CHECK(count(db, std::string("SELECT count(*) FROM ") + table) == 0);
  auto back = store->load_report(*id);
  REQUIRE(back);
  CHECK_FALSE(back->energy);
  CHECK_FALSE(back->uj_per_inference);
  CHECK(back->energy_note == r.energy_note);
  CHECK(back->functions[0].self_uj == 0);
  CHECK(render_html(*back) == render_html(r));
  CHECK(render_text(*back) == render_text(r));
}

TEST_CASE("store: a longer timeline is kept bounded, merged pairwise with its energy") {
  TempDir dir;
  const fs::path db = dir / "runs.db";
  RunReport r = sample_report();
  auto &t = r.energy->timeline;
  t.clear();
  const size_t n = PowerCounters::kMaxSegments * 2 + 3; // merged twice: 8195 -> 4098 -> 2049
  for (size_t i = 0; i < n; ++i)
    t.push_back({i * 1e-6, (i + 1) * 1e-6 + (i % 3 == 0 ? 1e-6 : 0), i % 2 ? 3.0 : 14.4, i % 2 ? CoreState::Sleep : CoreState::Run});
  for (size_t i = 1; i < n; ++i) t[i].start_s = t[i - 1].end_s; // contiguous, uneven lengths
  auto store = RunStore::open(db);
  REQUIRE(store);
  auto id = store->add_run(r, "/fw/kws.elf");
  REQUIRE_MESSAGE(id, id.error().message);
  CHECK(count(db, "SELECT count(*) FROM power_timeline") == 2049);
  CHECK(count(db, "SELECT timeline_merged FROM energy") == 1);
  auto back = store->load_report(*id);
  REQUIRE(back);
  REQUIRE(back->energy);
  const auto &bt = back->energy->timeline;
  CHECK(bt.size() <= PowerCounters::kMaxSegments);
  CHECK(back->energy->timeline_merged);
  CHECK(bt.front().start_s == t.front().start_s);
  CHECK(bt.back().end_s == t.back().end_s);
  for (size_t i = 1; i < bt.size(); ++i) CHECK(bt[i].start_s == bt[i - 1].end_s);
  CHECK(integral_uj(bt) == doctest::Approx(integral_uj(t)).epsilon(1e-12));
}

TEST_CASE("store: a NaN in the energy is kept as NaN, and the run keeps its energy") {
  TempDir dir;
  RunReport r = sample_report();
  r.energy->average_mw = std::numeric_limits<double>::quiet_NaN();
  r.energy->energy_uj = std::numeric_limits<double>::quiet_NaN();
  auto store = RunStore::open(dir / "runs.db");
  REQUIRE(store);
  auto id = store->add_run(r, "/fw/kws.elf");
  REQUIRE_MESSAGE(id, id.error().message);
  auto back = store->load_report(*id);
  REQUIRE(back);
  REQUIRE(back->energy);
  CHECK(std::isnan(back->energy->average_mw));
  CHECK(std::isnan(back->energy->energy_uj));
  CHECK(back->energy->peak_mw == 14.4);
}

TEST_CASE("store: a run whose energy rows cannot be written is not stored at all (one transaction)") {
  TempDir dir;
  const fs::path db = dir / "runs.db";
  {
    auto store = RunStore::open(db);
    REQUIRE(store);
    REQUIRE(store->add_run(sample_report(false), "/fw/kws.elf"));
  }
  exec(db, "CREATE TRIGGER refuse BEFORE INSERT ON power_timeline WHEN NEW.position = 4 BEGIN SELECT RAISE(ABORT, 'refused'); END;");
  auto store = RunStore::open(db);
  REQUIRE(store);
  auto id = store->add_run(sample_report(), "/fw/kws.elf");
  REQUIRE_FALSE(id);
  CHECK(id.error().message.find("refused") != std::string::npos);
  CHECK(*store->count_runs() == 1);
  for (const char *table : {"energy", "power_states", "power_timeline"}) CHECK(count(db, std::string("SELECT count(*) FROM ") + table) == 0);
  CHECK(count(db, "SELECT count(*) FROM functions") == 3); // the first run's only
  CHECK(count(db, "SELECT count(*) FROM layers") == 2);
}

TEST_CASE("a version 2 database (before energy) opens, migrates to 3 and reads its runs without energy") {
  const fs::path fixture = fs::path(MCUSIM_TEST_SOURCE_DIR) / "tests/data/db/v2-fixture.db";
  REQUIRE(fs::exists(fixture));
  TempDir dir;
  const fs::path db = dir / "old.db";
  fs::copy_file(fixture, db);
  CHECK(count(db, "PRAGMA user_version") == 2);
  auto store = RunStore::open(db, RunStore::Mode::Existing);
  REQUIRE_MESSAGE(store, store.error().message);
  CHECK(store->user_version() == 3);
  CHECK(RunStore::schema_version() == 3);
  auto runs = store->list_runs();
  REQUIRE(runs);
  REQUIRE(runs->size() == 3);
  for (int64_t id : {1, 2, 3}) {
    auto r = store->load_report(id);
    REQUIRE_MESSAGE(r, r.error().message);
    CHECK_FALSE(r->energy);
    CHECK(r->energy_note.empty());
    CHECK(render_html(*r).find("<h2>Energy</h2>") == std::string::npos);
  }
  auto r1 = store->load_report(1);
  CHECK(r1->profiled);
  CHECK(r1->layers.size() == 3);
  CHECK_FALSE(store->load_report(3)->profiled);
  // The old rows have NULL energy; a run stored now has its rows.
  CHECK(count(db, "SELECT count(*) FROM runs WHERE energy_uj IS NULL AND power_device IS NULL") == 3);
  CHECK(count(db, "SELECT count(*) FROM functions WHERE self_uj IS NOT NULL") == 0);
  auto id = store->add_run(sample_report(), "/fw/kws.elf");
  REQUIRE_MESSAGE(id, id.error().message);
  CHECK(*id == 4);
  CHECK(count(db, "SELECT count(*) FROM power_timeline WHERE run_id = 4") == 5);
  auto back = store->load_report(4);
  REQUIRE(back);
  REQUIRE(back->energy);
  check_same_energy(*sample_report().energy, *back->energy);
  // An old run compares with the new one: no energy rows, one line saying so.
  RunComparison c = compare_runs(*r1, *back, "run 1", "run 4");
  CHECK(c.energy.empty());
  CHECK(render_comparison_text(c).find("energy: A has none") != std::string::npos);
}

TEST_CASE("a read-only version 2 database cannot be migrated and is refused with one line") {
  TempDir dir;
  const fs::path db = dir / "old.db";
  fs::copy_file(fs::path(MCUSIM_TEST_SOURCE_DIR) / "tests/data/db/v2-fixture.db", db);
  fs::permissions(db, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  if (::access(db.c_str(), W_OK) == 0) { // root ignores permissions
    MESSAGE("the file stays writable (running as root): not checked");
    return;
  }
  auto store = RunStore::open(db, RunStore::Mode::Existing);
  REQUIRE_FALSE(store);
  CHECK(store.error().kind == StoreError::Kind::ReadOnly);
  CHECK(store.error().message.find("needs upgrading to schema version 3 but is read-only") != std::string::npos);
}
