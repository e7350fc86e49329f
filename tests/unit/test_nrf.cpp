/// \file
/// nRF52840 peripheral models (devices/nrf52840.toml, docs/peripherals.md
/// "nRF52840"): POWER/CLOCK start-up events and System OFF, RTC compare
/// periods, TIMER compare periods and shortcuts, UARTE EasyDMA transmit and
/// receive at the baud rate, GPIO output changes.
#include "base/device.h"
#include "core/scheduler.h"
#include "peripherals/bus.h"
#include "peripherals/models.h"
#include "peripherals/nrf_gpio.h"
#include "peripherals/nrf_power_clock.h"
#include "peripherals/nrf_rtc.h"
#include "peripherals/nrf_timer.h"
#include "peripherals/nrf_uarte.h"

#include <doctest/doctest.h>

#include "peripheral_bench.h"

#include <cmath>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

using namespace mcusim;
using namespace mcusim::peripherals;

namespace {

constexpr double kHz = 64e6; // the nRF52840's core clock
constexpr uint32_t kRam = 0x20000000;

/// A host line: what the firmware sent, with the cycle each byte's stop bit ended; input to give it.
struct Line final : SerialLine {
  std::function<uint64_t()> now;
  std::vector<std::pair<uint8_t, uint64_t>> sent;
  std::deque<uint8_t> input;
  void transmit(uint8_t b) override { sent.push_back({b, now()}); }
  std::optional<uint8_t> receive() override {
    if (input.empty()) return std::nullopt;
    uint8_t b = input.front();
    input.pop_front();
    return b;
  }
  void arrive(uint8_t b) {
    input.push_back(b);
    notify_data_ready();
  }
};

struct Pin {
  std::string port;
  unsigned pin;
  bool level;
  uint64_t cycle;
};

struct Nrf : test::PeripheralBench {
  std::vector<std::string> power_off;
  std::vector<uint8_t> ram = std::vector<uint8_t>(0x1000, 0);
  Line line;
  std::vector<Pin> pins;

  Nrf() : PeripheralBench(kHz) {
    line.now = [this] { return now; };
    host.io.serial = [this](const std::string &name) -> SerialLine * { return name == "UARTE0" ? &line : nullptr; };
    host.io.gpio_changed = [this](const std::string &port, unsigned pin, bool level, uint64_t cycle) {
      pins.push_back({port, pin, level, cycle});
    };
    host.read_ram = [this](uint32_t a, void *d, uint32_t n) {
      if (a < kRam || a + n > kRam + ram.size()) return false;
      std::memcpy(d, &ram[a - kRam], n);
      return true;
    };
    host.write_ram = [this](uint32_t a, const void *d, uint32_t n) {
      if (a < kRam || a + n > kRam + ram.size()) return false;
      std::memcpy(&ram[a - kRam], d, n);
      return true;
    };
    host.power_off = [this](const std::string &why) { power_off.push_back(why); };
    build("nrf52840");
  }
  /// Run to the next scheduled event (exactly its cycle); false when there is none.
  bool step() {
    if (sched.next_time() == Scheduler::kNever) return false;
    advance(sched.next_time());
    return true;
  }
};

constexpr uint32_t kClock = 0x40000000, kRtc0 = 0x4000B000, kTimer0 = 0x40008000, kUarte0 = 0x40002000, kP0 = 0x50000000,
                   kP1 = 0x50000300;

} // namespace

TEST_CASE("nRF52840 device file: the peripheral blocks, their IDs as IRQs") {
  auto dev = find_device("nrf52840");
  REQUIRE(dev);
  auto irq_of = [&](const char *name) {
    for (const auto &p : dev->peripherals)
      if (p.name == name) return p.irqs.empty() ? -1 : int(p.irqs[0]);
    return -2;
  };
  CHECK(irq_of("POWER_CLOCK") == 0);
  CHECK(irq_of("UARTE0") == 2);
  CHECK(irq_of("TIMER0") == 8);
  CHECK(irq_of("RTC0") == 11);
  CHECK(irq_of("RTC1") == 17);
  CHECK(irq_of("TIMER4") == 27);
  CHECK(irq_of("RTC2") == 36);
  CHECK(irq_of("UARTE1") == 40);
  CHECK(irq_of("P0") == -1);
  // Every block's ID is its slot: base = 0x40000000 + ID * 0x1000.
  for (const auto &p : dev->peripherals)
    if (!p.irqs.empty()) CHECK(p.base == 0x40000000u + p.irqs[0] * 0x1000u);
}

TEST_CASE("nRF52840 CLOCK: HFCLKSTARTED after the HFXO start-up, LFCLKSTARTED after the source's") {
  Nrf n;
  n.wr(kClock + 0x304, 1u << 0); // INTENSET.HFCLKSTARTED
  n.wr(kClock + 0x000, 1);       // TASKS_HFCLKSTART
  CHECK(n.rd(kClock + 0x408) == 1); // HFCLKRUN
  const uint64_t hfxo = uint64_t(NrfPowerClock::kHfxoStartUs * kHz / 1e6); // 360 us at 64 MHz
  CHECK(hfxo == 23040);
  n.advance(hfxo - 1);
  CHECK(n.rd(kClock + 0x100) == 0);
  CHECK(n.rd(kClock + 0x40C) == 0);
  n.advance(hfxo);
  CHECK(n.rd(kClock + 0x100) == 1);
  CHECK(n.rd(kClock + 0x40C) == 0x00010001); // HFCLKSTAT: SRC = Xtal, STATE = Running
  CHECK(n.irqs == std::vector<unsigned>{0});
  n.wr(kClock + 0x100, 0); // the firmware clears the event
  CHECK(n.rd(kClock + 0x100) == 0);

  // LFCLK from the crystal (LFCLKSRC = 1): its start-up, and LFCLKSRCCOPY.
  n.wr(kClock + 0x518, 1);
  const uint64_t t0 = n.now;
  n.wr(kClock + 0x008, 1);
  CHECK(n.rd(kClock + 0x41C) == 1);
  const uint64_t lfxo = uint64_t(NrfPowerClock::kLfxoStartUs * kHz / 1e6);
  n.advance(t0 + lfxo - 1);
  CHECK(n.rd(kClock + 0x104) == 0);
  n.advance(t0 + lfxo);
  CHECK(n.rd(kClock + 0x104) == 1);
  CHECK(n.rd(kClock + 0x418) == 0x00010001);
  CHECK(n.irqs.size() == 1); // LFCLKSTARTED's interrupt is not enabled

  // HFCLKSTOP: back to the HFINT.
  n.wr(kClock + 0x004, 1);
  CHECK(n.rd(kClock + 0x40C) == 0);
  CHECK(n.reports.empty());
}

TEST_CASE("nRF52840 POWER: SYSTEMOFF ends the run, CONSTLAT/LOWPWR and DCDCEN are kept, RESETREAS is power-on") {
  Nrf n;
  auto *pc = dynamic_cast<NrfPowerClock *>(n.bus->find("POWER_CLOCK"));
  REQUIRE(pc);
  CHECK_FALSE(pc->constant_latency());
  n.wr(kClock + 0x078, 1);
  CHECK(pc->constant_latency());
  n.wr(kClock + 0x07C, 1);
  CHECK_FALSE(pc->constant_latency());
  n.wr(kClock + 0x578, 1);
  CHECK(pc->dcdc_enabled());
  CHECK(n.rd(kClock + 0x578) == 1);
  CHECK(n.rd(kClock + 0x400) == 0);
  CHECK(n.power_off.empty());
  n.wr(kClock + 0x500, 1);
  REQUIRE(n.power_off.size() == 1);
  CHECK(n.power_off[0].find("System OFF") != std::string::npos);
  CHECK(n.reports.empty());
}

TEST_CASE("nRF52840 RTC: the compare period is CC * (PRESCALER + 1) / 32768 s") {
  Nrf n;
  auto *rtc = dynamic_cast<NrfRtc *>(n.bus->find("RTC0"));
  REQUIRE(rtc);
  const uint32_t prescaler = 7, cc = 64; // 512 LFCLK ticks: 15.625 ms
  n.wr(kRtc0 + 0x508, prescaler);
  n.wr(kRtc0 + 0x540, cc);
  n.wr(kRtc0 + 0x304, 1u << 16); // INTENSET.COMPARE0
  n.advance(1000);               // START between two LFCLK ticks
  n.wr(kRtc0 + 0x000, 1);
  // The counter starts at the next tick after START: tick j falls on cycle ceil(j * 64e6 / 32768).
  const uint64_t start_tick = 1000 * 32768 / 64000000; // ticks already past at cycle 1000
  CHECK(n.rd(kRtc0 + 0x504) == 0);
  std::vector<uint64_t> at;
  for (int k = 0; k < 4 && n.step();) {
    if (n.rd(kRtc0 + 0x140)) {
      at.push_back(n.now);
      CHECK(n.rd(kRtc0 + 0x504) == cc * (k + 1)); // COUNTER == CC at the event
      n.wr(kRtc0 + 0x140, 0);                      // the ISR: clear the event, next compare N ticks on
      n.wr(kRtc0 + 0x540, n.rd(kRtc0 + 0x540) + cc);
      ++k;
    }
  }
  REQUIRE(at.size() == 4);
  const uint64_t first_tick = start_tick + cc * (prescaler + 1);
  CHECK(at[0] == (first_tick * 64000000 + 32767) / 32768);
  const double period_s = double(cc) * (prescaler + 1) / 32768; // derived from the PS formula
  for (size_t i = 1; i < at.size(); ++i) CHECK(double(at[i] - at[i - 1]) / kHz == period_s);
  CHECK(n.irqs.size() == 4);
  CHECK(n.irqs[0] == 11);

  // COUNTER between events: one increment per 8 LFCLK ticks.
  const uint64_t mid = at[3] + 3 * 8 * 1953; // a bit over 3 increments (8 ticks = 15625 cycles)
  n.now = mid;
  CHECK(n.rd(kRtc0 + 0x504) == 4 * cc + (mid * 32768 / 64000000 - start_tick) / 8 - 4 * cc);
  // PRESCALER cannot change while running; STOP freezes the counter.
  n.wr(kRtc0 + 0x508, 0);
  CHECK(n.rd(kRtc0 + 0x508) == prescaler);
  n.wr(kRtc0 + 0x004, 1);
  const uint32_t frozen = n.rd(kRtc0 + 0x504);
  n.now += 1000000;
  CHECK(n.rd(kRtc0 + 0x504) == frozen);
  CHECK(n.reports.empty());
}

TEST_CASE("nRF52840 RTC: 24-bit counter wraps with OVRFLW, no event without EVTEN or INTEN") {
  Nrf n;
  n.wr(kRtc0 + 0x000, 1);
  n.wr(kRtc0 + 0x00C, 1); // TRIGOVRFLW: COUNTER = 0xFFFFF0
  CHECK(n.rd(kRtc0 + 0x504) == 0xFFFFF0);
  n.wr(kRtc0 + 0x344, 1u << 1); // EVTENSET.OVRFLW (routing only: no interrupt)
  uint64_t t = n.now;
  while (n.step() && !n.rd(kRtc0 + 0x104)) {
  }
  CHECK(n.rd(kRtc0 + 0x104) == 1);
  CHECK(n.rd(kRtc0 + 0x504) == 0);
  CHECK(n.now - t <= (16 * 64000000ull + 32767) / 32768 + 2);
  CHECK(n.irqs.empty());
}

TEST_CASE("nRF52840 TIMER: compare period CC * 2^PRESCALER / 16 MHz with COMPARE_CLEAR, CAPTURE, COMPARE_STOP") {
  Nrf n;
  const uint32_t prescaler = 4, cc = 1000; // 1 MHz, 1000 ticks: 1 ms
  n.wr(kTimer0 + 0x504, 0);                // MODE = Timer
  n.wr(kTimer0 + 0x508, 3);                // BITMODE = 32 bit
  n.wr(kTimer0 + 0x510, prescaler);
  n.wr(kTimer0 + 0x540, cc);
  n.wr(kTimer0 + 0x200, 1u << 0);          // SHORTS.COMPARE0_CLEAR
  n.wr(kTimer0 + 0x304, 1u << 16);         // INTENSET.COMPARE0
  n.advance(100);
  n.wr(kTimer0 + 0x000, 1);
  std::vector<uint64_t> at;
  while (at.size() < 3 && n.step())
    if (n.rd(kTimer0 + 0x140)) {
      at.push_back(n.now);
      n.wr(kTimer0 + 0x140, 0);
    }
  REQUIRE(at.size() == 3);
  const double period_s = double(cc) * (1u << prescaler) / 16e6; // the PS formula: 1 ms
  CHECK(at[0] == 100 + uint64_t(std::llround(period_s * kHz)));
  CHECK(double(at[1] - at[0]) / kHz == period_s);
  CHECK(double(at[2] - at[1]) / kHz == period_s);
  CHECK(n.irqs == std::vector<unsigned>{8, 8, 8});
  // CAPTURE[1] 250 us after the last compare: 250 ticks.
  n.now = at[2] + 250 * 64;
  n.wr(kTimer0 + 0x044, 1);
  CHECK(n.rd(kTimer0 + 0x544) == 250);
  // COMPARE0_STOP instead: the timer stops at CC.
  n.wr(kTimer0 + 0x200, 1u << 8);
  n.step();
  CHECK(n.now == at[2] + uint64_t(std::llround(period_s * kHz)));
  n.now += 64000;
  n.wr(kTimer0 + 0x044, 1);
  CHECK(n.rd(kTimer0 + 0x544) == cc);
  CHECK(n.reports.empty());
}

TEST_CASE("nRF52840 TIMER: 8-bit mode wraps, counter mode counts TASKS_COUNT") {
  Nrf n;
  n.wr(kTimer0 + 0x508, 1); // 8 bit
  n.wr(kTimer0 + 0x510, 0); // 16 MHz: 4 core cycles a tick
  n.wr(kTimer0 + 0x000, 1);
  n.now += 4 * 300;
  n.wr(kTimer0 + 0x040, 1);
  CHECK(n.rd(kTimer0 + 0x540) == 300 - 256);
  n.wr(kTimer0 + 0x004, 1);
  n.wr(kTimer0 + 0x00C, 1); // CLEAR
  n.wr(kTimer0 + 0x504, 1); // Counter
  n.wr(kTimer0 + 0x544, 3);
  n.wr(kTimer0 + 0x000, 1);
  for (int i = 0; i < 3; ++i) n.wr(kTimer0 + 0x008, 1);
  CHECK(n.rd(kTimer0 + 0x144) == 1); // COMPARE[1] at count 3
  n.wr(kTimer0 + 0x040, 1);
  CHECK(n.rd(kTimer0 + 0x540) == 3);
}

TEST_CASE("nRF52840 UARTE: EasyDMA TX, bytes in order one character time apart, ENDTX after MAXCNT characters") {
  Nrf n;
  const char msg[] = "hello";
  std::memcpy(&n.ram[0x10], msg, 5);
  n.wr(kUarte0 + 0x500, 8);          // ENABLE
  n.wr(kUarte0 + 0x524, 0x01D60000); // Baud115200 (actual 115108)
  n.wr(kUarte0 + 0x544, kRam + 0x10);
  n.wr(kUarte0 + 0x548, 5);
  n.wr(kUarte0 + 0x304, 1u << 8); // INTENSET.ENDTX
  n.advance(50);
  n.wr(kUarte0 + 0x008, 1); // STARTTX
  const uint64_t ch = n.bus->find("UARTE0") ? dynamic_cast<NrfUarte *>(n.bus->find("UARTE0"))->char_cycles() : 0;
  CHECK(ch == uint64_t(std::llround(10 * kHz / 115108))); // start + 8 data + stop at the actual rate
  n.step();
  CHECK(n.rd(kUarte0 + 0x150) == 1); // TXSTARTED
  uint64_t endtx = 0;
  while (n.step())
    if (!endtx && n.rd(kUarte0 + 0x120)) endtx = n.now;
  REQUIRE(n.line.sent.size() == 5);
  for (size_t i = 0; i < 5; ++i) {
    CHECK(n.line.sent[i].first == uint8_t(msg[i]));
    CHECK(n.line.sent[i].second == 51 + (i + 1) * ch);
  }
  CHECK(endtx == 51 + 5 * ch);
  CHECK(n.rd(kUarte0 + 0x54C) == 5); // TXD.AMOUNT
  CHECK(n.irqs == std::vector<unsigned>{2});

  // A buffer outside Data RAM (EasyDMA cannot read flash): nothing is sent, ENDTX with AMOUNT 0.
  n.wr(kUarte0 + 0x120, 0);
  n.wr(kUarte0 + 0x544, 0x00001000);
  n.wr(kUarte0 + 0x008, 1);
  while (n.step()) {
  }
  CHECK(n.line.sent.size() == 5);
  CHECK(n.rd(kUarte0 + 0x120) == 1);
  CHECK(n.rd(kUarte0 + 0x54C) == 0);

  // Disabled: STARTTX does nothing.
  n.wr(kUarte0 + 0x500, 0);
  n.wr(kUarte0 + 0x120, 0);
  n.wr(kUarte0 + 0x008, 1);
  CHECK(n.sched.empty());
  CHECK(n.reports.empty());
}

TEST_CASE("nRF52840 UARTE: characters stay one character time apart when the run loop reaches each event late") {
  Nrf n;
  std::memcpy(&n.ram[0], "abcd", 4);
  n.wr(kUarte0 + 0x500, 8);
  n.wr(kUarte0 + 0x524, 0x01D60000);
  n.wr(kUarte0 + 0x544, kRam);
  n.wr(kUarte0 + 0x548, 4);
  n.wr(kUarte0 + 0x008, 1);
  const uint64_t ch = dynamic_cast<NrfUarte *>(n.bus->find("UARTE0"))->char_cycles();
  std::vector<uint64_t> due;
  while (n.sched.next_time() != Scheduler::kNever) {
    const uint64_t t = n.sched.next_time();
    const size_t before = n.line.sent.size();
    n.advance(t + 7); // the engine stops at a block boundary a few cycles after the event
    if (n.line.sent.size() > before) due.push_back(t);
  }
  REQUIRE(due.size() == 4);
  for (size_t i = 0; i < 4; ++i) CHECK(due[i] == 1 + (i + 1) * ch);
}

TEST_CASE("nRF52840 UARTE: RX into RAM from the line, ENDRX after MAXCNT bytes, input that arrives later") {
  Nrf n;
  n.wr(kUarte0 + 0x500, 8);
  n.wr(kUarte0 + 0x534, kRam + 0x100);
  n.wr(kUarte0 + 0x538, 3);
  n.line.input = {'a', 'b'};
  n.wr(kUarte0 + 0x000, 1); // STARTRX
  while (n.step()) {
  }
  CHECK(n.rd(kUarte0 + 0x14C) == 1); // RXSTARTED
  CHECK(n.rd(kUarte0 + 0x110) == 0); // 2 of 3 bytes
  CHECK(n.ram[0x100] == 'a');
  CHECK(n.ram[0x101] == 'b');
  n.now += 100000;
  n.line.arrive('c'); // the line wakes the receiver
  while (n.step()) {
  }
  CHECK(n.ram[0x102] == 'c');
  CHECK(n.rd(kUarte0 + 0x110) == 1); // ENDRX
  CHECK(n.rd(kUarte0 + 0x53C) == 3);
}

TEST_CASE("nRF52840 GPIO: output changes reach the host as P0/P1 pin changes, IN, DIR and PIN_CNF") {
  Nrf n;
  n.wr(kP0 + 0x518, 1u << 13); // DIRSET: P0.13 output (an LED on the DK)
  CHECK(n.rd(kP0 + 0x700 + 13 * 4) == 0x3); // PIN_CNF[13].DIR follows DIR
  CHECK(n.pins.empty());       // still low
  n.now = 1234;
  n.wr(kP0 + 0x508, 1u << 13); // OUTSET
  n.now = 2000;
  n.wr(kP0 + 0x50C, 1u << 13); // OUTCLR
  n.wr(kP0 + 0x50C, 1u << 13); // no change: no report
  REQUIRE(n.pins.size() == 2);
  CHECK(n.pins[0].port == "P0");
  CHECK(n.pins[0].pin == 13);
  CHECK(n.pins[0].level);
  CHECK(n.pins[0].cycle == 1234);
  CHECK_FALSE(n.pins[1].level);
  CHECK(n.pins[1].cycle == 2000);
  // An input pin's OUT changes nothing outside.
  n.wr(kP0 + 0x508, 1u << 2);
  CHECK(n.pins.size() == 2);
  // IN: the input buffer is disconnected at reset; connect it and pull up.
  CHECK(n.rd(kP0 + 0x510) == 0);
  n.wr(kP0 + 0x700 + 2 * 4, 3u << 2); // PIN_CNF[2]: input, connected, pull-up
  CHECK(n.rd(kP0 + 0x510) == (1u << 2));
  // P1 through PIN_CNF.DIR.
  n.wr(kP1 + 0x700 + 4 * 4, 1); // PIN_CNF[4]: output
  CHECK(n.rd(kP1 + 0x514) == (1u << 4));
  n.wr(kP1 + 0x504, 1u << 4);
  REQUIRE(n.pins.size() == 3);
  CHECK(n.pins[2].port == "P1");
  CHECK(n.pins[2].pin == 4);
  CHECK(n.reports.empty());
}
