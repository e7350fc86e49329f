#include "core/system_control.h"

#include <doctest/doctest.h>

#include "helpers.h"

using namespace mcusim;

namespace {
struct Fixture {
  Device dev;
  Scheduler sched;
  uint64_t cycles = 0;
  test::CaptureConsole console;
  std::unique_ptr<SystemControl> scs;
  explicit Fixture(CoreKind core = CoreKind::M4F) {
    dev = *find_device(core == CoreKind::M7 ? "stm32h7a3" : core == CoreKind::M0plus ? "stm32g0b1" : "stm32f407");
    scs = std::make_unique<SystemControl>(dev, 100e6, sched, cycles, console);
    scs->current_ipsr = [] { return 0; };
  }
  void advance(uint64_t to) {
    cycles = to;
    sched.run_due(cycles);
  }
};
} // namespace

TEST_CASE("SysTick counts simulated cycles, wraps, sets COUNTFLAG and pends its exception") {
  Fixture f;
  f.scs->write(0xE000E014, 4, 99);  // LOAD
  f.scs->write(0xE000E018, 4, 0);   // VAL
  f.scs->write(0xE000E010, 4, 7);   // processor clock, TICKINT, ENABLE
  CHECK(f.sched.next_time() == 100); // LOAD+1 cycles from a zero counter
  f.advance(30);
  CHECK(f.scs->read(0xE000E018, 4) == 70);
  CHECK_FALSE(f.scs->pending(kExcSysTick));
  f.advance(100);
  CHECK(f.scs->pending(kExcSysTick));
  CHECK((f.scs->read(0xE000E010, 4) >> 16 & 1) == 1); // COUNTFLAG, cleared by the read
  CHECK((f.scs->read(0xE000E010, 4) >> 16 & 1) == 0);
  CHECK(f.sched.next_time() == 200);
  f.advance(150);
  CHECK(f.scs->read(0xE000E018, 4) == 50);
  f.scs->write(0xE000E010, 4, 0); // disable: the value freezes
  f.advance(180);
  CHECK(f.scs->read(0xE000E018, 4) == 50);
  CHECK(f.sched.empty());
}

TEST_CASE("SysTick on the external reference clock counts every 8 cycles") {
  Fixture f;
  f.scs->write(0xE000E014, 4, 9);
  f.scs->write(0xE000E010, 4, 3); // TICKINT|ENABLE, CLKSOURCE=0
  CHECK(f.sched.next_time() == 80);
}

TEST_CASE("NVIC enable, pend, priority and the highest pending exception") {
  Fixture f;
  int changes = 0;
  f.scs->on_exception_state_change = [&] { ++changes; };
  f.scs->write(0xE000E100, 4, 1u << 3 | 1u << 5); // ISER0: IRQ3, IRQ5
  f.scs->write(0xE000E403, 1, 0x80);               // IPR: IRQ3 priority 0x80
  f.scs->write(0xE000E405, 1, 0x4F);               // IRQ5 priority 0x40 (low bits not implemented)
  CHECK(f.scs->read(0xE000E404, 4) == 0x4000u);
  f.scs->write(0xE000E200, 4, 1u << 3 | 1u << 5 | 1u << 7); // ISPR: IRQ7 is not enabled
  CHECK(changes >= 4);
  CHECK(f.scs->highest_pending() == kExcIrq0 + 5);
  f.scs->write(0xE000E280, 4, 1u << 5); // ICPR
  CHECK(f.scs->highest_pending() == kExcIrq0 + 3);
  CHECK(f.scs->read(0xE000E200, 4) == (1u << 3 | 1u << 7));
  f.scs->write(0xE000EF00, 4, 7); // STIR
  f.scs->write(0xE000E180, 4, 1u << 3); // ICER
  CHECK(f.scs->highest_pending() == -1);
}

TEST_CASE("priority grouping, system handler priorities and ICSR") {
  Fixture f;
  f.scs->write(0xE000ED0C, 4, 0x05FA0500); // PRIGROUP 5: group = bits [7:6]
  CHECK(f.scs->prigroup == 5);
  CHECK(f.scs->group_priority(0x70) == 0x40);
  f.scs->write(0xE000ED0C, 4, 0x00000700); // wrong VECTKEY: ignored
  CHECK(f.scs->prigroup == 5);
  f.scs->write(0xE000ED23, 1, 0xF0); // SHPR3 byte 3: SysTick
  CHECK(f.scs->priority(kExcSysTick) == 0xF0);
  CHECK(f.scs->priority(kExcHardFault) == -1);
  f.scs->write(0xE000ED04, 4, 1u << 28); // PENDSVSET
  CHECK(f.scs->pending(kExcPendSV));
  CHECK((f.scs->read(0xE000ED04, 4) >> 12 & 0x1FF) == kExcPendSV); // VECTPENDING
  f.scs->write(0xE000ED04, 4, 1u << 27); // PENDSVCLR
  CHECK_FALSE(f.scs->pending(kExcPendSV));
  f.scs->write(0xE000ED08, 4, 0x08004000);
  CHECK(f.scs->vtor == 0x08004000);
  f.scs->write(0xE000ED0C, 4, 0x05FA0004); // SYSRESETREQ
  CHECK(f.scs->reset_requested);
}

TEST_CASE("fault status registers are write-one-to-clear, and faults need SHCSR enables") {
  Fixture f;
  f.scs->cfsr = 0x00008200;
  f.scs->write(0xE000ED28, 4, 0x200);
  CHECK(f.scs->read(0xE000ED28, 4) == 0x8000);
  CHECK_FALSE(f.scs->fault_enabled(kExcBusFault));
  f.scs->write(0xE000ED24, 4, 1u << 17);
  CHECK(f.scs->fault_enabled(kExcBusFault));
  CHECK((f.scs->read(0xE000ED24, 4) & (1u << 17)) != 0);
}

TEST_CASE("DWT CYCCNT counts only with TRCENA and CYCCNTENA") {
  Fixture f;
  f.scs->write(0xE0001000, 4, 1); // CYCCNTENA without TRCENA
  f.advance(100);
  CHECK(f.scs->read(0xE0001004, 4) == 0);
  f.scs->write(0xE000EDFC, 4, 1u << 24); // DEMCR.TRCENA
  f.advance(350);
  CHECK(f.scs->read(0xE0001004, 4) == 250);
  f.scs->write(0xE0001004, 4, 1000);
  f.advance(360);
  CHECK(f.scs->read(0xE0001004, 4) == 1010);
}

TEST_CASE("Cortex-M7 DWT needs the lock access key, and a Cortex-M0+ has no CYCCNT") {
  Fixture m7(CoreKind::M7);
  m7.scs->write(0xE000EDFC, 4, 1u << 24);
  m7.scs->write(0xE0001000, 4, 1);
  CHECK((m7.scs->read(0xE0001000, 4) & 1) == 0); // locked: ignored
  CHECK(m7.scs->read(0xE0001FB4, 4) == 3);       // LSR: implemented, locked
  m7.scs->write(0xE0001FB0, 4, 0xC5ACCE55);
  m7.scs->write(0xE0001000, 4, 1);
  m7.advance(42);
  CHECK(m7.scs->read(0xE0001004, 4) == 42);
  Fixture m0(CoreKind::M0plus);
  CHECK((m0.scs->read(0xE0001000, 4) >> 25 & 1) == 1); // NOCYCCNT
  CHECK(m0.scs->read(0xE000ED00, 4) == 0x410CC601);
}

TEST_CASE("ITM stimulus port 0 is a console") {
  Fixture f;
  f.scs->write(0xE0000000, 1, 'h');
  f.scs->write(0xE0000000, 1, 'i');
  CHECK(f.console.out_text == "hi");
  f.scs->write(0xE0000E80, 4, 0); // ITMENA off
  f.scs->write(0xE0000000, 1, '!');
  CHECK(f.console.out_text == "hi");
  CHECK(f.scs->read(0xE0000000, 4) == 1); // FIFO ready
}
