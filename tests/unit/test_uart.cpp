/// The STM32 USART/LPUART model (peripherals/stm32_usart.h) on the
/// STM32L4R5's bus with a scheduler: character timing from BRR and the
/// kernel clock, TXE/TC, RXNE/ORE/IDLE, the IRQ; and the host ends of the
/// serial lines (session/serial_lines.h): their checks.
#include "base/device.h"
#include "core/scheduler.h"
#include "peripherals/bus.h"
#include "peripherals/models.h"
#include "peripherals/stm32_usart.h"
#include "session/exit_codes.h"
#include "session/serial_lines.h"

#include <doctest/doctest.h>

#include "peripheral_bench.h"

#include <cmath>
#include <deque>
#include <string>
#include <vector>

using namespace mcusim;
using namespace mcusim::peripherals;

namespace {

/// A line that records what the firmware sent and feeds bytes the test queues.
class TestLine final : public SerialLine {
public:
  void transmit(uint8_t b) override { sent.push_back(char(b)); }
  std::optional<uint8_t> receive() override {
    if (input.empty()) return std::nullopt;
    uint8_t b = uint8_t(input.front());
    input.pop_front();
    return b;
  }
  void arrive(char c) {
    input.push_back(c);
    notify_data_ready();
  }
  std::string sent;
  std::deque<char> input;
};

constexpr double kCoreHz = 100e6;
// USART2 (RM0432 memory map) and its registers.
constexpr uint32_t U2 = 0x40004400, CR1 = U2 + 0x00, CR2 = U2 + 0x04, BRR = U2 + 0x0C, ISR = U2 + 0x1C, ICR = U2 + 0x20,
                   RDR = U2 + 0x24, TDR = U2 + 0x28;
constexpr uint32_t UE = 1, RE = 4, TE = 8, RXNEIE = 1u << 5, TXEIE = 1u << 7;
constexpr uint32_t ORE = 1u << 3, IDLE = 1u << 4, RXNE = 1u << 5, TC = 1u << 6, TXE = 1u << 7, TEACK = 1u << 21, REACK = 1u << 22;
constexpr unsigned kUsart2Irq = 38;

struct Rig : test::PeripheralBench {
  TestLine line;
  Rig() : PeripheralBench(kCoreHz) {
    host.io.serial = [this](const std::string &name) -> SerialLine * { return name == "USART2" || name == "LPUART1" ? &line : nullptr; };
    build("stm32l4r5");
  }
};

} // namespace

TEST_CASE("STM32L4R5 USART: the device file has six U(S)ARTs with their IRQs") {
  auto d = find_device("stm32l4r5");
  REQUIRE(d);
  CHECK(serial_names(*d) == std::vector<std::string>{"USART2", "USART3", "UART4", "UART5", "LPUART1", "USART1"});
  for (const auto &p : d->peripherals) {
    if (p.name == "USART1") CHECK(p.irqs == std::vector<unsigned>{37});
    if (p.name == "USART2") CHECK(p.irqs == std::vector<unsigned>{38});
    if (p.name == "LPUART1") CHECK(p.irqs == std::vector<unsigned>{70});
  }
}

TEST_CASE("STM32L4R5 USART: a character lasts 10 bit times of BRR kernel clocks, TDR queues behind the shift register") {
  Rig r;
  // Reset clock: MSI 4 MHz, so PCLK1 = 4 MHz; BRR 35 -> a bit is 35 kernel cycles = 875 core cycles at 100 MHz.
  r.wr(BRR, 35);
  r.wr(CR1, TE | RE | UE);
  CHECK((r.rd(ISR) & (TEACK | REACK | TXE | TC)) == (TEACK | REACK | TXE | TC));
  const uint64_t frame = 10 * 35 * 25; // 10 bits x 35 PCLK1 cycles x (100 MHz / 4 MHz)
  r.wr(TDR, 'A');
  CHECK((r.rd(ISR) & (TXE | TC)) == TXE); // the shift register took it: TXE set, TC cleared
  r.wr(TDR, 'B');
  CHECK((r.rd(ISR) & TXE) == 0); // queued in TDR
  r.advance(frame - 1);
  CHECK(r.line.sent.empty());
  r.advance(frame);
  CHECK(r.line.sent == "A");
  CHECK((r.rd(ISR) & (TXE | TC)) == TXE); // B moved to the shift register
  r.advance(2 * frame);
  CHECK(r.line.sent == "AB");
  CHECK((r.rd(ISR) & TC) == TC);

  // Two stop bits, 9 data bits: 12 bits.
  r.wr(CR1, 0); // UE off
  r.wr(CR2, 2u << 12);
  r.wr(CR1, TE | UE | (1u << 12));
  r.wr(TDR, 'C');
  r.advance(2 * frame + 12 * 35 * 25 - 1);
  CHECK(r.line.sent == "AB");
  r.advance(2 * frame + 12 * 35 * 25);
  CHECK(r.line.sent == "ABC");
}

TEST_CASE("STM32L4R5 USART: the kernel clock is PCLK1 or the RCC_CCIPR selection") {
  Rig r;
  auto *u = dynamic_cast<Stm32Usart *>(r.bus->find("USART2"));
  REQUIRE(u);
  r.wr(BRR, 139);
  CHECK(u->kernel_hz() == 4e6);
  CHECK(u->frame_cycles() == 10 * 139 * 25);
  r.wr(0x40021088, 2u << 2); // RCC_CCIPR.USART2SEL = HSI16
  CHECK(u->kernel_hz() == 16e6);
  CHECK(u->baud() == doctest::Approx(16e6 / 139));
  CHECK(u->frame_cycles() == uint64_t(std::llround(10 * 139 * 100.0 / 16)));
}

TEST_CASE("STM32L4R5 USART: received bytes arrive a character apart, RXNE, ORE when RDR is not read, IDLE after the burst") {
  Rig r;
  r.line.input = {'h', 'i', '!'};
  r.wr(BRR, 35);
  r.wr(CR1, RE | UE | RXNEIE);
  const uint64_t frame = 10 * 35 * 25;
  r.advance(frame - 1);
  CHECK((r.rd(ISR) & RXNE) == 0);
  r.advance(frame);
  CHECK((r.rd(ISR) & RXNE) == RXNE);
  CHECK(r.irqs == std::vector<unsigned>{kUsart2Irq});
  CHECK(r.rd(RDR) == 'h');
  CHECK((r.rd(ISR) & RXNE) == 0);
  r.advance(2 * frame);
  r.advance(3 * frame); // 'i' not read when '!' arrives: overrun, '!' lost
  CHECK((r.rd(ISR) & (RXNE | ORE)) == (RXNE | ORE));
  CHECK(r.rd(RDR) == 'i');
  r.wr(ICR, 1u << 3);
  CHECK((r.rd(ISR) & ORE) == 0);
  CHECK((r.rd(ISR) & IDLE) == 0);
  r.advance(4 * frame); // one idle character after the last one
  CHECK((r.rd(ISR) & IDLE) == IDLE);
  // Input arriving later wakes the receiver.
  r.line.arrive('x');
  r.advance(5 * frame);
  CHECK(r.rd(RDR) == 'x');
}

TEST_CASE("STM32L4R5 USART: TXEIE pends the IRQ on each refill, also when TXE stays set") {
  Rig r;
  r.wr(BRR, 35);
  r.wr(CR1, TE | UE);
  r.wr(CR1, TE | UE | TXEIE);
  CHECK(r.irqs.size() == 1); // enabled with TXE set
  r.wr(TDR, 'a');            // taken at once: TXE still set, a new request
  CHECK(r.irqs.size() == 2);
  r.wr(TDR, 'b'); // queued: TXE clear
  CHECK(r.irqs.size() == 2);
  r.advance(10 * 35 * 25); // 'a' sent, 'b' to the shift register: TXE rises
  CHECK(r.irqs.size() == 3);
}

TEST_CASE("STM32L4R5 LPUART1: the baud rate is 256 x f / BRR") {
  Rig r;
  auto *u = dynamic_cast<Stm32Usart *>(r.bus->find("LPUART1"));
  REQUIRE(u);
  const uint32_t L = 0x40008000;
  r.wr(L + 0x0C, 0x1A0AB); // 9600 baud from 4 MHz: 256 * 4e6 / 9600 = 106667
  CHECK(u->baud() == doctest::Approx(256 * 4e6 / 0x1A0AB));
  r.wr(L + 0x00, TE | UE);
  r.wr(L + 0x28, 'L');
  const uint64_t frame = uint64_t(std::llround(10 * (0x1A0AB / 256.0) * 25));
  r.advance(frame - 1);
  CHECK(r.line.sent.empty());
  r.advance(frame);
  CHECK(r.line.sent == "L");
}

TEST_CASE("serial lines: --uart and --uart-in are checked before the run") {
  auto d = find_device("stm32l4r5");
  REQUIRE(d);
  using mcusim::session::SerialLines;
  auto problem = [&](std::vector<std::string> out, std::vector<std::string> in, bool json = false) {
    SerialLines lines;
    auto p = lines.open(*d, out, in, {}, json, nullptr);
    REQUIRE(p);
    CHECK(p->message.find('\n') == std::string::npos);
    return *p;
  };
  auto p = problem({"USART9=x.txt"}, {});
  CHECK(p.exit_code == mcusim::cli::kExitUsage);
  CHECK(p.message == "--uart USART9: stm32l4r5 has no UART of that name (its UARTs: USART2, USART3, UART4, UART5, LPUART1, USART1)");
  CHECK(problem({"USART2"}, {}).message == "--uart 'USART2': expected NAME=FILE|stdio|pty");
  CHECK(problem({}, {"USART2="}).message == "--uart-in 'USART2=': expected NAME=FILE");
  CHECK(problem({"USART2=stdio"}, {}, true).exit_code == mcusim::cli::kExitUsage);
  CHECK(problem({}, {"USART2=/nonexistent/in.txt"}).exit_code == mcusim::cli::kExitNoInput);
  CHECK(problem({"USART2=/nonexistent/dir/out.txt"}, {}).exit_code == mcusim::cli::kExitOutput);
  CHECK(problem({"USART2=stdio", "usart2=stdio"}, {}).message == "--uart USART2 given twice");
  auto f4 = find_device("stm32f407");
  REQUIRE(f4);
  SerialLines none;
  auto q = none.open(*f4, {"USART2=stdio"}, {}, {}, false, nullptr);
  REQUIRE(q);
  CHECK(q->message == "--uart USART2: stm32f407 has no UART model");

  SerialLines ok;
  CHECK_FALSE(ok.open(*d, {"USART2=stdio"}, {}, {}, false, nullptr));
  CHECK(ok.line("USART2") != nullptr);
  CHECK(ok.line("LPUART1") != nullptr); // every UART has a line (the console by default)
  CHECK(ok.line("TIM2") == nullptr);
}
