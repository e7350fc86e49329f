/// \file
/// `--uart-script NAME=FILE`: a conversation with the firmware over one of
/// its UARTs, as a person at a terminal (or Renode's "Wait For Line On Uart")
/// would hold it. The file is a list of steps, one per line:
///
///     # a comment; blank lines are skipped
///     send help\r\n        bytes the firmware receives, at its baud rate
///     expect > \n          wait until the firmware has sent this text
///
/// Sends before the first expect are queued at the start of the run; the
/// sends after an expect are queued when the firmware's output meets it.
/// TEXT is the rest of the line after one space, with the escapes \n \r \t
/// \\ \s (a space, for text that ends in one) and \xHH. An expect the
/// firmware never meets by the end of the run is an error (docs/cli.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mcusim::session {

struct ScriptStep {
  enum class Kind { Send, Expect };
  Kind kind = Kind::Send;
  std::string text; ///< escapes resolved
  unsigned line = 0; ///< in the file, from 1
};

/// `s` with its control characters written as escapes (\n, \xHH), for messages.
std::string escape_text(const std::string &s);

/// Parses a script's text; `error` gets "LINE: why" when it is malformed.
std::optional<std::vector<ScriptStep>> parse_uart_script(const std::string &text, std::string *error);

/// A script being played against the firmware's output.
class UartScript {
public:
  explicit UartScript(std::vector<ScriptStep> steps);
  /// The bytes to send before the firmware has said anything (the leading sends).
  std::string start();
  /// The firmware sent `byte`: the bytes to send now (the sends after an expect it met), often none.
  std::string feed(uint8_t byte);
  /// The expect still waiting, if any.
  const ScriptStep *waiting() const;
  /// What the firmware sent since the last expect met (its last 60 characters, escaped), for messages.
  std::string seen_tail() const;

private:
  std::string sends(); ///< the sends from the current step up to the next expect
  std::vector<ScriptStep> steps_;
  size_t next_ = 0;
  std::string seen_; ///< output since the last expect met (bounded)
};

} // namespace mcusim::session
