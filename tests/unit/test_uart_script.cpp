/// \file
/// --uart-script (session/uart_script.h): the file's grammar, and a script
/// played against a firmware's output byte by byte.
#include "session/exit_codes.h"
#include "session/serial_lines.h"
#include "session/uart_script.h"

#include "base/device.h"

#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

using namespace mcusim::session;

namespace {

std::vector<ScriptStep> parse_ok(const std::string &text) {
  std::string error;
  auto steps = parse_uart_script(text, &error);
  INFO(error);
  REQUIRE(steps);
  return *steps;
}

std::string parse_error(const std::string &text) {
  std::string error;
  CHECK_FALSE(parse_uart_script(text, &error));
  return error;
}

/// Plays `out`, what the firmware sends, through `s`; returns everything the script sent back.
std::string play(UartScript &s, const std::string &out) {
  std::string replies;
  for (char c : out) replies += s.feed(uint8_t(c));
  return replies;
}

} // namespace

TEST_CASE("uart script: steps, comments, escapes") {
  auto steps = parse_ok("# greet\n\nsend help\\r\\n\n  expect > \n\texpect ok\\s\nsend \\x41\\x7a\\\\\\t\r\n");
  REQUIRE(steps.size() == 4);
  CHECK(steps[0].kind == ScriptStep::Kind::Send);
  CHECK(steps[0].text == "help\r\n");
  CHECK(steps[0].line == 3);
  CHECK(steps[1].kind == ScriptStep::Kind::Expect);
  CHECK(steps[1].text == "> "); // the text is the rest of the line, trailing space included
  CHECK(steps[2].text == "ok ");
  CHECK(steps[3].text == "Az\\\t"); // a CRLF line ending is not part of the text
  CHECK(steps[3].line == 6);
}

TEST_CASE("uart script: malformed files name the line and the fault") {
  CHECK(parse_error("send a\nwait 5\n") == "line 2: unknown step 'wait' (send or expect)");
  CHECK(parse_error("expect\n") == "line 1: expect needs a text");
  CHECK(parse_error("send \\q\n") == "line 1: unknown escape '\\q' (\\n \\r \\t \\s \\\\ \\xHH)");
  CHECK(parse_error("send \\x4\n") == "line 1: \\x needs two hex digits");
  CHECK(parse_error("send a\\") == "line 1: a lone '\\' at the end of the text");
  CHECK(parse_ok("").empty());
}

TEST_CASE("uart script: sends wait for the expect before them") {
  UartScript s(parse_ok("send first\nexpect ready>\nsend go\nsend !\nexpect done\\n\n"));
  CHECK(s.start() == "first");
  REQUIRE(s.waiting());
  CHECK(s.waiting()->line == 2);
  CHECK(play(s, "booting\nready") == ""); // not yet: the text is split over outputs
  CHECK(play(s, ">") == "go!");
  REQUIRE(s.waiting());
  CHECK(s.waiting()->text == "done\n");
  CHECK(play(s, "xx\r\n") == "");
  CHECK(s.seen_tail() == "xx\\r\\n");
  CHECK(play(s, "done\n") == "");
  CHECK(s.waiting() == nullptr);
  CHECK(play(s, "more output") == ""); // after the last step nothing more is sent
}

TEST_CASE("uart script: an expect is met by the firmware's output only after the previous one") {
  // "ok" appeared before "go" was expected: it does not count for the second expect.
  UartScript s(parse_ok("expect go\nexpect ok\nsend x\n"));
  CHECK(s.start().empty());
  CHECK(play(s, "ok go") == "");
  CHECK(s.waiting()->text == "ok");
  CHECK(play(s, " ok") == "x");
}

TEST_CASE("uart script: checked with the other serial options") {
  auto d = mcusim::find_device("stm32l4r5");
  REQUIRE(d);
  const auto dir = std::filesystem::temp_directory_path() / "mcusim-uart-script-test";
  std::filesystem::create_directories(dir);
  const auto good = (dir / "good.txt").string(), bad = (dir / "bad.txt").string();
  std::ofstream(good) << "send hi\\n\nexpect hi\n";
  std::ofstream(bad) << "send hi\nwait\n";
  auto problem = [&](std::vector<std::string> in, std::vector<std::string> scripts) {
    SerialLines lines;
    auto p = lines.open(*d, {}, in, scripts, false, nullptr);
    REQUIRE(p);
    CHECK(p->message.find('\n') == std::string::npos);
    return *p;
  };
  auto p = problem({}, {"USART2=" + bad});
  CHECK(p.exit_code == mcusim::cli::kExitBadScript);
  CHECK(p.message == "--uart-script USART2: " + bad + ", line 2: unknown step 'wait' (send or expect)");
  CHECK(problem({}, {"USART2=/nonexistent/s.txt"}).exit_code == mcusim::cli::kExitNoInput);
  CHECK(problem({}, {"USART7=" + good}).exit_code == mcusim::cli::kExitUsage);
  CHECK(problem({"USART2=" + good}, {"usart2=" + good}).message == "--uart-script USART2: --uart-in also feeds USART2; give one of them");
  CHECK(problem({}, {"USART2=" + good, "USART2=" + good}).message == "--uart-script USART2 given twice");

  SerialLines lines;
  REQUIRE_FALSE(lines.open(*d, {}, {}, {"USART2=" + good}, false, nullptr));
  mcusim::SerialLine *line = lines.line("USART2");
  REQUIRE(line);
  std::string got;
  while (auto b = line->receive()) got += char(*b);
  CHECK(got == "hi\n"); // the leading send is waiting at the start
  auto unmet = lines.unmet_script();
  REQUIRE(unmet);
  CHECK(unmet->exit_code == mcusim::cli::kExitScript);
  CHECK(unmet->message == "--uart-script USART2: line 2, expect \"hi\" was not met by the end of the run (the firmware's output since "
                          "the last match: \"\")");
  for (char c : std::string("hi")) line->transmit(uint8_t(c));
  CHECK_FALSE(lines.unmet_script());
  std::filesystem::remove_all(dir);
}
