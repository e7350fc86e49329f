/// \file
/// --uart-script: parsing and playing a UART conversation (uart_script.h).
#include "session/uart_script.h"

#include "base/format.h"

#include <algorithm>
#include <cstdio>

namespace mcusim::session {

namespace {

/// Resolves the escapes of `in`; false with `why` set on a bad one.
bool unescape(const std::string &in, std::string &out, std::string &why) {
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '\\') {
      out += in[i];
      continue;
    }
    if (++i == in.size()) {
      why = "a lone '\\' at the end of the text";
      return false;
    }
    switch (in[i]) {
    case 'n': out += '\n'; break;
    case 'r': out += '\r'; break;
    case 't': out += '\t'; break;
    case 's': out += ' '; break;
    case '\\': out += '\\'; break;
    case 'x': {
      const int hi = i + 1 < in.size() ? text::hex_digit(in[i + 1]) : -1;
      const int lo = i + 2 < in.size() ? text::hex_digit(in[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        why = "\\x needs two hex digits";
        return false;
      }
      out += char(hi * 16 + lo);
      i += 2;
      break;
    }
    default:
      why = std::string("unknown escape '\\") + in[i] + "' (\\n \\r \\t \\s \\\\ \\xHH)";
      return false;
    }
  }
  return true;
}

} // namespace

std::string escape_text(const std::string &s) {
  std::string out;
  for (unsigned char c : s) {
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (c == '\\') out += "\\\\";
    else if (c < 0x20 || c >= 0x7F) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02X", c);
      out += hex;
    } else out += char(c);
  }
  return out;
}

std::optional<std::vector<ScriptStep>> parse_uart_script(const std::string &text, std::string *error) {
  std::vector<ScriptStep> steps;
  unsigned line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    const size_t sp = line.find(' ', first);
    const std::string word = line.substr(first, sp == std::string::npos ? std::string::npos : sp - first);
    const std::string raw = sp == std::string::npos ? "" : line.substr(sp + 1);
    auto fail = [&](const std::string &why) -> std::optional<std::vector<ScriptStep>> {
      if (error) *error = "line " + std::to_string(line_no) + ": " + why;
      return std::nullopt;
    };
    ScriptStep step;
    step.line = line_no;
    if (word == "send") step.kind = ScriptStep::Kind::Send;
    else if (word == "expect") step.kind = ScriptStep::Kind::Expect;
    else return fail("unknown step '" + word + "' (send or expect)");
    std::string why;
    if (!unescape(raw, step.text, why)) return fail(why);
    if (step.text.empty()) return fail(word + " needs a text");
    steps.push_back(std::move(step));
  }
  return steps;
}

UartScript::UartScript(std::vector<ScriptStep> steps) : steps_(std::move(steps)) {}

std::string UartScript::sends() {
  std::string out;
  while (next_ < steps_.size() && steps_[next_].kind == ScriptStep::Kind::Send) out += steps_[next_++].text;
  return out;
}

std::string UartScript::start() { return sends(); }

std::string UartScript::feed(uint8_t byte) {
  const ScriptStep *w = waiting();
  if (!w) return "";
  seen_ += char(byte);
  const std::string &want = w->text;
  if (seen_.size() >= want.size() && seen_.compare(seen_.size() - want.size(), want.size(), want) == 0) {
    seen_.clear();
    ++next_;
    return sends();
  }
  // Keep what a match or a message can still use.
  const size_t keep = std::max<size_t>(want.size(), 60);
  if (seen_.size() > 4 * keep) seen_.erase(0, seen_.size() - keep);
  return "";
}

const ScriptStep *UartScript::waiting() const { return next_ < steps_.size() ? &steps_[next_] : nullptr; }

std::string UartScript::seen_tail() const { return escape_text(seen_.size() > 60 ? seen_.substr(seen_.size() - 60) : seen_); }

} // namespace mcusim::session
