/// \file
/// nRF52840 UARTE0/1 (model "nrf-uarte", nRF52840 PS, "UARTE - Universal asynchronous receiver/transmitter with EasyDMA"): UART with
/// EasyDMA. ENABLE = 8 enables it; BAUDRATE takes the PS table's register
/// values (timing uses the table's actual rate); CONFIG.PARITY and
/// CONFIG.STOP add a bit to the character. TASKS_STARTTX reads TXD.MAXCNT
/// bytes from RAM at TXD.PTR (EasyDMA: PeripheralHost::read_ram), gives
/// EVENTS_TXSTARTED, then one character per character time to the host line
/// (PeripheralIo::serial(name)) with EVENTS_TXDRDY, and EVENTS_ENDTX with
/// TXD.AMOUNT after the last; TASKS_STOPTX ends it early (EVENTS_TXSTOPPED).
/// TASKS_STARTRX gives EVENTS_RXSTARTED and receives from the line into RAM
/// at RXD.PTR, one character time apart (EVENTS_RXDRDY), EVENTS_ENDRX with
/// RXD.AMOUNT after RXD.MAXCNT bytes (SHORTS ENDRX_STARTRX restarts it);
/// TASKS_STOPRX gives EVENTS_RXTO and ENDRX with what was received.
#pragma once

#include "peripherals/nrf_peripheral.h"

#include <vector>

namespace mcusim::peripherals {

class NrfUarte final : public NrfPeripheral {
public:
  static constexpr uint32_t TASKS_STARTRX = 0x000, TASKS_STOPRX = 0x004, TASKS_STARTTX = 0x008, TASKS_STOPTX = 0x00C,
                            TASKS_FLUSHRX = 0x02C;
  static constexpr uint32_t EVENTS_RXDRDY = 0x108, EVENTS_ENDRX = 0x110, EVENTS_TXDRDY = 0x11C, EVENTS_ENDTX = 0x120,
                            EVENTS_ERROR = 0x124, EVENTS_RXTO = 0x144, EVENTS_RXSTARTED = 0x14C, EVENTS_TXSTARTED = 0x150,
                            EVENTS_TXSTOPPED = 0x158;
  static constexpr uint32_t ERRORSRC = 0x480, ENABLE = 0x500, PSEL_RTS = 0x508, PSEL_TXD = 0x50C, PSEL_CTS = 0x510,
                            PSEL_RXD = 0x514, BAUDRATE = 0x524, RXD_PTR = 0x534, RXD_MAXCNT = 0x538, RXD_AMOUNT = 0x53C,
                            TXD_PTR = 0x544, TXD_MAXCNT = 0x548, TXD_AMOUNT = 0x54C, CONFIG = 0x56C;
  static constexpr uint32_t kEnabled = 8;
  /// SHORTS bits (PS, UARTE SHORTS).
  static constexpr uint32_t kEndrxStartrx = 1u << 5, kEndrxStoprx = 1u << 6;

  NrfUarte(const PeripheralDesc &desc, PeripheralHost &host);
  static const std::vector<std::pair<const char *, uint32_t>> &required();
  void reset() override;

  /// The baud rate of a BAUDRATE register value: the PS table's actual rate
  /// for its values, else value * 16 MHz / 2^32.
  static double baud_of(uint32_t reg);
  /// Bits per character: start, 8 data, parity if CONFIG.PARITY, 1 or 2 stop.
  unsigned frame_bits() const;
  /// Core cycles of one character at the current BAUDRATE and CONFIG.
  uint64_t char_cycles() const;

protected:
  void task(uint32_t offset) override;
  void write_owned(uint32_t offset, uint32_t value, uint32_t mask) override;

private:
  SerialLine *line();
  bool enabled() const { return (regs_.read(ENABLE) & 0xFu) == kEnabled; }
  void tx_next();
  void start_rx();
  void rx_poll();
  void end_rx();
  std::vector<uint8_t> tx_buf_;
  size_t tx_sent_ = 0;
  bool tx_busy_ = false, rx_busy_ = false;
  uint32_t rx_count_ = 0;
  Scheduler::EventId tx_event_ = 0, rx_event_ = 0;
  uint64_t tx_due_ = 0, rx_due_ = 0; ///< the cycles the pending TX and RX steps are due at
  SerialLine *line_ = nullptr;
  bool line_looked_up_ = false;
};

} // namespace mcusim::peripherals
