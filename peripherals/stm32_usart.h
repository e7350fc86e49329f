/// \file
/// STM32 USART and LPUART with the L4+ register layout (models "stm32-usart"
/// and "stm32-lpuart", RM0432 chapters 'USART' and 'LPUART', for the STM32L4R5):
/// the transmitter and receiver as HAL_UART_Transmit/Receive (polling) and
/// their _IT variants use them.
///
/// - CR1.UE/TE/RE enable the block, its transmitter and receiver; ISR.TEACK
///   and REACK follow TE and RE at once (HAL's UART_CheckIdleState waits on them).
/// - A character lasts (start + data + stop bits) bit times; the data bits
///   (CR1.M1:M0: 7, 8 or 9) include the parity bit when CR1.PCE is set, as on
///   the hardware; stop bits from CR2.STOP. A bit time is BRR kernel clock
///   cycles (USART, 16x oversampling), BRR[15:4] plus BRR[2:0] as the halved
///   fraction (USART, CR1.OVER8: 8x), or BRR / 256 (LPUART), times the PRESC
///   divider; the kernel clock comes from the RCC (`clock_hz(name)`: the
///   CCIPR selection, else PCLK1/PCLK2 by bus), the core clock without one.
/// - TX: TDR feeds a queue of 1 (CR1.FIFOEN: the 8-deep TXFIFO); the shift
///   register takes the next character when the previous one's stop bit ends
///   (event scheduler), and the line's transmit() gets it then. ISR.TXE
///   (TXFNF) is set while the queue has room, TC once the shift register and
///   the queue are both empty; a TDR write clears TC.
/// - RX: while RE and UE are set and no character is on the wire, the model
///   asks the line's receive(); a byte it gets arrives one character time
///   later in RDR (RXNE/RXFNE); a character arriving with RDR (the RXFIFO)
///   full sets ORE and is lost (CR3.OVRDIS: not flagged). IDLE is set one
///   character time after the last character of a burst.
/// - The interrupt (the block's first IRQ) is pended when one of TXE&TXEIE,
///   TC&TCIE, (RXNE|ORE)&RXNEIE, IDLE&IDLEIE, ORE&EIE, TXFE&TXFEIE,
///   RXFF&RXFFIE becomes true, and when TDR is written while TXE&TXEIE stays
///   set (the shift register took the character at once).
#pragma once

#include "peripherals/peripheral.h"

#include <deque>

namespace mcusim::peripherals {

class Stm32Usart final : public Peripheral {
public:
  // Register offsets (RM0432 'USART register map'; 'LPUART register map': GTPR and RTOR reserved).
  static constexpr uint32_t CR1 = 0x00, CR2 = 0x04, CR3 = 0x08, BRR = 0x0C, GTPR = 0x10, RTOR = 0x14, RQR = 0x18, ISR = 0x1C,
                            ICR = 0x20, RDR = 0x24, TDR = 0x28, PRESC = 0x2C;
  /// Depth of the TX and RX FIFOs when CR1.FIFOEN is set (RM0432 'USART FIFOs and thresholds').
  static constexpr size_t kFifoDepth = 8;

  Stm32Usart(const PeripheralDesc &desc, PeripheralHost &host, bool lpuart);
  static const std::vector<std::pair<const char *, uint32_t>> &required();

  void reset() override;
  bool models(uint32_t offset) const override;
  uint32_t read_register(uint32_t offset) override;
  void write_register(uint32_t offset, uint32_t value, uint32_t mask) override;
  void connect(PeripheralBus &bus) override;

  /// Bits of one character on the wire (start + data + stop; 0.5 and 1.5 stop bits allowed).
  double frame_bits() const;
  /// One bit in kernel clock cycles, from BRR, CR1.OVER8 and PRESC.
  double bit_kernel_cycles() const;
  /// The kernel clock (Hz): the RCC's answer for the block's name, else the core clock.
  double kernel_hz() const;
  /// The baud rate the registers select (kernel_hz() / bit_kernel_cycles()).
  double baud() const { return kernel_hz() / bit_kernel_cycles(); }
  /// One character in core cycles at the run's clock (at least 1).
  uint64_t frame_cycles() const;

private:
  bool enabled() const;     ///< CR1.UE
  bool tx_enabled() const;  ///< UE and TE
  bool rx_enabled() const;  ///< UE and RE
  size_t depth() const;     ///< 1, or kFifoDepth with CR1.FIFOEN
  uint32_t status() const;  ///< ISR as it reads now
  SerialLine *line();
  void start_tx();
  void tx_done();
  void try_receive();
  void rx_arrived(uint16_t data);
  /// Recompute the interrupt request; pend it on a rising edge, or when one
  /// of the ISR flags in `again` requests it anew (a new character, TDR refilled).
  void update_irq(uint32_t again = 0);
  /// UE cleared: every flag back to its reset state, the queues and the characters in flight dropped.
  void stop_all();

  const bool lpuart_;
  PeripheralBus *bus_ = nullptr;
  SerialLine *line_ = nullptr;
  bool line_asked_ = false;
  std::deque<uint16_t> tx_fifo_, rx_fifo_;
  uint16_t last_rdr_ = 0;
  Scheduler::EventId tx_event_ = 0, rx_event_ = 0, idle_event_ = 0;
  bool tc_ = true, ore_ = false, idle_ = false;
  bool idle_armed_ = false; ///< a character arrived since IDLE was last set
  bool irq_level_ = false;
};

} // namespace mcusim::peripherals
