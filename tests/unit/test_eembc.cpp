/// The runner protocol's host end (session/eembc_driver.h) against a
/// firmware played here line by line: the commands it sends after each
/// m-ready, the db chunks, what it collects, and where it stops.
#include "session/eembc_driver.h"

#include <doctest/doctest.h>
#include <string>
#include <vector>

using namespace mcusim;
using namespace mcusim::session;

namespace {

/// The firmware's side: sends `text` and a line end, reads back the command
/// the driver queued (up to '%').
struct FakeFirmware {
  EembcDriver &driver;
  void say(const std::string &text) {
    for (char c : text + "\r\n") driver.transmit(uint8_t(c));
  }
  std::string command() {
    std::string c;
    while (auto b = driver.receive()) {
      if (*b == '%') return c;
      c.push_back(char(*b));
    }
    return c + "<no terminator>";
  }
};

} // namespace

TEST_CASE("eembc: the script is name, profile, then db load, 31-byte db chunks and infer per window") {
  EembcScript s;
  s.input.resize(70);
  for (size_t i = 0; i < s.input.size(); ++i) s.input[i] = uint8_t(i * 7);
  s.windows = 2;
  s.iterations = 10;
  s.warmups = 1;
  auto c = eembc_commands(s);
  REQUIRE(c.size() == 2 + 2 * (1 + 3 + 1));
  CHECK(c[0] == "name");
  CHECK(c[1] == "profile");
  CHECK(c[2] == "db load 70");
  CHECK(c[3].size() == 3 + 62); // "db " + 31 bytes
  CHECK(c[3].substr(0, 9) == "db 00070e");
  CHECK(c[5].size() == 3 + 16); // the last 8 bytes
  CHECK(c[6] == "infer 10 1");
  CHECK(c[7] == "db load 70");
}

TEST_CASE("eembc: results lines parse, other lines do not") {
  auto r = parse_eembc_results("m-results-[0.000,0.996,0.003]");
  REQUIRE(r);
  CHECK(r->size() == 3);
  CHECK((*r)[1] == doctest::Approx(0.996));
  CHECK(!parse_eembc_results("m-results-[0.1,x]"));
  CHECK(!parse_eembc_results("m-lap-us-12"));
}

TEST_CASE("eembc: a whole exchange: commands after each m-ready, laps and results of the window, done once") {
  EembcScript s;
  s.input = {1, 2, 3};
  s.windows = 1;
  s.iterations = 4;
  s.warmups = 0;
  int done = 0;
  EembcDriver d(s, [&] { ++done; });
  FakeFirmware fw{d};
  fw.say("m-timestamp-mode-performance");
  fw.say("m-lap-us-5"); // not in a window: ignored
  CHECK(!d.receive());  // nothing before m-ready
  fw.say("m-init-done");
  fw.say("m-ready");
  CHECK(fw.command() == "name");
  fw.say("m-name-dut-[mcusim]");
  fw.say("m-ready");
  CHECK(fw.command() == "profile");
  fw.say("m-profile-[ULPMark for tinyML Firmware V0.0.1]");
  fw.say("m-model-[kws01]");
  fw.say("m-ready");
  CHECK(fw.command() == "db load 3");
  fw.say("m-[Expecting 3 bytes]");
  fw.say("m-ready");
  CHECK(fw.command() == "db 010203");
  fw.say("m-load-done");
  fw.say("m-ready");
  CHECK(fw.command() == "infer 4 0");
  fw.say("m-warmup-start-0");
  fw.say("m-warmup-done");
  fw.say("m-infer-start-4");
  fw.say("m-lap-us-1000");
  fw.say("m-lap-us-1400");
  fw.say("m-infer-done");
  fw.say("m-results-[0.000,0.750,0.250]");
  CHECK(done == 0);
  fw.say("m-ready");
  CHECK(done == 1);
  const auto &r = d.replies();
  CHECK(r.finished);
  CHECK(r.error.empty());
  CHECK(r.name == "mcusim");
  CHECK(r.model == "kws01");
  REQUIRE(r.windows.size() == 1);
  CHECK(r.windows[0].elapsed_us() == 400u);
  CHECK(r.windows[0].results.size() == 3);
  fw.say("m-ready"); // after the end: nothing more is sent
  CHECK(!d.receive());
  CHECK(done == 1);
}

TEST_CASE("eembc: an e-[...] reply ends the script, and one to a db command is about the input") {
  EembcScript s;
  s.input.resize(600);
  s.windows = 1;
  int done = 0;
  EembcDriver d(s, [&] { ++done; });
  FakeFirmware fw{d};
  fw.say("m-ready");
  CHECK(fw.command() == "name");
  fw.say("m-ready");
  CHECK(fw.command() == "profile");
  fw.say("m-ready");
  CHECK(fw.command() == "db load 600");
  fw.say("e-[Supplied buffer size 600 exceeds maximum of 490]");
  CHECK(done == 1);
  CHECK(d.replies().error == "Supplied buffer size 600 exceeds maximum of 490");
  CHECK(d.replies().error_command == "db load 600");
  CHECK(d.replies().error_about_input);
  CHECK(!d.replies().finished);
}
