/// \file
/// mcusim-gui entry point: command line, window, and the headless
/// --screenshot mode used for checks without a display.
#include "main_window.h"
#include "run_types.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QPixmap>
#include <QTimer>

#include <cstdio>

namespace {

int usage_error(const QString &message) {
  std::fprintf(stderr, "mcusim-gui: error: %s\n", qPrintable(message));
  return 2;
}

} // namespace

int main(int argc, char **argv) {
  QApplication app(argc, argv);
  QApplication::setApplicationName(QStringLiteral("mcusim-gui"));
  QApplication::setApplicationVersion(QStringLiteral(MCUSIM_VERSION_STRING));

  QCommandLineParser parser;
  parser.setApplicationDescription(QStringLiteral("Desktop front end for the mcusim Cortex-M simulator."));
  parser.addHelpOption();
  parser.addVersionOption();
  parser.addPositionalArgument(QStringLiteral("elf"), QStringLiteral("Firmware ELF to load."), QStringLiteral("[fw.elf]"));
  QCommandLineOption device_opt({QStringLiteral("d"), QStringLiteral("device")},
                                QStringLiteral("Device name or .toml file (default: chosen from the ELF)."), QStringLiteral("NAME"));
  QCommandLineOption mhz_opt(QStringLiteral("mhz"), QStringLiteral("Core clock in MHz (default: the device's)."), QStringLiteral("MHZ"));
  QCommandLineOption limit_opt(QStringLiteral("max-instructions"), QStringLiteral("Stop after this many instructions."),
                               QStringLiteral("N"));
  QCommandLineOption timeout_opt(QStringLiteral("timeout"), QStringLiteral("Stop after this many seconds of wall-clock time."),
                                 QStringLiteral("SECONDS"));
  QCommandLineOption run_opt(QStringLiteral("run"), QStringLiteral("Start the run immediately."));
  QCommandLineOption shot_opt(QStringLiteral("screenshot"),
                              QStringLiteral("Run, wait for the run to end, save the window to FILE.png and exit "
                                             "(0: it ran; 1: it could not start or the image could not be saved)."),
                              QStringLiteral("FILE.png"));
  parser.addOptions({device_opt, mhz_opt, limit_opt, timeout_opt, run_opt, shot_opt});
  parser.process(app);

  const QStringList positional = parser.positionalArguments();
  if (positional.size() > 1) return usage_error(QStringLiteral("expected at most one ELF, got %1").arg(positional.size()));

  mcusim::gui::MainWindow window;
  if (!positional.isEmpty()) window.setElfPath(positional.front());
  if (parser.isSet(device_opt)) window.setDevice(parser.value(device_opt));
  if (parser.isSet(mhz_opt)) {
    bool ok = false;
    double mhz = parser.value(mhz_opt).toDouble(&ok);
    if (!ok || mhz <= 0) return usage_error(QStringLiteral("--mhz %1 is not a positive number").arg(parser.value(mhz_opt)));
    window.setMhz(mhz);
  }
  if (parser.isSet(limit_opt)) {
    auto n = mcusim::gui::parse_count(parser.value(limit_opt));
    if (!n) return usage_error(QStringLiteral("--max-instructions %1 is not a count").arg(parser.value(limit_opt)));
    window.setMaxInstructions(*n);
  }
  if (parser.isSet(timeout_opt)) {
    bool ok = false;
    double t = parser.value(timeout_opt).toDouble(&ok);
    if (!ok || t <= 0) return usage_error(QStringLiteral("--timeout %1 is not a positive number").arg(parser.value(timeout_opt)));
    window.setTimeout(t);
  }
  window.show();

  if (parser.isSet(shot_opt)) {
    const QString file = parser.value(shot_opt);
    auto save_and_exit = [&window, file](bool ran) {
      // Let the last output and summary updates lay out and paint first.
      QTimer::singleShot(200, &window, [&window, file, ran] {
        bool saved = window.grab().save(file, "PNG");
        if (!saved) std::fprintf(stderr, "mcusim-gui: error: cannot write the screenshot to %s\n", qPrintable(file));
        QCoreApplication::exit(ran && saved ? 0 : 1);
      });
    };
    QObject::connect(&window, &mcusim::gui::MainWindow::runEnded, &window, save_and_exit);
    QTimer::singleShot(0, &window, [&window, save_and_exit] {
      if (!window.startRun()) save_and_exit(false);
    });
  } else if (parser.isSet(run_opt)) {
    QTimer::singleShot(0, &window, [&window] { window.startRun(); });
  }
  return app.exec();
}
