/// \file
/// nRF52840 UARTE: EasyDMA transmit and receive at the baud rate, through the scheduler.
#include "peripherals/nrf_uarte.h"

#include <cmath>

namespace mcusim::peripherals {

namespace {
/// nRF52840 PS, UARTE BAUDRATE: register value -> actual rate.
struct BaudEntry {
  uint32_t reg;
  double actual;
};
constexpr BaudEntry kBauds[] = {
    {0x0004F000, 1205},   {0x0009D000, 2396},   {0x0013B000, 4808},   {0x00275000, 9598},   {0x003AF000, 14401},
    {0x004EA000, 19208},  {0x0075C000, 28777},  {0x00800000, 31250},  {0x009D0000, 38369},  {0x00E50000, 55944},
    {0x00EB0000, 57554},  {0x013A9000, 76923},  {0x01D60000, 115108}, {0x03B00000, 231884}, {0x04000000, 250000},
    {0x07400000, 457143}, {0x0F000000, 941176}, {0x10000000, 1000000},
};
} // namespace

const std::vector<std::pair<const char *, uint32_t>> &NrfUarte::required() {
  static const std::vector<std::pair<const char *, uint32_t>> regs = {
      {"TASKS_STARTRX", TASKS_STARTRX}, {"TASKS_STOPRX", TASKS_STOPRX}, {"TASKS_STARTTX", TASKS_STARTTX},
      {"TASKS_STOPTX", TASKS_STOPTX},   {"EVENTS_ENDRX", EVENTS_ENDRX}, {"EVENTS_ENDTX", EVENTS_ENDTX},
      {"ENABLE", ENABLE},               {"BAUDRATE", BAUDRATE},         {"RXD_PTR", RXD_PTR},
      {"RXD_MAXCNT", RXD_MAXCNT},       {"RXD_AMOUNT", RXD_AMOUNT},     {"TXD_PTR", TXD_PTR},
      {"TXD_MAXCNT", TXD_MAXCNT},       {"TXD_AMOUNT", TXD_AMOUNT},     {"CONFIG", CONFIG}};
  return regs;
}

NrfUarte::NrfUarte(const PeripheralDesc &desc, PeripheralHost &host)
    : NrfPeripheral(desc, host,
                    {ERRORSRC, ENABLE, PSEL_RTS, PSEL_TXD, PSEL_CTS, PSEL_RXD, BAUDRATE, RXD_PTR, RXD_MAXCNT, RXD_AMOUNT, TXD_PTR,
                     TXD_MAXCNT, TXD_AMOUNT, CONFIG}) {}

void NrfUarte::reset() {
  NrfPeripheral::reset();
  tx_buf_.clear();
  tx_sent_ = 0;
  tx_busy_ = rx_busy_ = false;
  rx_count_ = 0;
  tx_event_ = rx_event_ = 0;
  if (line_) line_->set_data_ready({});
}

double NrfUarte::baud_of(uint32_t reg) {
  for (const auto &b : kBauds)
    if (b.reg == reg) return b.actual;
  return double(reg) * 16e6 / 4294967296.0;
}

unsigned NrfUarte::frame_bits() const {
  const uint32_t cfg = regs_.read(CONFIG);
  return 1 + 8 + (((cfg >> 1) & 7u) == 7u ? 1 : 0) + ((cfg >> 4) & 1u ? 2 : 1);
}

uint64_t NrfUarte::char_cycles() const {
  const double baud = baud_of(regs_.read(BAUDRATE));
  if (baud <= 0) return 1;
  return std::max<uint64_t>(1, uint64_t(std::llround(frame_bits() * host_.hz / baud)));
}

SerialLine *NrfUarte::line() {
  if (!line_looked_up_) {
    line_looked_up_ = true;
    if (host_.io.serial) line_ = host_.io.serial(name());
  }
  return line_;
}

void NrfUarte::write_owned(uint32_t offset, uint32_t value, uint32_t mask) {
  if (offset == RXD_AMOUNT || offset == TXD_AMOUNT) return; // read-only
  regs_.write(offset, value, mask);
  if (offset == ENABLE && !enabled()) {
    // Disabled: whatever was in progress stops without its end events.
    cancel(tx_event_);
    cancel(rx_event_);
    tx_busy_ = rx_busy_ = false;
  }
}

void NrfUarte::task(uint32_t offset) {
  if (!enabled()) return;
  switch (offset) {
  case TASKS_STARTTX: {
    if (tx_busy_) return;
    const uint32_t n = regs_.read(TXD_MAXCNT) & 0xFFFFu, ptr = regs_.read(TXD_PTR);
    tx_buf_.assign(n, 0);
    // EasyDMA reads Data RAM only; a buffer elsewhere (flash) sends nothing.
    if (n && !(host_.read_ram && host_.read_ram(ptr, tx_buf_.data(), n))) tx_buf_.clear();
    tx_sent_ = 0;
    tx_busy_ = true;
    regs_.set(TXD_AMOUNT, 0);
    tx_due_ = host_.now() + 1;
    tx_event_ = at_cycle(tx_due_, [this] {
      tx_event_ = 0;
      set_event(EVENTS_TXSTARTED);
      if (tx_buf_.empty()) {
        tx_busy_ = false;
        set_event(EVENTS_ENDTX);
        return;
      }
      tx_due_ += char_cycles();
      tx_event_ = at_cycle(tx_due_, [this] { tx_next(); });
    });
    return;
  }
  case TASKS_STOPTX:
    if (!tx_busy_) return;
    cancel(tx_event_);
    tx_busy_ = false;
    regs_.set(TXD_AMOUNT, uint32_t(tx_sent_));
    set_event(EVENTS_TXSTOPPED);
    return;
  case TASKS_STARTRX:
    if (rx_busy_) return;
    start_rx();
    return;
  case TASKS_STOPRX:
    if (!rx_busy_) return;
    cancel(rx_event_);
    set_event(EVENTS_RXTO);
    end_rx();
    return;
  default: return; // TASKS_FLUSHRX: the model keeps no RX FIFO
  }
}

/// The stop bit of character tx_sent_ ends now.
void NrfUarte::tx_next() {
  tx_event_ = 0;
  if (SerialLine *l = line()) l->transmit(tx_buf_[tx_sent_]);
  ++tx_sent_;
  regs_.set(TXD_AMOUNT, uint32_t(tx_sent_));
  set_event(EVENTS_TXDRDY);
  if (tx_sent_ == tx_buf_.size()) {
    tx_busy_ = false;
    set_event(EVENTS_ENDTX);
    return;
  }
  tx_due_ += char_cycles();
  tx_event_ = at_cycle(tx_due_, [this] { tx_next(); });
}

void NrfUarte::start_rx() {
  rx_busy_ = true;
  rx_count_ = 0;
  regs_.set(RXD_AMOUNT, 0);
  rx_due_ = host_.now() + 1;
  rx_event_ = at_cycle(rx_due_, [this] {
    rx_event_ = 0;
    set_event(EVENTS_RXSTARTED);
    if (!(regs_.read(RXD_MAXCNT) & 0xFFFFu)) {
      end_rx();
      return;
    }
    rx_due_ += char_cycles();
    rx_event_ = at_cycle(rx_due_, [this] { rx_poll(); });
  });
}

/// One character time has passed: take a byte from the line if one is waiting.
void NrfUarte::rx_poll() {
  rx_event_ = 0;
  if (!rx_busy_) return;
  SerialLine *l = line();
  std::optional<uint8_t> b = l ? l->receive() : std::nullopt;
  if (!b) {
    // Idle: the line wakes the receiver when input arrives (it then takes one character time).
    if (l)
      l->set_data_ready([this] {
        if (!rx_busy_ || rx_event_) return;
        rx_due_ = host_.now() + char_cycles();
        rx_event_ = at_cycle(rx_due_, [this] { rx_poll(); });
      });
    return;
  }
  const uint32_t ptr = regs_.read(RXD_PTR) + rx_count_;
  if (host_.write_ram) host_.write_ram(ptr, &*b, 1);
  ++rx_count_;
  regs_.set(RXD_AMOUNT, rx_count_);
  set_event(EVENTS_RXDRDY);
  if (rx_count_ >= (regs_.read(RXD_MAXCNT) & 0xFFFFu)) {
    end_rx();
    return;
  }
  rx_due_ += char_cycles();
  rx_event_ = at_cycle(rx_due_, [this] { rx_poll(); });
}

void NrfUarte::end_rx() {
  rx_busy_ = false;
  regs_.set(RXD_AMOUNT, rx_count_);
  set_event(EVENTS_ENDRX);
  const uint32_t sh = shorts();
  if (sh & kEndrxStartrx) start_rx();
  else if (sh & kEndrxStoprx) set_event(EVENTS_RXTO);
}

} // namespace mcusim::peripherals
