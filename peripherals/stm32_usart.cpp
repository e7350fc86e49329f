/// \file
/// STM32 USART/LPUART (L4+ layout): TX and RX timed by the baud rate, flags, the IRQ.
#include "peripherals/stm32_usart.h"

#include "peripherals/bus.h"

#include <algorithm>
#include <cmath>

namespace mcusim::peripherals {

namespace {
// USART_CR1 (RM0432 'USART control register 1'; LPUART_CR1 has no OVER8).
constexpr uint32_t UE = 1u << 0, RE = 1u << 2, TE = 1u << 3, IDLEIE = 1u << 4, RXNEIE = 1u << 5, TCIE = 1u << 6, TXEIE = 1u << 7,
                   M0 = 1u << 12, OVER8 = 1u << 15, M1 = 1u << 28, FIFOEN = 1u << 29, TXFEIE = 1u << 30, RXFFIE = 1u << 31;
// USART_CR3 (RM0432 'USART control register 3').
constexpr uint32_t EIE = 1u << 0, OVRDIS = 1u << 12;
// USART_ISR (RM0432 'USART interrupt and status register').
constexpr uint32_t ORE = 1u << 3, IDLE = 1u << 4, RXNE = 1u << 5, TC = 1u << 6, TXE = 1u << 7, BUSY = 1u << 16, TEACK = 1u << 21,
                   REACK = 1u << 22, TXFE = 1u << 23, RXFF = 1u << 24;
// USART_ICR (RM0432 'USART interrupt flag clear register'): ORECF, IDLECF, TCCF.
constexpr uint32_t ORECF = 1u << 3, IDLECF = 1u << 4, TCCF = 1u << 6;
// USART_RQR (RM0432 'USART request register').
constexpr uint32_t RXFRQ = 1u << 3, TXFRQ = 1u << 4;
// USART_PRESC.PRESCALER (RM0432 'USART prescaler register'): input clock dividers 1..256 (values 12..15 also divide by 256).
constexpr unsigned kPrescDiv[16] = {1, 2, 4, 6, 8, 10, 12, 16, 32, 64, 128, 256, 256, 256, 256, 256};
} // namespace

const std::vector<std::pair<const char *, uint32_t>> &Stm32Usart::required() {
  static const std::vector<std::pair<const char *, uint32_t>> regs = {
      {"CR1", CR1}, {"CR2", CR2}, {"CR3", CR3}, {"BRR", BRR}, {"RQR", RQR}, {"ISR", ISR},
      {"ICR", ICR}, {"RDR", RDR}, {"TDR", TDR}, {"PRESC", PRESC}};
  return regs;
}

Stm32Usart::Stm32Usart(const PeripheralDesc &desc, PeripheralHost &host, bool lpuart) : Peripheral(desc, host), lpuart_(lpuart) {}

void Stm32Usart::connect(PeripheralBus &bus) { bus_ = &bus; }

SerialLine *Stm32Usart::line() {
  if (!line_asked_) {
    line_asked_ = true;
    line_ = host_.io.serial ? host_.io.serial(name()) : nullptr;
    if (line_) line_->set_data_ready([this] { try_receive(); });
  }
  return line_;
}

void Stm32Usart::reset() {
  Peripheral::reset(); // cancels the events
  tx_event_ = rx_event_ = idle_event_ = 0;
  tx_fifo_.clear();
  rx_fifo_.clear();
  last_rdr_ = 0;
  tc_ = true;
  ore_ = idle_ = idle_armed_ = irq_level_ = false;
}

void Stm32Usart::stop_all() {
  cancel(tx_event_);
  cancel(rx_event_);
  cancel(idle_event_);
  tx_fifo_.clear();
  rx_fifo_.clear();
  tc_ = true;
  ore_ = idle_ = idle_armed_ = false;
}

bool Stm32Usart::models(uint32_t offset) const {
  switch (offset) {
  case CR1:
  case CR2:
  case CR3:
  case BRR:
  case RQR:
  case ISR:
  case ICR:
  case RDR:
  case TDR:
  case PRESC: return true;
  default: return false;
  }
}

bool Stm32Usart::enabled() const { return regs_.read(CR1) & UE; }
bool Stm32Usart::tx_enabled() const { return (regs_.read(CR1) & (UE | TE)) == (UE | TE); }
bool Stm32Usart::rx_enabled() const { return (regs_.read(CR1) & (UE | RE)) == (UE | RE); }
size_t Stm32Usart::depth() const { return (regs_.read(CR1) & FIFOEN) ? kFifoDepth : 1; }

double Stm32Usart::frame_bits() const {
  const uint32_t cr1 = regs_.read(CR1);
  const unsigned m = ((cr1 & M1) ? 2u : 0u) | ((cr1 & M0) ? 1u : 0u);
  const double data = m == 1 ? 9 : m == 2 ? 7 : 8; // M = 11 is reserved: taken as 8
  static constexpr double kStop[4] = {1, 0.5, 2, 1.5};
  return 1 + data + kStop[(regs_.read(CR2) >> 12) & 3u];
}

double Stm32Usart::bit_kernel_cycles() const {
  const uint32_t brr = regs_.read(BRR);
  double div;
  if (lpuart_) {
    div = double(brr & 0xFFFFFu) / 256.0; // RM0432 'LPUART baud rate generation': baud = 256 * f / LPUARTDIV
  } else if (regs_.read(CR1) & OVER8) {
    const uint32_t usartdiv = (brr & 0xFFF0u) | ((brr & 7u) << 1); // RM0432 'USART baud rate generation': BRR[2:0] = USARTDIV[3:0] >> 1
    div = double(usartdiv) / 2.0;                                   // baud = 2 * f / USARTDIV
  } else {
    div = double(brr & 0xFFFFu); // baud = f / USARTDIV
  }
  // A BRR below the minimum (16; LPUART 0x300) is not a valid setting; it is timed as the minimum.
  div = std::max(div, lpuart_ ? double(0x300) / 256.0 : 16.0 / ((regs_.read(CR1) & OVER8) ? 2.0 : 1.0));
  return div * kPrescDiv[regs_.read(PRESC) & 0xFu];
}

double Stm32Usart::kernel_hz() const {
  if (bus_)
    if (auto hz = bus_->clock_hz(name()); hz && *hz > 0) return *hz;
  return host_.hz;
}

uint64_t Stm32Usart::frame_cycles() const {
  const double cycles = frame_bits() * bit_kernel_cycles() * host_.hz / kernel_hz();
  return std::max<uint64_t>(1, uint64_t(std::llround(cycles)));
}

uint32_t Stm32Usart::status() const {
  const uint32_t cr1 = regs_.read(CR1);
  uint32_t isr = 0;
  if (ore_) isr |= ORE;
  if (idle_) isr |= IDLE;
  if (!rx_fifo_.empty()) isr |= RXNE;
  if (tc_) isr |= TC;
  if (tx_fifo_.size() < depth()) isr |= TXE;
  if (rx_event_) isr |= BUSY;
  if ((cr1 & (UE | TE)) == (UE | TE)) isr |= TEACK;
  if ((cr1 & (UE | RE)) == (UE | RE)) isr |= REACK;
  if (tx_fifo_.empty()) isr |= TXFE;
  if ((cr1 & FIFOEN) && rx_fifo_.size() >= kFifoDepth) isr |= RXFF;
  return isr;
}

uint32_t Stm32Usart::read_register(uint32_t offset) {
  switch (offset) {
  case ISR: return status();
  case RDR: {
    if (!rx_fifo_.empty()) {
      last_rdr_ = rx_fifo_.front();
      rx_fifo_.pop_front();
    }
    // In FIFO mode another character may be waiting: a new request.
    update_irq(rx_fifo_.empty() ? 0 : RXNE);
    return last_rdr_;
  }
  case TDR: return regs_.read(TDR);
  case ICR:
  case RQR: return 0; // write-only
  default: return regs_.read(offset);
  }
}

void Stm32Usart::write_register(uint32_t offset, uint32_t value, uint32_t mask) {
  switch (offset) {
  case CR1: {
    const uint32_t before = regs_.read(CR1);
    regs_.write(CR1, value, mask);
    const uint32_t cr1 = regs_.read(CR1);
    if ((before & UE) && !(cr1 & UE)) stop_all();
    if (tx_enabled() && !tx_event_ && !tx_fifo_.empty()) start_tx();
    if (!rx_enabled()) {
      cancel(rx_event_); // a character being received is lost
      cancel(idle_event_);
    } else {
      try_receive();
    }
    update_irq();
    return;
  }
  case ISR: return; // read-only
  case ICR: {
    const uint32_t v = value & mask;
    if (v & ORECF) ore_ = false;
    if (v & IDLECF) idle_ = false;
    if (v & TCCF) tc_ = false;
    update_irq();
    return;
  }
  case RQR: {
    const uint32_t v = value & mask;
    if (v & RXFRQ) rx_fifo_.clear(); // discards the received data (RXNE cleared)
    if ((v & TXFRQ) && (regs_.read(CR1) & FIFOEN)) tx_fifo_.clear();
    update_irq();
    return;
  }
  case RDR: return; // read-only
  case TDR: {
    regs_.write(TDR, value, mask);
    if (!enabled()) return;
    if (tx_fifo_.size() >= depth()) return; // written while full: lost, as on the hardware
    tx_fifo_.push_back(uint16_t(regs_.read(TDR) & 0x1FFu));
    tc_ = false; // a TDR write clears TC (RM0432 USART_ISR.TC)
    if (tx_enabled() && !tx_event_) start_tx();
    update_irq(TXE); // TXE still set (the shift register took it): a new request
    return;
  }
  default: regs_.write(offset, value, mask); return;
  }
}

void Stm32Usart::start_tx() {
  const uint16_t data = tx_fifo_.front();
  tx_fifo_.pop_front();
  tx_event_ = after(frame_cycles(), [this, data] {
    tx_event_ = 0;
    if (SerialLine *l = line()) l->transmit(uint8_t(data));
    tx_done();
  });
}

void Stm32Usart::tx_done() {
  if (tx_enabled() && !tx_fifo_.empty()) start_tx();
  else if (tx_fifo_.empty()) tc_ = true;
  update_irq();
}

void Stm32Usart::try_receive() {
  if (!rx_enabled() || rx_event_) return;
  SerialLine *l = line();
  if (!l) return;
  auto byte = l->receive();
  if (!byte) {
    // The line is quiet: IDLE one character time after the last character received.
    if (idle_armed_ && !idle_event_)
      idle_event_ = after(frame_cycles(), [this] {
        idle_event_ = 0;
        idle_armed_ = false;
        idle_ = true;
        update_irq();
      });
    return;
  }
  cancel(idle_event_);
  const uint16_t data = *byte;
  rx_event_ = after(frame_cycles(), [this, data] {
    rx_event_ = 0;
    rx_arrived(data);
    try_receive();
  });
}

void Stm32Usart::rx_arrived(uint16_t data) {
  idle_armed_ = true;
  if (rx_fifo_.size() >= depth()) {
    if (!(regs_.read(CR3) & OVRDIS)) ore_ = true; // the new character is lost
  } else {
    rx_fifo_.push_back(data);
  }
  update_irq(RXNE | ORE);
}

void Stm32Usart::update_irq(uint32_t again) {
  const uint32_t cr1 = regs_.read(CR1), isr = status();
  uint32_t requests = 0; // the ISR flags whose interrupt is enabled and set
  if (cr1 & TXEIE) requests |= isr & TXE;
  if (cr1 & TCIE) requests |= isr & TC;
  if (cr1 & RXNEIE) requests |= isr & (RXNE | ORE);
  if (cr1 & IDLEIE) requests |= isr & IDLE;
  if (regs_.read(CR3) & EIE) requests |= isr & ORE;
  if (cr1 & TXFEIE) requests |= isr & TXFE;
  if (cr1 & RXFFIE) requests |= isr & RXFF;
  if (requests && (!irq_level_ || (requests & again))) raise_irq(0);
  irq_level_ = requests != 0;
}

} // namespace mcusim::peripherals
