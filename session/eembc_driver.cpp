/// \file
/// The runner protocol's host end (eembc_driver.h).
#include "session/eembc_driver.h"

#include <cstdio>
#include <cstdlib>

namespace mcusim::session {

namespace {

bool starts_with(const std::string &s, const char *prefix) { return s.rfind(prefix, 0) == 0; }

/// The text between "<prefix>[" and the last "]", or nullopt.
std::optional<std::string> bracketed(const std::string &line, const std::string &prefix) {
  if (!starts_with(line, (prefix + "[").c_str()) || line.empty() || line.back() != ']') return std::nullopt;
  return line.substr(prefix.size() + 1, line.size() - prefix.size() - 2);
}

} // namespace

std::vector<std::string> eembc_commands(const EembcScript &s) {
  std::vector<std::string> out{"name", "profile"};
  const size_t chunk = s.chunk_bytes ? s.chunk_bytes : 31;
  for (unsigned w = 0; w < s.windows; ++w) {
    out.push_back("db load " + std::to_string(s.input.size()));
    for (size_t i = 0; i < s.input.size(); i += chunk) {
      std::string cmd = "db ";
      for (size_t j = i; j < s.input.size() && j < i + chunk; ++j) {
        char hex[3];
        std::snprintf(hex, sizeof hex, "%02x", s.input[j]);
        cmd += hex;
      }
      out.push_back(cmd);
    }
    out.push_back("infer " + std::to_string(s.iterations) + " " + std::to_string(s.warmups));
  }
  return out;
}

std::optional<std::vector<double>> parse_eembc_results(const std::string &line) {
  auto body = bracketed(line, "m-results-");
  if (!body) return std::nullopt;
  std::vector<double> values;
  const char *p = body->c_str();
  while (*p) {
    char *end = nullptr;
    double v = std::strtod(p, &end);
    if (end == p) return std::nullopt;
    values.push_back(v);
    p = end;
    while (*p == ' ') ++p;
    if (*p == ',') ++p;
    else if (*p) return std::nullopt;
  }
  return values;
}

EembcDriver::EembcDriver(EembcScript script, std::function<void()> done)
    : commands_(eembc_commands(script)), done_(std::move(done)) {}

void EembcDriver::transmit(uint8_t byte) {
  if (byte == '\n') {
    std::string text = partial_;
    partial_.clear();
    if (!text.empty() && text.back() == '\r') text.pop_back();
    line(text);
  } else if (partial_.size() < 4096) {
    partial_.push_back(char(byte));
  }
}

std::optional<uint8_t> EembcDriver::receive() {
  if (out_.empty()) return std::nullopt;
  uint8_t b = out_.front();
  out_.pop_front();
  return b;
}

void EembcDriver::line(const std::string &text) {
  replies_.lines.push_back(text);
  if (ended_) return;
  if (text == "m-ready") {
    replies_.ready_seen = true;
    send_next();
    return;
  }
  if (auto v = bracketed(text, "m-name-dut-")) replies_.name = *v;
  else if (auto p = bracketed(text, "m-profile-")) replies_.profile = *p;
  else if (auto m = bracketed(text, "m-model-")) replies_.model = *m;
  else if (starts_with(text, "m-lap-us-")) {
    if (!replies_.windows.empty() && starts_with(current_, "infer")) {
      replies_.windows.back().laps_us.push_back(std::strtoull(text.c_str() + 9, nullptr, 10));
      replies_.windows.back().lap_ordinals.push_back(replies_.laps);
    }
    ++replies_.laps;
  } else if (auto r = parse_eembc_results(text)) {
    if (!replies_.windows.empty()) {
      replies_.windows.back().results = *r;
      replies_.windows.back().has_results = true;
    }
  } else if (starts_with(text, "e-[")) {
    replies_.error = text.substr(3, text.size() > 4 && text.back() == ']' ? text.size() - 4 : std::string::npos);
    replies_.error_command = current_;
    replies_.error_about_input = starts_with(current_, "db") || text.find("Input db") != std::string::npos;
    finish();
  }
}

void EembcDriver::send_next() {
  if (next_ >= commands_.size()) {
    replies_.finished = true;
    finish();
    return;
  }
  current_ = commands_[next_++];
  if (starts_with(current_, "infer")) replies_.windows.emplace_back();
  for (char c : current_) out_.push_back(uint8_t(c));
  out_.push_back('%');
  notify_data_ready();
}

void EembcDriver::finish() {
  if (ended_) return;
  ended_ = true;
  if (done_) done_();
}

} // namespace mcusim::session
