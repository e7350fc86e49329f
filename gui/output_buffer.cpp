#include "output_buffer.h"

#include <algorithm>

namespace mcusim::gui {

bool OutputBuffer::append(Stream stream, std::string_view text) {
  if (text.empty()) return false;
  std::lock_guard lock(mu_);
  if (!chunks_.empty() && chunks_.back().stream == stream) chunks_.back().text.append(text);
  else chunks_.push_back(Chunk{stream, std::string(text)});
  bytes_ += text.size();
  // Over the limit: drop from the front so the newest output survives.
  while (bytes_ > max_pending_ && !chunks_.empty()) {
    Chunk &front = chunks_.front();
    size_t cut = std::min(front.text.size(), bytes_ - max_pending_);
    if (cut == front.text.size()) {
      chunks_.erase(chunks_.begin());
    } else {
      front.text.erase(0, cut);
    }
    bytes_ -= cut;
    dropped_ += cut;
  }
  bool first = !requested_;
  requested_ = true;
  return first;
}

OutputBuffer::Batch OutputBuffer::take() {
  std::lock_guard lock(mu_);
  Batch b;
  b.chunks.swap(chunks_);
  b.dropped = dropped_;
  bytes_ = 0;
  dropped_ = 0;
  requested_ = false;
  return b;
}

size_t OutputBuffer::pending_bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

} // namespace mcusim::gui
