/// \file
/// Sweeps (session/sweep.h, session/sweep_table.h): the lists, the points, the
/// optima on hand-built reports, and real sweeps on a thread pool.
#include "session/sweep.h"
#include "session/sweep_table.h"

#include "session/exit_codes.h"
#include "profiler/store.h"

#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <set>
#include <unistd.h>

#include "helpers.h"

using namespace mcusim;
using namespace mcusim::session;
namespace fs = std::filesystem;

namespace {

/// A point that ran, with a hand-built report: `cycles` at `mhz`, and energy when `uj` is given.
PointResult good_point(size_t index, const std::string &device, double mhz, uint64_t cycles, std::optional<double> uj,
                       uint64_t inferences = 0) {
  PointResult p;
  p.point.index = index;
  p.point.device_name = device;
  p.point.mhz = mhz;
  p.point.flash_ws = mhz > 24 ? 1 : 0;
  p.point.cache_text = "on";
  p.ran = true;
  RunReport r;
  r.device = device;
  r.mhz = mhz;
  r.cycles = cycles;
  r.simulated_seconds = double(cycles) / (mhz * 1e6);
  if (inferences) {
    r.layer_invocations = inferences;
    RunReport::Layer l;
    l.name = "conv";
    l.invocations = inferences;
    l.cycles = cycles / 2; // half the run in the model
    r.layers.push_back(l);
  }
  if (uj) {
    power::RunEnergy e;
    e.seconds = r.simulated_seconds;
    e.energy_uj = *uj;
    e.average_mw = *uj / 1e3 / e.seconds;
    e.model.deep_sleep_ua = 2.0;
    e.model.deep_sleep_name = "stop2";
    e.model.voltage_v = 3.0;
    r.energy = e;
    if (inferences) r.uj_per_inference = *uj / 2 / double(inferences);
  } else {
    r.energy_note = device + " has no [power] section";
  }
  p.report = std::move(r);
  p.run_id = int64_t(index + 1);
  return p;
}

PointResult failed_point(size_t index, int code, const std::string &why) {
  PointResult p;
  p.point.index = index;
  p.point.device_name = "stm32g0b1";
  p.point.mhz = 16;
  p.point.cache_text = "on";
  p.exit_code = code;
  p.failure = why;
  return p;
}

power::Scenario coin_cell(double period_s) {
  power::Scenario s;
  s.battery.name = "cr2032";
  s.battery.nominal_v = 3.0;
  s.battery.cutoff_v = 2.0;
  s.battery.capacity = {{0.2, 225}};
  s.period_s = period_s;
  return s;
}

using test::TempDir;

} // namespace

TEST_CASE("sweep lists: clocks, devices, wait states, caches, periods") {
  CHECK(*parse_mhz_list("16,48, 80 ,120") == std::vector<double>{16, 48, 80, 120});
  for (const char *bad : {"", "16,,48", "0", "-5", "abc", "16MHz", "nan", "inf", "16,"}) {
    auto r = parse_mhz_list(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().exit_code == cli::kExitBadSweep);
    CHECK(r.error().message.find('\n') == std::string::npos);
    CHECK(r.error().message.rfind("--mhz", 0) == 0);
  }
  CHECK(parse_mhz_list("0").error().message == "--mhz 0: a clock must be above 0 MHz");
  CHECK(parse_mhz_list("abc").error().message == "--mhz abc: not a number of MHz");
  CHECK(parse_mhz_list("").error().message == "--mhz: the list is empty");
  CHECK(*parse_name_list("--device", "stm32f407,stm32l4r5") == std::vector<std::string>{"stm32f407", "stm32l4r5"});
  CHECK(parse_name_list("--device", "").error().exit_code == cli::kExitBadSweep);
  CHECK(*parse_flash_ws_list("0,1,5") == std::vector<unsigned>{0, 1, 5});
  CHECK_FALSE(parse_flash_ws_list("32"));
  CHECK_FALSE(parse_flash_ws_list("1.5"));
  CHECK(*parse_cache_list("on,off") == std::vector<bool>{true, false});
  CHECK(parse_cache_list("on,maybe").error().message == "--cache maybe: a cache setting is on or off");
  CHECK(*parse_every("1s") == doctest::Approx(1));
  CHECK(*parse_every("250ms") == doctest::Approx(0.25));
  CHECK(*parse_every("10min") == doctest::Approx(600));
  CHECK(*parse_every("2") == doctest::Approx(2));
  CHECK(parse_every("0s").error().exit_code == cli::kExitBadScenario);
  CHECK_FALSE(parse_every("1 fortnight"));
}

TEST_CASE("sweep exit code: 0 when every point ran, else the worst failure") {
  std::vector<PointResult> r;
  r.push_back(good_point(0, "a", 16, 100, std::nullopt));
  CHECK(sweep_exit_code(r) == 0);
  r.push_back(failed_point(1, 3, "exited with code 3"));
  CHECK(sweep_exit_code(r) == 3);
  r.push_back(failed_point(2, cli::kExitBadElf, "image does not fit"));
  CHECK(sweep_exit_code(r) == cli::kExitBadElf);
  r.push_back(failed_point(3, cli::kExitLimit, "cycle limit"));
  CHECK(sweep_exit_code(r) == cli::kExitLimit);
  r.push_back(failed_point(4, cli::kExitFault, "BusFault"));
  r.push_back(failed_point(5, cli::kExitTimeout, "timeout"));
  CHECK(sweep_exit_code(r) == cli::kExitFault);
}

TEST_CASE("sweep table: energy- and latency-optimal points on hand-built reports") {
  // Race to sleep vs crawl: the fast clock has the least latency, the middle one the least energy.
  std::vector<PointResult> r;
  r.push_back(good_point(0, "stm32l4r5", 16, 1'600'000, 900.0, 4)); // 100 ms
  r.push_back(good_point(1, "stm32l4r5", 48, 1'700'000, 700.0, 4)); // 35 ms, least energy
  r.push_back(good_point(2, "stm32l4r5", 120, 2'400'000, 800.0, 4)); // 20 ms, least latency
  r.push_back(failed_point(3, cli::kExitBadElf, "image does not fit stm32g0b1: 600 KiB needed"));
  SweepTable t = build_sweep_table("fw.elf", r, false);
  REQUIRE(t.rows.size() == 4);
  CHECK(t.failed == 1);
  CHECK(t.exit_code == cli::kExitBadElf);
  CHECK(t.energy_basis == "µJ per inference");
  CHECK(t.latency_basis == "ms per inference");
  REQUIRE(t.energy_best);
  REQUIRE(t.latency_best);
  CHECK(*t.energy_best == 1);
  CHECK(*t.latency_best == 2);
  CHECK(t.rows[1].energy_optimal);
  CHECK_FALSE(t.rows[1].latency_optimal);
  CHECK(t.rows[2].latency_optimal);
  CHECK(*t.rows[1].inference_uj == doctest::Approx(700.0 / 2 / 4));
  CHECK(*t.rows[2].inference_ms == doctest::Approx(1'200'000.0 / 4 / 120e6 * 1e3));
  CHECK(*t.rows[0].run_ms == doctest::Approx(100.0));

  std::string line = optimum_line(t);
  CHECK(line == "energy-optimal: stm32l4r5 @ 48 MHz (1 ws, cache on), 87.500 µJ per inference; "
                "latency-optimal: stm32l4r5 @ 120 MHz (1 ws, cache on), 2.500 ms per inference");

  std::string text = render_sweep_text(t);
  CHECK(text.find("mcusim sweep: fw.elf, 4 points, 1 failed") == 0);
  CHECK(text.find(line) != std::string::npos);
  CHECK(text.find("failed (exit 65): image does not fit stm32g0b1") != std::string::npos);
  CHECK(text.find("energy\n") != std::string::npos);
  CHECK(text.find("latency\n") != std::string::npos);
  CHECK(render_sweep_markdown(t).find("| 2 | stm32l4r5 | 48 | 1 | on |") != std::string::npos);
  CHECK(render_sweep_html(t).find("<tr class=\"failed\">") != std::string::npos);
  std::string json = render_sweep_json(t);
  CHECK(json.find("\"energy_optimal\": 1") != std::string::npos);
  CHECK(json.find("\"latency_optimal\": 2") != std::string::npos);
}

TEST_CASE("sweep table: energy per run without inferences, ties go to the first point") {
  std::vector<PointResult> r;
  r.push_back(good_point(0, "a", 16, 1000, 50.0));
  r.push_back(good_point(1, "a", 32, 1000, 50.0));
  SweepTable t = build_sweep_table("fw.elf", r, false);
  CHECK(t.energy_basis == "µJ per run");
  CHECK(t.latency_basis == "ms per run");
  CHECK(*t.energy_best == 0);
  CHECK(*t.latency_best == 1);
}

TEST_CASE("sweep table: without energy the energy columns show '-' and say why") {
  std::vector<PointResult> r;
  r.push_back(good_point(0, "stm32f407", 16, 1000, std::nullopt));
  r.push_back(good_point(1, "stm32f407", 48, 1000, std::nullopt));
  SweepTable t = build_sweep_table("fw.elf", r, false);
  CHECK_FALSE(t.energy_best);
  CHECK(*t.latency_best == 1);
  CHECK_FALSE(t.rows[0].run_uj);
  CHECK(optimum_line(t).rfind("energy-optimal: - (stm32f407 has no [power] section); latency-optimal: stm32f407 @ 48 MHz", 0) == 0);
  std::string text = render_sweep_text(t);
  CHECK(text.find("µJ/run") != std::string::npos);
  CHECK(text.find("years") == std::string::npos); // no battery column without a battery
}

TEST_CASE("sweep battery life: the run's energy once per period, the device's deep sleep between") {
  RunReport rep = *good_point(0, "stm32l4r5", 48, 480'000, 100.0).report; // 10 ms, 100 µJ
  std::string why;
  auto years = point_battery_years(coin_cell(1.0), true, rep, &why);
  REQUIRE(years);
  // 100 µJ / 3 V per second = 33.3 µA, plus 2 µA of sleep: 225 mAh / 35.3 µA.
  double ua = 100.0 / 3.0 + 2.0 * 0.99;
  CHECK(*years == doctest::Approx(225.0 / (ua / 1e3) / power::kHoursPerYear).epsilon(0.01));
  // Longer period, longer life: the crawl-or-race question only matters per period.
  CHECK(*point_battery_years(coin_cell(10.0), true, rep, &why) > *years);
  CHECK_FALSE(point_battery_years(coin_cell(0.005), true, rep, &why));
  CHECK(why.find("longer than the period") != std::string::npos);
  rep.energy.reset();
  rep.energy_note = "x has no [power] section";
  CHECK_FALSE(point_battery_years(coin_cell(1.0), true, rep, &why));
  CHECK(why == "x has no [power] section");

  // The battery column picks the longest life as energy-optimal.
  std::vector<PointResult> r;
  r.push_back(good_point(0, "d", 16, 1000, 10.0));
  r.push_back(good_point(1, "d", 48, 1000, 20.0));
  r[0].life_years = 1.0;
  r[1].life_years = 3.0;
  SweepTable t = build_sweep_table("fw.elf", r, true);
  CHECK(t.energy_basis == "battery life");
  CHECK(*t.energy_best == 1);
  CHECK(render_sweep_text(t).find("years") != std::string::npos);
}

TEST_CASE("sweep plan: the cross product in list order, wait states from each device's table, bad points refused") {
  if (!test::have_firmware("hello-stm32f407")) return;
  auto elf = load_elf(test::firmware("hello-stm32f407").string());
  REQUIRE(elf);
  SweepRequest req;
  req.elf = test::firmware("hello-stm32f407").string();
  req.devices = {"stm32f407", "nrf52840"};
  req.mhz = {16, 64};
  req.caches = {true, false};
  auto points = plan_sweep(req, *elf);
  REQUIRE(points);
  REQUIRE(points->size() == 8);
  auto dev = find_device("stm32f407");
  REQUIRE(dev);
  CHECK((*points)[0].device_name == "stm32f407");
  CHECK((*points)[0].mhz == 16);
  CHECK((*points)[0].cache_text == "on");
  CHECK((*points)[1].cache_text == "off");
  CHECK((*points)[2].mhz == 64);
  CHECK((*points)[2].flash_ws == dev->flash.ws_at(64));
  CHECK((*points)[0].flash_ws == dev->flash.ws_at(16));
  CHECK((*points)[2].flash_ws > (*points)[0].flash_ws);
  CHECK((*points)[4].device_name == "nrf52840");
  for (size_t i = 0; i < points->size(); ++i) CHECK((*points)[i].index == i);

  req.mhz = {16, 200};
  auto above = plan_sweep(req, *elf);
  REQUIRE_FALSE(above);
  CHECK(above.error().exit_code == cli::kExitBadSweep);
  CHECK(above.error().message == "--mhz 200: above stm32f407's maximum of 168 MHz");
  req.mhz = {16, 100};
  CHECK(plan_sweep(req, *elf).error().message == "--mhz 100: above nrf52840's maximum of 64 MHz");
  req.devices = {"stm32f407", "nosuchchip"};
  auto unknown = plan_sweep(req, *elf);
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().exit_code == cli::kExitBadSweep);
  CHECK(unknown.error().message.rfind("--device nosuchchip: unknown device 'nosuchchip'", 0) == 0);
  req.devices = {"stm32f407"};
  req.mhz = {16};
  req.flash_ws = {0, 3};
  points = plan_sweep(req, *elf);
  REQUIRE(points);
  CHECK(points->size() == 4);
  CHECK((*points)[2].flash_ws == 3);
  CHECK((*points)[2].flash_ws_forced);
}

TEST_CASE("sweep run: 2 clocks x 2 cache settings, the same table with 1 and 2 threads, every run stored") {
  if (!test::have_firmware("layers-stm32f407")) return;
  TempDir dir;
  auto elf = load_elf(test::firmware("layers-stm32f407").string());
  REQUIRE(elf);
  SweepRequest req;
  req.elf = test::firmware("layers-stm32f407").string();
  req.devices = {"stm32f407"};
  req.mhz = {16, 168};
  req.caches = {true, false};
  auto points = plan_sweep(req, *elf);
  REQUIRE(points);
  REQUIRE(points->size() == 4);

  req.db = (dir.path / "runs.db").string();
  auto one = run_sweep(req, *points, 1);
  REQUIRE(one);
  size_t calls = 0, last_done = 0;
  auto two = run_sweep(req, *points, 2, [&](size_t done, size_t running, size_t total) {
    ++calls;
    CHECK(total == 4);
    CHECK(running <= 2);
    CHECK(done >= last_done);
    last_done = done;
  });
  REQUIRE(two);
  CHECK(calls >= 1);
  CHECK(last_done == 4);
  REQUIRE(one->results.size() == 4);
  REQUIRE(two->results.size() == 4);
  std::set<int64_t> ids;
  for (size_t i = 0; i < 4; ++i) {
    const auto &a = one->results[i], &b = two->results[i];
    CHECK(a.ok());
    CHECK(b.ok());
    REQUIRE(a.report);
    REQUIRE(b.report);
    CHECK(a.report->cycles == b.report->cycles);
    CHECK(a.report->mhz == (*points)[i].mhz);
    CHECK(a.report->layer_invocations == 3);
    REQUIRE(a.run_id);
    REQUIRE(b.run_id);
    ids.insert(*a.run_id);
    ids.insert(*b.run_id);
  }
  CHECK(ids.size() == 8);
  auto store = RunStore::open(req.db, RunStore::Mode::Existing);
  REQUIRE(store);
  CHECK(*store->count_runs() == 8);
  // Cache off costs cycles at 168 MHz (5 wait states), clock changes the wait states.
  CHECK(one->results[3].report->cycles > one->results[2].report->cycles);
  CHECK(one->results[2].report->cycles > one->results[0].report->cycles);

  // The table is the same whatever the threads, but for the run ids.
  auto strip = [](std::vector<PointResult> r) {
    for (auto &p : r) p.run_id.reset();
    return render_sweep_json(build_sweep_table("fw", r, false));
  };
  CHECK(strip(one->results) == strip(two->results));
  SweepTable t = build_sweep_table("fw", one->results, false);
  CHECK(*t.latency_best == 2);
  CHECK(t.latency_basis == "ms per inference");
}

TEST_CASE("sweep run: a point the image does not fit fails in its row, the others run") {
  if (!test::have_firmware("hello-stm32f407")) return;
  auto elf = load_elf(test::firmware("hello-stm32f407").string());
  REQUIRE(elf);
  SweepRequest req;
  req.elf = test::firmware("hello-stm32f407").string();
  req.devices = {"stm32f407", "nrf52840"};
  req.mhz = {16, 48};
  req.no_db = true;
  auto points = plan_sweep(req, *elf);
  REQUIRE(points);
  auto run = run_sweep(req, *points, 2);
  REQUIRE(run);
  REQUIRE(run->results.size() == 4);
  CHECK(run->results[0].ok());
  CHECK(run->results[1].ok());
  for (size_t i : {2, 3}) {
    CHECK(run->results[i].exit_code == cli::kExitBadElf);
    CHECK_FALSE(run->results[i].ran);
    CHECK(run->results[i].failure.find("nrf52840") != std::string::npos);
  }
  CHECK(sweep_exit_code(run->results) == cli::kExitBadElf);
  CHECK_FALSE(run->results[0].run_id);
}

TEST_CASE("sweep run: stopped before it starts, no point runs and every point keeps its row") {
  if (!test::have_firmware("hello-stm32f407")) return;
  auto elf = load_elf(test::firmware("hello-stm32f407").string());
  REQUIRE(elf);
  SweepRequest req;
  req.elf = test::firmware("hello-stm32f407").string();
  req.devices = {"stm32f407"};
  req.mhz = {16, 48, 80};
  req.no_db = true;
  auto points = plan_sweep(req, *elf);
  REQUIRE(points);
  SweepStop stop;
  stop.stop("interrupted by SIGINT");
  stop.stop("stopped by SIGTERM"); // the first cause stays
  auto run = run_sweep(req, *points, 2, nullptr, &stop);
  REQUIRE(run);
  REQUIRE(run->results.size() == 3);
  for (size_t i = 0; i < 3; ++i) {
    CHECK(run->results[i].exit_code == cli::kExitInterrupted);
    CHECK_FALSE(run->results[i].ran);
    CHECK(run->results[i].failure == "not run: interrupted by SIGINT");
    CHECK(run->results[i].point.mhz == req.mhz[i]);
  }
  CHECK(sweep_exit_code(run->results) == cli::kExitInterrupted);
}
