/// \file
/// Intel HEX reading (see hex_reader.h).
#include "image/hex_reader.h"

#include "image/image_segments.h"

#include "base/format.h"

#include <map>
#include <optional>

namespace mcusim {

namespace {

/// A character as it can be shown in a one-line message.
std::string shown(char c) {
  if (c >= 0x20 && c < 0x7f) return std::string("'") + c + "'";
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", unsigned(uint8_t(c)));
  return buf;
}

std::string hex2(unsigned v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02X", v & 0xFFu);
  return buf;
}

/// One decoded record: its bytes after the start code, checked for digits,
/// length and checksum.
struct Record {
  uint8_t length = 0, type = 0;
  uint16_t offset = 0;
  std::vector<uint8_t> data;
};

/// Decode one line (without its line end); nullopt and `why` on a problem.
std::optional<Record> decode(std::string_view line, std::string *why) {
  if (line.empty() || line[0] != ':') {
    *why = "bad start code " + shown(line[0]) + " (a record starts with ':')";
    return std::nullopt;
  }
  std::string_view digits = line.substr(1);
  for (size_t i = 0; i < digits.size(); ++i)
    if (text::hex_digit(digits[i]) < 0) {
      *why = "non-hex digit " + shown(digits[i]) + " at column " + std::to_string(i + 2);
      return std::nullopt;
    }
  if (digits.size() % 2) {
    *why = "odd number of hex digits (" + std::to_string(digits.size()) + ")";
    return std::nullopt;
  }
  std::vector<uint8_t> bytes(digits.size() / 2);
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = uint8_t(text::hex_digit(digits[2 * i]) << 4 | text::hex_digit(digits[2 * i + 1]));
  if (bytes.size() < 5) {
    *why = "record too short (" + std::to_string(bytes.size()) + " bytes; a record has at least 5)";
    return std::nullopt;
  }
  Record r;
  r.length = bytes[0];
  if (size_t(r.length) + 5 != bytes.size()) {
    *why = "length mismatch: the record says " + std::to_string(r.length) + " data bytes, the line holds " +
           std::to_string(bytes.size() - 5);
    return std::nullopt;
  }
  uint8_t sum = 0;
  for (size_t i = 0; i + 1 < bytes.size(); ++i) sum = uint8_t(sum + bytes[i]);
  uint8_t expected = uint8_t(-sum);
  if (bytes.back() != expected) {
    *why = "bad checksum " + hex2(bytes.back()) + " (expected " + hex2(expected) + ")";
    return std::nullopt;
  }
  r.offset = uint16_t(bytes[1] << 8 | bytes[2]);
  r.type = bytes[3];
  r.data.assign(bytes.begin() + 4, bytes.end() - 1);
  return r;
}

/// Data bytes by address, refusing overlaps; each range remembers its line.
class DataMap {
public:
  /// Empty string if added, else the problem.
  std::string add(uint32_t addr, std::vector<uint8_t> bytes, unsigned line) {
    uint64_t end = uint64_t(addr) + bytes.size();
    auto next = ranges_.lower_bound(addr);
    if (next != ranges_.end() && next->first < end) return overlap(next->first, next->second.line);
    if (next != ranges_.begin()) {
      auto prev = std::prev(next);
      if (uint64_t(prev->first) + prev->second.bytes.size() > addr) return overlap(addr, prev->second.line);
    }
    ranges_.emplace(addr, Range{std::move(bytes), line});
    return {};
  }
  /// Contiguous ranges joined into loadable segments.
  std::vector<ElfSegment> segments() const {
    std::vector<ElfSegment> out;
    for (const auto &[addr, r] : ranges_) {
      if (!out.empty() && uint64_t(out.back().paddr) + out.back().data.size() == addr) {
        out.back().data.insert(out.back().data.end(), r.bytes.begin(), r.bytes.end());
      } else {
        out.push_back(loadable_segment(addr, {}));
        out.back().data = r.bytes;
      }
    }
    for (auto &s : out) s.memsz = uint32_t(s.data.size());
    return out;
  }
  bool empty() const { return ranges_.empty(); }

private:
  struct Range {
    std::vector<uint8_t> bytes;
    unsigned line;
  };
  static std::string overlap(uint32_t at, unsigned line) {
    return "data at " + text::hex(at) + " overlaps the data of line " + std::to_string(line);
  }
  std::map<uint32_t, Range> ranges_;
};

} // namespace

Expected<ElfImage> read_intel_hex(std::string_view text, const std::string &name) {
  bool any_line = false, ended = false;
  unsigned line_no = 0, eof_line = 0;
  uint32_t base = 0; // from record 02 (segment << 4) or 04 (upper 16 bits)
  DataMap data;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line_no;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    if (line.empty()) continue;
    any_line = true;
    auto fail = [&](const std::string &why) {
      return make_error(ErrorKind::BadElf, name + ":" + std::to_string(line_no) + ": " + why);
    };
    if (ended) return fail("data after the end-of-file record (line " + std::to_string(eof_line) + ")");
    std::string why;
    auto r = decode(line, &why);
    if (!r) return fail(why);
    auto need = [&](unsigned n) -> std::string {
      if (r->length == n) return {};
      return "record type " + hex2(r->type) + " needs " + std::to_string(n) + " data bytes, has " + std::to_string(r->length);
    };
    switch (r->type) {
    case 0x00: {
      uint64_t addr = uint64_t(base) + r->offset;
      if (addr + r->data.size() > 0x100000000ull) return fail("data at " + text::hex(uint32_t(addr)) + " extends past 4 GiB");
      if (r->data.empty()) break;
      if (auto p = data.add(uint32_t(addr), std::move(r->data), line_no); !p.empty()) return fail(p);
      break;
    }
    case 0x01:
      if (auto p = need(0); !p.empty()) return fail(p);
      ended = true;
      eof_line = line_no;
      break;
    case 0x02:
      if (auto p = need(2); !p.empty()) return fail(p);
      base = uint32_t(r->data[0] << 8 | r->data[1]) << 4;
      break;
    case 0x04:
      if (auto p = need(2); !p.empty()) return fail(p);
      base = uint32_t(r->data[0] << 8 | r->data[1]) << 16;
      break;
    case 0x03:
    case 0x05:
      // The start address: a Cortex-M starts from its vector table, so the
      // record is checked and otherwise ignored.
      if (auto p = need(4); !p.empty()) return fail(p);
      break;
    default: return fail("unknown record type " + hex2(r->type));
    }
  }
  if (!any_line) return make_error(ErrorKind::BadElf, name + ": empty file");
  if (!ended)
    return make_error(ErrorKind::BadElf, name + ":" + std::to_string(line_no) +
                                             ": no end-of-file record (type 01): the file is truncated");
  if (data.empty()) return make_error(ErrorKind::BadElf, name + ": no data records: nothing to load");
  ElfImage img;
  img.path = name;
  img.segments = data.segments();
  img.entry = entry_from_vector_table(img);
  return img;
}

} // namespace mcusim
