#include "run_types.h"

#include "base/format.h"

#include <QRegularExpression>

#include <cmath>
#include <limits>

namespace mcusim::gui {

RunSummary RunSummary::from(const RunSetup &setup, const RunResult &r, const std::string &fault_text) {
  RunSummary s;
  s.setup = setup;
  s.reason = r.reason;
  s.exit_code = r.exit_code;
  s.message = QString::fromStdString(r.message);
  if (r.fault) s.fault_text = QString::fromStdString(fault_text);
  s.instructions = r.instructions;
  s.cycles = r.cycles;
  s.sleep_cycles = r.sleep_cycles;
  s.hz = r.hz;
  s.simulated_seconds = r.simulated_seconds();
  s.wall_seconds = r.wall_seconds;
  s.mips = r.mips_known() ? r.mips() : std::numeric_limits<double>::quiet_NaN();
  return s;
}

QString thousands(uint64_t value) { return QString::fromStdString(text::thousands(value)); }

QString format_seconds(double seconds) {
  if (!std::isfinite(seconds)) return QStringLiteral("—");
  double a = std::fabs(seconds);
  if (a == 0) return QStringLiteral("0 s");
  if (a < 1e-6) return QString::number(seconds * 1e9, 'f', 3) + QStringLiteral(" ns");
  if (a < 1e-3) return QString::number(seconds * 1e6, 'f', 3) + QStringLiteral(" µs");
  if (a < 1) return QString::number(seconds * 1e3, 'f', 3) + QStringLiteral(" ms");
  return QString::number(seconds, 'f', 3) + QStringLiteral(" s");
}

QString format_hz(double hz) {
  if (hz <= 0) return QStringLiteral("—");
  return QString::number(hz / 1e6, 'g', 6) + QStringLiteral(" MHz");
}

QString describe_stop(const RunSummary &s) {
  switch (s.reason) {
  case StopReason::Exited: return QStringLiteral("exited with code %1").arg(s.exit_code);
  case StopReason::Stopped: return QStringLiteral("stopped on request");
  default: return QString::fromUtf8(stop_reason_name(s.reason));
  }
}

std::optional<uint64_t> parse_count(const QString &text) {
  QString t = text.trimmed();
  t.remove(QLatin1Char(',')).remove(QLatin1Char('_')).remove(QLatin1Char(' '));
  if (t.isEmpty()) return 0;
  static const QRegularExpression re(QStringLiteral("^([0-9]+(?:\\.[0-9]+)?)([kKmMgG]?)$"));
  auto m = re.match(t);
  if (!m.hasMatch()) return std::nullopt;
  const QString number = m.captured(1), suffix = m.captured(2).toLower();
  double scale = suffix == QLatin1String("k") ? 1e3 : suffix == QLatin1String("m") ? 1e6 : suffix == QLatin1String("g") ? 1e9 : 1;
  if (scale == 1) {
    if (number.contains(QLatin1Char('.'))) return std::nullopt; // a fraction of an instruction
    bool ok = false;
    qulonglong v = number.toULongLong(&ok);
    if (!ok) return std::nullopt;
    return uint64_t(v);
  }
  bool ok = false;
  double v = number.toDouble(&ok) * scale;
  if (!ok || v >= double(std::numeric_limits<uint64_t>::max())) return std::nullopt;
  if (v != std::floor(v)) return std::nullopt;
  return uint64_t(v);
}

} // namespace mcusim::gui
