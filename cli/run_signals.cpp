/// \file
/// Signal handling for `mcusim run` (see run_signals.h).
#include "cli/run_signals.h"

#include "core/simulator.h"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <mutex>
#include <thread>

#include <pthread.h>
#include <semaphore.h>

namespace mcusim::cli {

namespace {

constexpr int kStopSignals[] = {SIGINT, SIGTERM, SIGHUP};

// Shared with the handler: a lock-free atomic and a semaphore (sem_post is
// async-signal-safe). Nothing else happens in the handler.
std::atomic<int> g_signal{0};
static_assert(std::atomic<int>::is_always_lock_free);
sem_t g_wake;

extern "C" void on_stop_signal(int signo) {
  const int saved = errno; // the interrupted code may be about to read errno
  int none = 0;
  g_signal.compare_exchange_strong(none, signo); // the first signal names the stop
  sem_post(&g_wake);
  errno = saved;
}

struct Watcher {
  std::mutex mutex;
  Simulator *sim = nullptr;
  bool quit = false;
  bool output_closed = false;
  std::thread thread;
};
Watcher *g_watcher = nullptr;

void install(bool restart) {
  struct sigaction sa = {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = restart ? SA_RESTART : 0;
  for (int sig : kStopSignals) sigaction(sig, &sa, nullptr);
}

void deliver(Watcher &w) {
  // Under w.mutex.
  if (!w.sim) return;
  if (int sig = g_signal.load()) w.sim->request_stop(RunSignals::stop_cause(sig));
}

} // namespace

std::string RunSignals::stop_cause(int signo) {
  switch (signo) {
  case SIGINT: return "interrupted by SIGINT";
  case SIGTERM: return "stopped by SIGTERM";
  case SIGHUP: return "stopped by SIGHUP";
  case SIGPIPE: return "stopped by SIGPIPE (output closed)";
  }
  return "stopped by signal " + std::to_string(signo);
}

RunSignals::RunSignals() {
  g_signal = 0;
  sem_init(&g_wake, 0, 0);
  g_watcher = new Watcher;
  // The watcher takes no signals, so they interrupt the main thread (a
  // blocking read of stdin for the firmware returns EINTR).
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old);
  Watcher *w = g_watcher;
  w->thread = std::thread([w] {
    for (;;) {
      while (sem_wait(&g_wake) != 0 && errno == EINTR) {
      }
      std::lock_guard lock(w->mutex);
      if (w->quit) return;
      deliver(*w);
    }
  });
  pthread_sigmask(SIG_SETMASK, &old, nullptr);

  install(false); // no SA_RESTART while a run is attached: a blocking read of stdin returns
  std::signal(SIGPIPE, SIG_IGN);
}

RunSignals::~RunSignals() {
  struct sigaction sa = {};
  sa.sa_handler = SIG_DFL;
  sigemptyset(&sa.sa_mask);
  for (int sig : kStopSignals) sigaction(sig, &sa, nullptr);
  // SIGPIPE stays ignored: the summary and the exit-time flush of a closed
  // stdout must not kill the process after the run was stored.
  {
    std::lock_guard lock(g_watcher->mutex);
    g_watcher->quit = true;
    g_watcher->sim = nullptr;
  }
  sem_post(&g_wake);
  g_watcher->thread.join();
  delete g_watcher;
  g_watcher = nullptr;
  sem_destroy(&g_wake);
}

void RunSignals::attach(Simulator *sim) {
  // After the run, a signal must not make a write of the report or the summary fail with EINTR.
  install(sim == nullptr);
  std::lock_guard lock(g_watcher->mutex);
  g_watcher->sim = sim;
  deliver(*g_watcher);
  if (sim && g_watcher->output_closed) sim->request_stop(stop_cause(SIGPIPE));
}

void RunSignals::deliver_pending() {
  std::lock_guard lock(g_watcher->mutex);
  deliver(*g_watcher);
}

void RunSignals::report_output_closed() {
  std::lock_guard lock(g_watcher->mutex);
  g_watcher->output_closed = true;
  if (g_watcher->sim) g_watcher->sim->request_stop(stop_cause(SIGPIPE));
}

} // namespace mcusim::cli
