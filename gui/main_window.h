/// \file
/// The mcusim-gui window: run form, firmware output and run summary.
#pragma once

#include "run_types.h"
#include "sim_runner.h"

#include <QColor>
#include <QMainWindow>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTextCharFormat;

namespace mcusim::gui {

class MainWindow : public QMainWindow {
  Q_OBJECT
public:
  explicit MainWindow(QWidget *parent = nullptr);

  void setElfPath(const QString &path);
  /// Select a device by name (or .toml path); one not in the list is added.
  void setDevice(const QString &name);
  void setMhz(double mhz);
  void setMaxInstructions(uint64_t count);
  /// Wall-clock limit for runs (no form field; 0 = none).
  void setTimeout(double seconds) { timeout_seconds_ = seconds; }

  /// Start a run from the form. False if it could not start (the reason is in
  /// the status line); otherwise runEnded() follows.
  bool startRun();
  void stopRun();
  bool isRunning() const { return runner_.isRunning(); }

Q_SIGNALS:
  /// The run started by startRun() is over: ok is false if it never got going.
  void runEnded(bool ok);

protected:
  void closeEvent(QCloseEvent *event) override;

private:
  void browse();
  void onStarted(const RunSetup &setup);
  void onOutput(const QString &text, bool is_stderr);
  void onOutputDropped(qulonglong bytes);
  void onProgress(const RunProgress &progress);
  void onFailed(const QString &message);
  void onFinished(const RunSummary &summary);

  void setRunning(bool running);
  void clearSummary();
  void appendText(const QString &text, const QTextCharFormat &format);
  void appendNote(const QString &text, const QColor &color);
  void setStatus(const QString &text, const QColor &color = QColor());

  SimRunner runner_;

  QLineEdit *elf_edit_ = nullptr;
  QPushButton *browse_button_ = nullptr;
  QComboBox *device_combo_ = nullptr;
  QDoubleSpinBox *mhz_spin_ = nullptr;
  QLineEdit *limit_edit_ = nullptr;
  QLineEdit *db_edit_ = nullptr; ///< the run database (empty: the default)
  QPushButton *run_button_ = nullptr;
  QPushButton *stop_button_ = nullptr;
  QPlainTextEdit *output_ = nullptr;
  QLabel *status_ = nullptr;

  struct SummaryLabels {
    QLabel *device, *core, *clock, *stop, *instructions, *cycles, *simulated, *wall, *mips;
  } summary_{};
  bool output_ends_with_newline_ = true;
  double timeout_seconds_ = 0;
};

} // namespace mcusim::gui
