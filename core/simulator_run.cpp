/// \file
/// The run loop: host checks between slices (stop requests, limits, the
/// wall-clock timeout, progress), pending exceptions, sleep, one engine slice
/// at a time and what to do when the engine stops; the run's wall-clock timer
/// (RunTimer); request_stop().
#include "core/simulator_impl.h"

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <mutex>
#include <optional>
#include <pthread.h>
#include <string>
#include <system_error>
#include <thread>

namespace mcusim {

const char *stop_reason_name(StopReason r) {
  switch (r) {
  case StopReason::Exited: return "exited";
  case StopReason::Fault: return "fault";
  case StopReason::Lockup: return "lockup";
  case StopReason::InstructionLimit: return "instruction limit";
  case StopReason::CycleLimit: return "cycle limit";
  case StopReason::WallTimeout: return "wall-clock timeout";
  case StopReason::Hang: return "hang";
  case StopReason::Stopped: return "stopped";
  case StopReason::Internal: return "internal error";
  }
  return "?";
}

std::string stop_reason_text(const RunResult &r) {
  return r.reason == StopReason::Stopped && !r.stop_cause.empty() ? r.stop_cause : stop_reason_name(r.reason);
}

void Simulator::request_stop(const std::string &cause) {
  if (!impl_) return;
  {
    std::lock_guard lock(impl_->cause_mutex);
    if (impl_->attention.load() & Impl::kAttendStop) return; // the first request wins
    impl_->stop_cause = cause;
    impl_->attend(Impl::kAttendStop);
  }
}

namespace {
constexpr uint32_t kUntil = 0xFFFFFFFE; // never a Thumb instruction address
constexpr uint64_t kSliceCycles = 20'000'000; // run at most this long between host checks
using RunClock = std::chrono::steady_clock;

/// The run's wall-clock timer: a thread that sleeps until the --timeout
/// deadline or the next progress time and then asks the engine to stop at the
/// next block boundary (Impl::attend). The engine is never touched from this
/// thread (no uc_emu_stop), and it does nothing between those times, so the
/// hot path is unchanged. Exists only while run() does, and only when there
/// is a timeout or a progress callback.
class RunTimer {
public:
  RunTimer(Simulator::Impl &s, RunClock::time_point start, double timeout_seconds, double progress_seconds)
      : s_(s), start_(start) {
    auto span = [](double seconds) { return std::chrono::duration_cast<RunClock::duration>(std::chrono::duration<double>(seconds)); };
    if (timeout_seconds > 0) timeout_at_ = start + span(timeout_seconds);
    if (progress_seconds > 0) period_ = std::max(span(progress_seconds), RunClock::duration(std::chrono::microseconds(100)));
    if (!timeout_at_ && period_ == RunClock::duration::zero()) return;
    // Signals go to the other threads (a handler there may need to interrupt a blocking read).
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    try {
      thread_ = std::thread([this] { loop(); });
    } catch (const std::system_error &) {
      // No timer: the timeout is still checked between slices, progress between slices.
    }
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
  }
  ~RunTimer() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();
  }
  RunTimer(const RunTimer &) = delete;
  RunTimer &operator=(const RunTimer &) = delete;
  bool running() const { return thread_.joinable(); }

private:
  void loop();
  Simulator::Impl &s_;
  RunClock::time_point start_;
  std::optional<RunClock::time_point> timeout_at_;
  RunClock::duration period_ = RunClock::duration::zero();
  std::mutex mutex_;
  std::condition_variable wake_;
  bool done_ = false;
  std::thread thread_;
};

void RunTimer::loop() {
  std::unique_lock lock(mutex_);
  std::optional<RunClock::time_point> next_progress;
  if (period_ != RunClock::duration::zero()) next_progress = start_ + period_;
  while (!done_) {
    std::optional<RunClock::time_point> wake = timeout_at_;
    if (next_progress && (!wake || *next_progress < *wake)) wake = next_progress;
    if (!wake) {
      wake_.wait(lock, [this] { return done_; });
      break;
    }
    if (wake_.wait_until(lock, *wake, [this] { return done_; })) break;
    auto now = RunClock::now();
    if (timeout_at_ && now >= *timeout_at_) {
      s_.attend(Simulator::Impl::kAttendTimeout);
      timeout_at_.reset();
    }
    if (next_progress && now >= *next_progress) {
      s_.attend(Simulator::Impl::kAttendProgress);
      while (*next_progress <= now) *next_progress += period_;
    }
  }
}

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", s);
  return buf;
}
} // namespace

/// What the run loop keeps between slices.
struct Simulator::Impl::RunLoop {
  RunClock::time_point wall_start, last_progress;
  std::optional<RunClock::time_point> emulation_start; ///< the first uc_emu_start: MIPS excludes the start-up before it
  uint64_t last_progress_insns = 0;
  uint64_t max_cycles = 0, max_insns = 0;
  std::chrono::duration<double> progress_period{0.2};
  bool timer_running = false; ///< progress comes from the RunTimer's ticks
};

RunResult Simulator::run() {
  Impl &s = *impl_;
  Impl::RunLoop loop;
  loop.wall_start = RunClock::now();
  loop.last_progress = loop.wall_start;
  loop.max_cycles = s.opts.max_cycles ? s.opts.max_cycles : simulator_detail::kNoLimit;
  loop.max_insns = s.opts.max_instructions ? s.opts.max_instructions : simulator_detail::kNoLimit;
  loop.progress_period = std::chrono::duration<double>(s.opts.progress_seconds > 0 ? s.opts.progress_seconds : 0.2);

  s.reset_cpu();
  s.finished.reset();
  s.power_off.reset(); // a System OFF ended the previous run, not this one
  s.attention.fetch_and(Impl::kAttendStop); // a stop requested before run() still counts
  RunTimer timer(s, loop.wall_start, s.opts.timeout_seconds, s.opts.on_progress ? loop.progress_period.count() : 0);
  loop.timer_running = timer.running();
  while (!s.finished) {
    s.check_between_slices(loop);
    if (s.finished) break;
    if (!s.sleeping) s.take_pending();
    if (s.finished) break;
    if (s.sleeping) {
      s.sleep_step(loop.max_cycles);
      continue;
    }
    s.run_slice(loop);
  }
  return s.result(loop);
}

/// Stop requests, reset requests, trap changes, due events, the limits and the
/// timeout (each sets `finished`), then progress.
void Simulator::Impl::check_between_slices(RunLoop &loop) {
  const unsigned bits = attention.load();
  if (bits & kAttendStop) {
    std::lock_guard lock(cause_mutex);
    finish(StopReason::Stopped, stop_cause.empty() ? "stopped on request" : stop_cause);
    finished->stop_cause = stop_cause;
    return;
  }
  if (bits & kAttendProgress) attention.fetch_and(~unsigned(kAttendProgress));
  if (power_off) {
    // The device switched itself off (PeripheralHost::power_off): the firmware's own end.
    RunResult r;
    r.reason = StopReason::Exited;
    r.pc = pc();
    r.message = *power_off;
    finished = r;
    return;
  }
  if (scs->reset_requested) reset_cpu();
  if (traps_dirty) update_traps();
  sched.run_due(cycles);
  if (clock_dirty) apply_clock();
  if (l1_dirty) apply_l1();
  if (insns >= loop.max_insns) {
    finish(StopReason::InstructionLimit, "instruction limit of " + std::to_string(loop.max_insns) + " reached");
    return;
  }
  if (cycles >= loop.max_cycles) {
    finish(StopReason::CycleLimit, "cycle limit of " + std::to_string(loop.max_cycles) + " reached");
    return;
  }
  auto now = RunClock::now();
  double wall = std::chrono::duration<double>(now - loop.wall_start).count();
  if (opts.timeout_seconds > 0 && (wall >= opts.timeout_seconds || (bits & kAttendTimeout))) {
    finish(StopReason::WallTimeout, "wall-clock timeout of " + seconds_text(opts.timeout_seconds) + " s reached");
    return;
  }
  report_progress(loop, bits, now, wall);
}

void Simulator::Impl::report_progress(RunLoop &loop, unsigned bits, RunClock::time_point now, double wall) {
  // With the timer, progress comes at its ticks; without it (no thread), between slices.
  if (opts.on_progress && (loop.timer_running ? (bits & kAttendProgress) != 0 : now - loop.last_progress >= loop.progress_period)) {
    double dt = std::chrono::duration<double>(now - loop.last_progress).count();
    opts.on_progress({cycles, insns, seconds_over(clock_segments, cycles), wall, double(insns - loop.last_progress_insns) / dt / 1e6});
    loop.last_progress = now;
    loop.last_progress_insns = insns;
  }
}

/// Run the engine until the next event, limit or slice end, then handle why it stopped.
void Simulator::Impl::run_slice(RunLoop &loop) {
  deadline.store(std::min({sched.next_time(), loop.max_cycles, cycles + kSliceCycles}), std::memory_order_relaxed);
  stop_insns = loop.max_insns;
  refresh_stop_at(); // keeps stop_at at 0 if a request came after the look above
  if (attention.load()) return;
  stop_kind = StopKind::None;
  mem_fault = false;
  periph_fault_pending = false;
  uint32_t start = pc();
  in_emulation = true;
  just_returned = false; // code runs now: no tail-chain from here
  if (!loop.emulation_start) loop.emulation_start = RunClock::now();
  uc_err err = uc_emu_start(uc, start | 1, kUntil, 0, 0);
  in_emulation = false;
  // Host-side work follows (exceptions, semihosting): the next block is not
  // reached by the last block's branch, so its branch cost is settled here.
  if (stop_kind == StopKind::Boundary) settle_boundary_branch();
  if (err != UC_ERR_OK) {
    handle_engine_error(err);
    return;
  }
  handle_stop();
}

void Simulator::Impl::settle_boundary_branch() {
  uint32_t branch = stop_pc == cur->cost.fallthrough ? cur->cost.fallthrough_extra : cur->cost.taken_extra;
  charge_run(branch, cur->loc);
  if (profiling) {
    tracker->branch_only(cur->func, branch);
    tracker->transition(cur->func, cur->cost.end == isa::kEndCall, cur->cost.fallthrough, stop_pc,
                       tracker->func_of(stop_pc), cycles);
  }
  cur = &no_block;
}

void Simulator::Impl::handle_stop() {
  if (periph_fault_pending) {
    periph_fault_pending = false;
    handle_peripheral_fault();
    return;
  }
  switch (stop_kind) {
  case StopKind::Boundary: break;
  case StopKind::Intr: handle_intr(); break;
  case StopKind::SelfLoop: handle_self_loop(); break;
  case StopKind::FpCheck: handle_fp_check(); break;
  case StopKind::DivCheck: handle_div_check(); break;
  case StopKind::None: handle_sleep_insn(); break;
  }
}

RunResult Simulator::Impl::result(const RunLoop &loop) {
  RunResult r = *finished;
  r.cycles = cycles;
  r.instructions = insns;
  r.sleep_cycles = sleep_cycles;
  timeline.finish(cycles, synced_power());
  r.power = power;
  if (class_decoder) r.power.classes = class_counts;
  if (profiling) {
    r.profile = tracker->finish(cycles, vectors.initial_sp);
    measure_arena(*r.profile);
  }
  r.icache_hits = memsys->hits();
  r.icache_misses = memsys->misses();
  r.hz = sim.hz_;
  r.clock_changes = clock_segments;
  r.clock_warning = clock_warning;
  if (periph) r.unmodelled_registers = periph->unmodelled();
  const auto wall_end = RunClock::now();
  r.wall_seconds = std::chrono::duration<double>(wall_end - loop.wall_start).count();
  if (loop.emulation_start) r.emulation_seconds = std::chrono::duration<double>(wall_end - *loop.emulation_start).count();
  return r;
}

} // namespace mcusim
