/// \file
/// Reading current captures: every format's header, its units, and one clear
/// error for each kind of bad capture.
#include "power/capture.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

using namespace mcusim::power;

namespace {

Capture parsed(const std::string &text, CaptureFormat f = CaptureFormat::Auto) {
  auto c = parse_capture(text, "cap.csv", f);
  INFO((c ? std::string() : c.error().message));
  REQUIRE(c);
  return *c;
}

std::string error_of(const std::string &text, CaptureFormat f = CaptureFormat::Auto) {
  auto c = parse_capture(text, "cap.csv", f);
  REQUIRE_FALSE(c);
  CHECK(c.error().kind == PowerError::Kind::Malformed);
  CHECK(c.error().message.find('\n') == std::string::npos);
  return c.error().message;
}

} // namespace

TEST_CASE("a PPK2 export: Timestamp(ms), Current(uA) and the digital channels") {
  // The header nRF Connect Power Profiler writes with every column selected (exportChartAction.ts).
  auto c = parsed("Timestamp(ms),Current(uA),D0-D7,D0,D1,D2,D3,D4,D5,D6,D7\n"
                  "0,1500.250,00000000,0,0,0,0,0,0,0,0\n"
                  "0.01,1499.750,0000-X01,0,0,0,0,-,X,0,1\n"
                  "0.02,2.125,00000000,0,0,0,0,0,0,0,0\n");
  CHECK(c.format == CaptureFormat::Ppk2);
  REQUIRE(c.size() == 3);
  CHECK(c.time_s[1] == doctest::Approx(10e-6));
  CHECK(c.current_a[0] == doctest::Approx(1500.25e-6));
  CHECK(c.current_a[2] == doctest::Approx(2.125e-6));
  CHECK(c.duration_s() == doctest::Approx(30e-6));
  CHECK(c.time_column == "Timestamp(ms)");
  CHECK(c.current_column == "Current(uA)");
}

TEST_CASE("a Joulescope statistics record: #time,current,... in SI units") {
  auto c = parsed("#time,current,voltage,power,charge,energy\n0.0,0.0035,3.3,0.01155,0,0\n0.5,0.0036,3.3,0.01188,0.0018,0.0059\n");
  CHECK(c.format == CaptureFormat::Joulescope);
  CHECK(c.current_a[1] == doctest::Approx(0.0036));
  CHECK(c.time_s[1] == doctest::Approx(0.5));
}

TEST_CASE("a header-less Joulescope sample export needs --format joulescope") {
  const std::string text = "0.00000000,1.2000e-03,3.3000\n0.00000100,1.2100e-03,3.3000\n";
  CHECK(error_of(text).find("no current column: the first line holds numbers") != std::string::npos);
  auto c = parsed(text, CaptureFormat::Joulescope);
  CHECK(c.current_a[1] == doctest::Approx(1.21e-3));
  CHECK(c.time_s[1] == doctest::Approx(1e-6));
}

TEST_CASE("an ST power shield log: metadata lines, then a header with units") {
  auto c = parsed("Board: X-NUCLEO-LPM01A\nVoltage: 3300 mV\nSampling frequency: 1000 Hz\n\n"
                  "Current (uA),rx timestamp (us),board timestamps (ms)\n14.06,0,281000\n13.33,410,281000\n15.41,1373,281000\n");
  CHECK(c.format == CaptureFormat::Stpm);
  CHECK(c.time_column == "rx timestamp (us)");
  CHECK(c.time_s[2] == doctest::Approx(1373e-6));
  CHECK(c.current_a[0] == doctest::Approx(14.06e-6));
}

TEST_CASE("generic captures: units in the header, comma, semicolon or tab") {
  CHECK(parsed("time_s,current_a\n0,0.001\n1,0.002\n").current_a[1] == doctest::Approx(0.002));
  CHECK(parsed("time_ms;current_ma\n0;1.5\n2;1.5\n").time_s[1] == doctest::Approx(0.002));
  auto c = parsed("\"Time [us]\"\t\"I [nA]\"\n0\t1500\n5\t1600\n");
  CHECK(c.current_a[0] == doctest::Approx(1.5e-6));
  CHECK(c.time_s[1] == doctest::Approx(5e-6));
  CHECK(parsed("t (s),current (µA)\r\n0,10\r\n0.1,20\r\n").current_a[1] == doctest::Approx(20e-6));
  CHECK(parsed("current_ua,time_s\n3,0\n4,1\n").current_a[0] == doctest::Approx(3e-6)); // any column order
}

TEST_CASE("bad captures: one line each, naming the line and what is wrong") {
  CHECK(error_of("Timestamp(ms),D0-D7\n0,00000000\n") ==
        "cap.csv:1: bad capture: no current column (columns: 'Timestamp(ms)', 'D0-D7'; expected a name such as Current(uA), "
        "current, current_a or Current (mA))");
  CHECK(error_of("Current(uA),D0-D7\n5,00000000\n1,00000000\n") ==
        "cap.csv:1: bad capture: no time column (columns: 'Current(uA)', 'D0-D7'; expected a name such as Timestamp(ms), #time, "
        "time_s or Time (ms))");
  CHECK(error_of("time_s,current_a\n0,1\n0.5,1\n0.5,1\n") ==
        "cap.csv:4: bad capture: time does not increase: 0.5 s after 0.5 s on the row before");
  CHECK(error_of("time_s,current_a\n0,1\n1,1\n0.5,1\n").find("cap.csv:4: bad capture: time does not increase") == 0);
  CHECK(error_of("time_s,current_a\n0,1\n1,abc\n") == "cap.csv:3: bad capture: column 2 ('current_a') is not a number: 'abc'");
  CHECK(error_of("time_s,current_a\n0,1\nx,1\n") == "cap.csv:3: bad capture: column 1 ('time_s') is not a number: 'x'");
  CHECK(error_of("time_s,current_a\n0,1\n1,nan\n").find("is not a number: 'nan'") != std::string::npos);
  CHECK(error_of("time_s,current_a\n") == "cap.csv:1: bad capture: no samples after the header");
  CHECK(error_of("time_s,current_a\n0,1\n").find("only one sample") != std::string::npos);
  CHECK(error_of("").find("no samples") != std::string::npos);
  CHECK(error_of("time_s,current_a\n0,1\n1\n").find("cap.csv:3: bad capture: the row has 1 cell, column 2 ('current_a') is missing") == 0);
  CHECK(error_of("time,current\n0,1\n1,1\n").find("gives no unit") != std::string::npos);
  CHECK(error_of("time_s,current (V)\n0,1\n1,1\n").find("is in 'v', not A, mA, uA or nA") != std::string::npos);
}

TEST_CASE("an unreadable capture file is its own kind of error") {
  auto c = load_capture("/nonexistent/cap.csv");
  REQUIRE_FALSE(c);
  CHECK(c.error().kind == PowerError::Kind::Unreadable);
  CHECK(c.error().message == "/nonexistent/cap.csv: cannot read the capture: no such file");
  auto d = load_capture(std::filesystem::temp_directory_path().string());
  REQUIRE_FALSE(d);
  CHECK(d.error().kind == PowerError::Kind::Unreadable);
}

TEST_CASE("a capture file reads like its text") {
  auto path = std::filesystem::temp_directory_path() / "mcusim-calibrate-capture.csv";
  {
    std::ofstream f(path);
    f << "\xEF\xBB\xBFTimestamp(ms),Current(uA)\n0,10\n1,20\n";
  }
  auto c = load_capture(path.string());
  REQUIRE(c);
  CHECK(c->format == CaptureFormat::Ppk2);
  CHECK(c->size() == 2);
  std::filesystem::remove(path);
}

TEST_CASE("format names") {
  CHECK(parse_capture_format("ppk2") == CaptureFormat::Ppk2);
  CHECK(parse_capture_format("stpm") == CaptureFormat::Stpm);
  CHECK_FALSE(parse_capture_format("csv"));
  CHECK(std::string(capture_format_name(CaptureFormat::Joulescope)) == "joulescope");
}

TEST_CASE("odd text is an error, never a crash") {
  const std::string odd[] = {",,,\n,,,\n", "\"\n\"\n", "#\n", "Current(uA)\n", std::string("time_s,current_a\n0,\0\n", 21),
                             "time_s,current_a\n" + std::string(100000, ','), "\xFF\xFE\n1,2\n", "time_s;current_a\n0;1,5\n1;2\n",
                             "Timestamp(ms),Current(uA)\n0,1e400\n1,1\n", "\n\n\n"};
  for (const auto &text : odd) {
    auto c = parse_capture(text, "odd.csv");
    INFO(text.substr(0, 40));
    REQUIRE_FALSE(c);
    CHECK(c.error().message.find('\n') == std::string::npos);
    CHECK(c.error().message.rfind("odd.csv:", 0) == 0);
  }
}

TEST_CASE("a format given on the command line overrides the detected one, with the header's own units") {
  auto c = parsed("Timestamp(ms),Current(uA)\n0,10\n1,20\n", CaptureFormat::Generic);
  CHECK(c.format == CaptureFormat::Generic);
  CHECK(c.current_a[1] == doctest::Approx(20e-6));
  CHECK(c.time_s[1] == doctest::Approx(1e-3));
}
