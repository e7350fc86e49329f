/// \file
/// Firmware output handed from the simulation thread to the GUI thread in
/// batches: the simulator's Console writes append here, and the GUI takes
/// everything that has accumulated at most every few tens of milliseconds.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace mcusim::gui {

class OutputBuffer {
public:
  enum class Stream { Out, Err };
  struct Chunk {
    Stream stream = Stream::Out;
    std::string text; ///< raw bytes as the firmware wrote them (normally UTF-8)
  };

  /// At most this many bytes wait for the GUI. Past it the oldest pending
  /// bytes are dropped (the output view keeps only the most recent lines
  /// anyway) and take() reports how many.
  explicit OutputBuffer(size_t max_pending = size_t(1) << 20) : max_pending_(max_pending) {}

  /// Append a write; consecutive writes to the same stream are merged.
  /// Returns true when the buffer was empty, i.e. the caller must make sure
  /// the GUI will come and take() it; later appends ride on that request.
  bool append(Stream stream, std::string_view text);

  struct Batch {
    std::vector<Chunk> chunks;
    size_t dropped = 0; ///< bytes lost since the last take()
  };
  /// Everything pending, oldest first, leaving the buffer empty.
  Batch take();

  size_t pending_bytes() const;

private:
  mutable std::mutex mu_;
  std::vector<Chunk> chunks_;
  size_t bytes_ = 0;
  size_t dropped_ = 0;
  size_t max_pending_;
  bool requested_ = false;
};

} // namespace mcusim::gui
