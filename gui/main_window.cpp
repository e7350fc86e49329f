#include "main_window.h"

#include <cmath>

#include "base/device.h"
#include "session/session.h"

#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSplitter>
#include <QStatusBar>
#include <QTextCursor>
#include <QVBoxLayout>

namespace mcusim::gui {

namespace {

const QColor kErrorColor(0xc0, 0x10, 0x10);
const QColor kStderrColor(0xa0, 0x52, 0x2d);
const QColor kNoteColor(0x60, 0x60, 0x60);
const QColor kOkColor(0x10, 0x80, 0x30);
const QColor kWarnColor(0xb0, 0x60, 0x00);
const QString kAutoDeviceText = QStringLiteral("auto (from the ELF)");
constexpr int kMaxOutputLines = 20000;

/// MHz without trailing zeros ("168 MHz", "0.032768 MHz"); 0 reads "device default".
class MhzSpinBox final : public QDoubleSpinBox {
public:
  using QDoubleSpinBox::QDoubleSpinBox;
  QString textFromValue(double value) const override { return QString::number(value, 'g', 10); }
};

/// A one-line label that shows "…" where its text does not fit instead of
/// widening the window; the full text is in the tooltip.
class ElidedLabel final : public QLabel {
public:
  using QLabel::QLabel;
  QSize minimumSizeHint() const override { return QSize(0, QLabel::minimumSizeHint().height()); }

protected:
  void paintEvent(QPaintEvent *) override {
    QPainter p(this);
    p.setPen(palette().color(foregroundRole()));
    const QRect r = contentsRect();
    p.drawText(r, Qt::AlignLeft | Qt::AlignVCenter, fontMetrics().elidedText(text(), Qt::ElideRight, r.width()));
  }
};

QLabel *valueLabel() {
  auto *l = new QLabel(QStringLiteral("—"));
  l->setTextInteractionFlags(Qt::TextSelectableByMouse);
  return l;
}

void setColored(QLabel *label, const QString &text, const QColor &color = QColor()) {
  label->setText(text);
  QPalette pal = QApplication::palette(label);
  if (color.isValid()) pal.setColor(QPalette::WindowText, color);
  label->setPalette(pal);
}

} // namespace

MainWindow::MainWindow(QWidget *parent) : QMainWindow(parent) {
  setWindowTitle(QStringLiteral("mcusim-gui"));

  // --- Run form ----------------------------------------------------------------------------
  elf_edit_ = new QLineEdit;
  elf_edit_->setPlaceholderText(QStringLiteral("firmware ELF (Cortex-M)"));
  elf_edit_->setClearButtonEnabled(true);
  browse_button_ = new QPushButton(QStringLiteral("Browse…"));

  device_combo_ = new QComboBox;
  device_combo_->addItem(kAutoDeviceText, QString());
  device_combo_->setItemData(0, QStringLiteral("Pick a generic device from the ELF's build attributes and load addresses"),
                             Qt::ToolTipRole);
  std::vector<Error> device_errors;
  for (const Device &d : list_devices(&device_errors)) {
    QString name = QString::fromStdString(d.name);
    device_combo_->addItem(QStringLiteral("%1  (%2, %3)").arg(name, QString::fromUtf8(core_display_name(d.core)),
                                                              format_hz(d.default_mhz * 1e6)),
                           name);
    device_combo_->setItemData(device_combo_->count() - 1, QString::fromStdString(d.title), Qt::ToolTipRole);
  }
  device_combo_->setSizeAdjustPolicy(QComboBox::AdjustToContents);

  mhz_spin_ = new MhzSpinBox;
  mhz_spin_->setRange(0, 100000);
  mhz_spin_->setDecimals(6);
  mhz_spin_->setSingleStep(1);
  mhz_spin_->setSpecialValueText(QStringLiteral("device default"));
  mhz_spin_->setSuffix(QStringLiteral(" MHz"));
  mhz_spin_->setToolTip(QStringLiteral("Core clock; 0 = the device's default"));

  limit_edit_ = new QLineEdit;
  limit_edit_->setPlaceholderText(QStringLiteral("no limit"));
  limit_edit_->setToolTip(QStringLiteral("Stop after this many instructions (e.g. 5000000, 250k, 10M); empty or 0 = no limit"));
  limit_edit_->setMaximumWidth(140);

  db_edit_ = new QLineEdit;
  db_edit_->setPlaceholderText(QString::fromUtf8(session::kDefaultRunDatabase));
  db_edit_->setToolTip(QStringLiteral("Run database every run is stored in, as by 'mcusim run --db'; empty = %1 in the working directory")
                           .arg(QString::fromUtf8(session::kDefaultRunDatabase)));

  run_button_ = new QPushButton(QStringLiteral("Run"));
  run_button_->setDefault(true);
  stop_button_ = new QPushButton(QStringLiteral("Stop"));
  stop_button_->setEnabled(false);

  auto *file_row = new QHBoxLayout;
  file_row->addWidget(new QLabel(QStringLiteral("Firmware:")));
  file_row->addWidget(elf_edit_, 1);
  file_row->addWidget(browse_button_);
  file_row->addSpacing(12);
  file_row->addWidget(new QLabel(QStringLiteral("Run database:")));
  file_row->addWidget(db_edit_);

  auto *options_row = new QHBoxLayout;
  options_row->addWidget(new QLabel(QStringLiteral("Device:")));
  options_row->addWidget(device_combo_);
  options_row->addSpacing(12);
  options_row->addWidget(new QLabel(QStringLiteral("Clock:")));
  options_row->addWidget(mhz_spin_);
  options_row->addSpacing(12);
  options_row->addWidget(new QLabel(QStringLiteral("Instruction limit:")));
  options_row->addWidget(limit_edit_);
  options_row->addStretch(1);
  options_row->addWidget(run_button_);
  options_row->addWidget(stop_button_);

  // --- Output ------------------------------------------------------------------------------
  output_ = new QPlainTextEdit;
  output_->setReadOnly(true);
  output_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  output_->setMaximumBlockCount(kMaxOutputLines);
  output_->setLineWrapMode(QPlainTextEdit::WidgetWidth);
  output_->setPlaceholderText(QStringLiteral("The firmware's console output appears here."));
  auto *output_box = new QGroupBox(QStringLiteral("Console output"));
  auto *output_layout = new QVBoxLayout(output_box);
  output_layout->addWidget(output_);

  // --- Summary -----------------------------------------------------------------------------
  auto *summary_box = new QGroupBox(QStringLiteral("Run summary"));
  auto *form = new QFormLayout(summary_box);
  form->setLabelAlignment(Qt::AlignRight);
  summary_.device = valueLabel();
  summary_.core = valueLabel();
  summary_.clock = valueLabel();
  summary_.stop = valueLabel();
  summary_.stop->setWordWrap(true);
  summary_.instructions = valueLabel();
  summary_.cycles = valueLabel();
  summary_.cycles->setWordWrap(true);
  summary_.simulated = valueLabel();
  summary_.wall = valueLabel();
  summary_.mips = valueLabel();
  form->addRow(QStringLiteral("Device:"), summary_.device);
  form->addRow(QStringLiteral("Core:"), summary_.core);
  form->addRow(QStringLiteral("Clock:"), summary_.clock);
  form->addRow(QStringLiteral("Result:"), summary_.stop);
  form->addRow(QStringLiteral("Instructions:"), summary_.instructions);
  form->addRow(QStringLiteral("Cycles:"), summary_.cycles);
  form->addRow(QStringLiteral("Simulated time:"), summary_.simulated);
  form->addRow(QStringLiteral("Wall time:"), summary_.wall);
  form->addRow(QStringLiteral("MIPS:"), summary_.mips);
  summary_box->setMinimumWidth(280);

  auto *splitter = new QSplitter(Qt::Horizontal);
  splitter->addWidget(output_box);
  splitter->addWidget(summary_box);
  splitter->setStretchFactor(0, 3);
  splitter->setStretchFactor(1, 1);
  splitter->setChildrenCollapsible(false);

  auto *central = new QWidget;
  auto *layout = new QVBoxLayout(central);
  layout->addLayout(file_row);
  layout->addLayout(options_row);
  layout->addWidget(splitter, 1);
  setCentralWidget(central);

  status_ = new ElidedLabel;
  statusBar()->addWidget(status_, 1);
  statusBar()->setSizeGripEnabled(true);

  resize(1000, 620);

  // --- Wiring ------------------------------------------------------------------------------
  connect(browse_button_, &QPushButton::clicked, this, &MainWindow::browse);
  connect(run_button_, &QPushButton::clicked, this, [this] { startRun(); });
  connect(stop_button_, &QPushButton::clicked, this, &MainWindow::stopRun);
  connect(elf_edit_, &QLineEdit::returnPressed, this, [this] { startRun(); });
  connect(limit_edit_, &QLineEdit::returnPressed, this, [this] { startRun(); });
  connect(&runner_, &SimRunner::started, this, &MainWindow::onStarted);
  connect(&runner_, &SimRunner::output, this, &MainWindow::onOutput);
  connect(&runner_, &SimRunner::outputDropped, this, &MainWindow::onOutputDropped);
  connect(&runner_, &SimRunner::progress, this, &MainWindow::onProgress);
  connect(&runner_, &SimRunner::failed, this, &MainWindow::onFailed);
  connect(&runner_, &SimRunner::finished, this, &MainWindow::onFinished);

  if (!device_errors.empty()) {
    QString first = QString::fromStdString(device_errors.front().message);
    setStatus(device_errors.size() == 1 ? QStringLiteral("Skipped a device description: %1").arg(first)
                                        : QStringLiteral("Skipped %1 device descriptions; first: %2").arg(device_errors.size()).arg(first),
              kWarnColor);
  } else if (device_combo_->count() == 1) {
    setStatus(QStringLiteral("No device descriptions found (set MCUSIM_DEVICES_DIR); only automatic device choice is available"),
              kWarnColor);
  } else {
    setStatus(QStringLiteral("Ready"));
  }
}

void MainWindow::setElfPath(const QString &path) {
  elf_edit_->setText(path);
  setWindowTitle(path.isEmpty() ? QStringLiteral("mcusim-gui")
                                : QStringLiteral("%1 — mcusim-gui").arg(QFileInfo(path).fileName()));
}

void MainWindow::setDevice(const QString &name) {
  if (name.isEmpty()) {
    device_combo_->setCurrentIndex(0);
    return;
  }
  for (int i = 1; i < device_combo_->count(); ++i) {
    if (device_combo_->itemData(i).toString().compare(name, Qt::CaseInsensitive) == 0) {
      device_combo_->setCurrentIndex(i);
      return;
    }
  }
  // A .toml path or a name not on the search path: keep it, find_device decides.
  device_combo_->addItem(name, name);
  device_combo_->setCurrentIndex(device_combo_->count() - 1);
}

void MainWindow::setMhz(double mhz) { mhz_spin_->setValue(mhz); }

void MainWindow::setMaxInstructions(uint64_t count) { limit_edit_->setText(count ? QString::number(count) : QString()); }

bool MainWindow::startRun() {
  if (runner_.isRunning()) return false;
  auto fail = [this](const QString &message) {
    setStatus(QStringLiteral("Error: %1").arg(message), kErrorColor);
    appendNote(message, kErrorColor);
    return false;
  };

  RunRequest req;
  req.elf_path = elf_edit_->text().trimmed();
  req.device = device_combo_->currentData().toString();
  req.mhz = mhz_spin_->value();
  req.timeout_seconds = timeout_seconds_;
  req.db_path = db_edit_->text().trimmed();
  output_->clear();
  output_ends_with_newline_ = true;
  clearSummary();
  if (req.elf_path.isEmpty()) return fail(QStringLiteral("no firmware ELF selected"));
  auto limit = parse_count(limit_edit_->text());
  if (!limit) return fail(QStringLiteral("instruction limit \"%1\" is not a count (e.g. 5000000, 250k, 10M)").arg(limit_edit_->text()));
  req.max_instructions = *limit;

  setElfPath(req.elf_path);
  if (!runner_.start(req)) return false;
  setRunning(true);
  setStatus(QStringLiteral("Starting %1…").arg(QFileInfo(req.elf_path).fileName()));
  return true;
}

void MainWindow::stopRun() {
  if (!runner_.isRunning()) return;
  runner_.stop();
  stop_button_->setEnabled(false);
  setStatus(QStringLiteral("Stopping…"));
}

void MainWindow::closeEvent(QCloseEvent *event) {
  runner_.stop(); // the runner joins its thread when the window is destroyed
  event->accept();
}

void MainWindow::browse() {
  QString start = elf_edit_->text().isEmpty() ? QString() : QFileInfo(elf_edit_->text()).absolutePath();
  QString path = QFileDialog::getOpenFileName(this, QStringLiteral("Open firmware"), start,
                                              QStringLiteral("ELF files (*.elf *.axf *.out);;All files (*)"));
  if (!path.isEmpty()) setElfPath(path);
}

void MainWindow::onStarted(const RunSetup &setup) {
  summary_.device->setText(setup.device);
  summary_.device->setToolTip(setup.device_title);
  summary_.core->setText(setup.core);
  summary_.clock->setText(format_hz(setup.hz));
  setColored(summary_.stop, QStringLiteral("running…"));
  if (!setup.explanation.isEmpty()) appendNote(setup.explanation, kNoteColor);
  setStatus(QStringLiteral("Running %1 on %2 at %3…")
                .arg(QFileInfo(setup.elf_path).fileName(), setup.device, format_hz(setup.hz)));
}

void MainWindow::onOutput(const QString &text, bool is_stderr) {
  QString t = text;
  t.remove(QLatin1Char('\r'));
  QTextCharFormat format;
  if (is_stderr) format.setForeground(kStderrColor);
  appendText(t, format);
}

void MainWindow::onOutputDropped(qulonglong bytes) {
  appendNote(QStringLiteral("[%1 bytes of output dropped: the firmware wrote faster than the window could show]")
                 .arg(thousands(bytes)),
             kWarnColor);
}

void MainWindow::onProgress(const RunProgress &p) {
  summary_.instructions->setText(thousands(p.instructions));
  summary_.cycles->setText(thousands(p.cycles));
  summary_.simulated->setText(format_seconds(p.simulated_seconds));
  summary_.wall->setText(format_seconds(p.wall_seconds));
  summary_.mips->setText(QString::number(p.mips, 'f', 1));
  setStatus(QStringLiteral("Running: %1 simulated, %2 instructions, %3 MIPS")
                .arg(format_seconds(p.simulated_seconds), thousands(p.instructions), QString::number(p.mips, 'f', 0)));
}

void MainWindow::onFailed(const QString &message) {
  setRunning(false);
  setStatus(QStringLiteral("Error: %1").arg(message), kErrorColor);
  appendNote(message, kErrorColor);
  Q_EMIT runEnded(false);
}

void MainWindow::onFinished(const RunSummary &s) {
  setRunning(false);
  summary_.device->setText(s.setup.device);
  summary_.device->setToolTip(s.setup.device_title);
  summary_.core->setText(s.setup.core);
  summary_.clock->setText(format_hz(s.hz));

  QColor color;
  switch (s.reason) {
  case StopReason::Exited: color = s.exit_code == 0 ? kOkColor : kWarnColor; break;
  case StopReason::Fault:
  case StopReason::Lockup:
  case StopReason::Internal: color = kErrorColor; break;
  default: color = kWarnColor; break;
  }
  const QString result = describe_stop(s);
  setColored(summary_.stop, result, color);
  summary_.stop->setToolTip(s.message);
  summary_.instructions->setText(thousands(s.instructions));
  summary_.cycles->setText(s.sleep_cycles ? QStringLiteral("%1 (%2 asleep)").arg(thousands(s.cycles), thousands(s.sleep_cycles))
                                          : thousands(s.cycles));
  summary_.simulated->setText(format_seconds(s.simulated_seconds));
  summary_.wall->setText(format_seconds(s.wall_seconds));
  summary_.mips->setText(std::isfinite(s.mips) ? QString::number(s.mips, 'f', 1) : QStringLiteral("—"));

  if (!s.fault_text.isEmpty()) {
    appendNote(QStringLiteral("firmware %1").arg(s.fault_text.trimmed()), kErrorColor);
  } else if (s.reason == StopReason::Stopped) {
    appendNote(s.message.isEmpty() ? result : s.message, color);
  } else if (s.reason != StopReason::Exited && !s.message.isEmpty()) {
    appendNote(QStringLiteral("stopped: %1").arg(s.message), color);
  } else if (!s.message.isEmpty()) {
    appendNote(s.message, kNoteColor);
  }
  if (s.run_id >= 0) appendNote(QStringLiteral("run %1 stored in %2").arg(s.run_id).arg(s.db_path), kNoteColor);
  const QString how = s.reason == StopReason::Exited || s.reason == StopReason::Stopped
                          ? result
                          : QStringLiteral("stopped (%1)").arg(result);
  QString status = QStringLiteral("%1 after %2 instructions").arg(how, thousands(s.instructions));
  status[0] = status[0].toUpper();
  setStatus(status, color == kOkColor ? QColor() : color);
  Q_EMIT runEnded(true);
}

void MainWindow::setRunning(bool running) {
  run_button_->setEnabled(!running);
  stop_button_->setEnabled(running);
  elf_edit_->setEnabled(!running);
  browse_button_->setEnabled(!running);
  device_combo_->setEnabled(!running);
  mhz_spin_->setEnabled(!running);
  limit_edit_->setEnabled(!running);
  db_edit_->setEnabled(!running);
}

void MainWindow::clearSummary() {
  for (QLabel *l : {summary_.device, summary_.core, summary_.clock, summary_.instructions, summary_.cycles, summary_.simulated,
                    summary_.wall, summary_.mips}) {
    l->setText(QStringLiteral("—"));
    l->setToolTip(QString());
  }
  setColored(summary_.stop, QStringLiteral("—"));
  summary_.stop->setToolTip(QString());
}

void MainWindow::appendText(const QString &text, const QTextCharFormat &format) {
  if (text.isEmpty()) return;
  QScrollBar *bar = output_->verticalScrollBar();
  const bool follow = bar->value() >= bar->maximum() - 2;
  QTextCursor cursor(output_->document());
  cursor.movePosition(QTextCursor::End);
  cursor.insertText(text, format);
  output_ends_with_newline_ = text.endsWith(QLatin1Char('\n'));
  if (follow) bar->setValue(bar->maximum());
}

void MainWindow::appendNote(const QString &text, const QColor &color) {
  QTextCharFormat format;
  format.setForeground(color);
  QString t = text;
  if (!output_ends_with_newline_) t.prepend(QLatin1Char('\n'));
  if (!t.endsWith(QLatin1Char('\n'))) t.append(QLatin1Char('\n'));
  appendText(t, format);
}

void MainWindow::setStatus(const QString &text, const QColor &color) {
  // One line: the core's messages are single lines, but keep any stray newline out.
  QString line = text;
  line.replace(QLatin1Char('\n'), QLatin1Char(' '));
  setColored(status_, line, color);
  status_->setToolTip(line);
}

} // namespace mcusim::gui
