#include "cli/process_pool.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <iostream>
#include <map>
#include <stdexcept>
#include <thread>

#include "core/error.hpp"

namespace ce {

namespace {

constexpr int kStopSignals[] = {SIGINT, SIGTERM, SIGHUP};
constexpr size_t kStopCount = sizeof kStopSignals / sizeof kStopSignals[0];

volatile sig_atomic_t g_caught = 0;
bool g_active = false;                  // a StopSignals instance owns the handlers
struct sigaction g_saved[kStopCount];   // what carbonedge found
bool g_installed[kStopCount] = {};      // false: the signal was ignored and stays so

void on_stop(int sig) { g_caught = sig; }
void on_child(int) {}  // only so that SIGCHLD interrupts sigsuspend()

bool ignored(const struct sigaction& sa) { return !(sa.sa_flags & SA_SIGINFO) && sa.sa_handler == SIG_IGN; }

void restore_saved() {
  for (size_t k = 0; k < kStopCount; ++k)
    if (g_installed[k]) sigaction(kStopSignals[k], &g_saved[k], nullptr);
}

void write_all(int fd, const std::string& s) {
  size_t done = 0;
  while (done < s.size()) {
    ssize_t w = write(fd, s.data() + done, s.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    done += static_cast<size_t>(w);
  }
}

// What a reaped child left in its pipe (it wrote before exiting; never blocks: O_NONBLOCK).
std::string drain(int fd) {
  std::string out;
  char buf[1024];
  for (;;) {
    ssize_t r = read(fd, buf, sizeof buf);
    if (r > 0) {
      out.append(buf, static_cast<size_t>(r));
      continue;
    }
    if (r < 0 && errno == EINTR) continue;
    break;  // EOF, or EAGAIN when a grandchild still holds the write end
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

// The child's whole life after fork(): body, its error as one line into the pipe, _exit.
[[noreturn]] void child_main(const std::function<int(size_t)>& body, size_t task, int report_fd) {
  int rc = 1;
  std::string message;
  try {
    rc = body(task);
  } catch (const InputError& e) {
    rc = 2;
    message = e.what();
  } catch (const std::exception& e) {
    rc = 1;
    message = e.what();
  } catch (...) {
    rc = 1;
    message = "unknown error";
  }
  if (!message.empty()) write_all(report_fd, message.substr(0, 4000) + "\n");  // fits a pipe: never blocks
  std::cout.flush();
  std::cerr.flush();
  _exit(rc);
}

}  // namespace

StopSignals::StopSignals() {
  if (g_active) return;  // nested: the outer instance already catches them
  g_active = owner_ = true;
  g_caught = 0;
  for (size_t k = 0; k < kStopCount; ++k) {
    sigaction(kStopSignals[k], nullptr, &g_saved[k]);
    g_installed[k] = !ignored(g_saved[k]);
    if (!g_installed[k]) continue;
    struct sigaction sa {};
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART
    sigaction(kStopSignals[k], &sa, nullptr);
  }
}

StopSignals::~StopSignals() {
  if (!owner_) return;
  restore_saved();
  g_active = false;
}

int StopSignals::caught() { return g_caught; }

void StopSignals::exit_by(int sig) {
  std::cout.flush();
  std::cerr.flush();
  if (g_active) restore_saved();
  std::signal(sig, SIG_DFL);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  sigprocmask(SIG_UNBLOCK, &set, nullptr);
  std::raise(sig);
  _exit(128 + sig);  // not reached for the stop signals, whose default action ends the process
}

void StopSignals::reset_in_child() {
  if (g_active) restore_saved();
  g_active = false;
  g_caught = 0;
}

bool ChildExit::ok() const { return WIFEXITED(status) && WEXITSTATUS(status) == 0; }

int ChildExit::exit_code() const {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 1;
}

std::string ChildExit::how() const {
  if (WIFSIGNALED(status))
    return fmt::format("killed by signal {} ({})", WTERMSIG(status), strsignal(WTERMSIG(status)));
  return fmt::format("exit code {}", WIFEXITED(status) ? WEXITSTATUS(status) : 1);
}

PoolResult run_pool(size_t n, const PoolOptions& opt, const std::function<int(size_t)>& body,
                    const std::function<void(const ChildExit&)>& on_exit) {
  PoolResult result;
  const size_t jobs = opt.jobs > 0 ? opt.jobs : std::max(1u, std::thread::hardware_concurrency());

  // SIGCHLD and the stop signals are blocked except inside sigsuspend(): whatever arrives between
  // a check below and the wait is pending, and ends the wait at once.
  sigset_t block, old_mask, wait_mask;
  sigemptyset(&block);
  sigaddset(&block, SIGCHLD);
  for (int s : kStopSignals) sigaddset(&block, s);
  sigprocmask(SIG_BLOCK, &block, &old_mask);
  wait_mask = old_mask;
  sigdelset(&wait_mask, SIGCHLD);
  for (int s : kStopSignals) sigdelset(&wait_mask, s);
  struct sigaction chld {}, old_chld {};
  chld.sa_handler = on_child;
  sigemptyset(&chld.sa_mask);
  chld.sa_flags = SA_NOCLDSTOP;
  sigaction(SIGCHLD, &chld, &old_chld);
  auto restore = [&] {
    sigaction(SIGCHLD, &old_chld, nullptr);
    sigprocmask(SIG_SETMASK, &old_mask, nullptr);
  };

  struct Running {
    size_t task;
    int fd;        // read end of the child's error pipe
    bool stopped;  // we sent it a signal: its end is not a failure
  };
  std::map<pid_t, Running> running;
  const pid_t parent = getpid();
  size_t next = 0;
  bool failed = false, stopping = false;

  auto start = [&](size_t task) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(fmt::format("pipe failed: {}", strerror(errno)));
    std::cout.flush();
    std::cerr.flush();
    pid_t pid = fork();
    if (pid < 0) {
      int err = errno;
      close(fds[0]);
      close(fds[1]);
      throw std::runtime_error(fmt::format("fork failed: {}", strerror(err)));
    }
    if (pid == 0) {
      // Die with the parent; if it is already gone (it died before prctl took effect), go now.
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(1);
      close(fds[0]);
      for (const auto& kv : running) close(kv.second.fd);  // the siblings' pipes are not ours
      StopSignals::reset_in_child();
      sigaction(SIGCHLD, &old_chld, nullptr);
      sigprocmask(SIG_SETMASK, &old_mask, nullptr);
      child_main(body, task, fds[1]);
    }
    close(fds[1]);
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    running[pid] = {task, fds[0], false};
  };
  auto signal_all = [&](int sig) {
    for (auto& kv : running) {
      kill(kv.first, sig);
      kv.second.stopped = true;
    }
  };

  try {
    for (;;) {
      for (auto it = running.begin(); it != running.end();) {
        int st = 0;
        pid_t got = waitpid(it->first, &st, WNOHANG);
        if (got == 0) {
          ++it;
          continue;
        }
        if (got < 0 && errno == EINTR) continue;
        ChildExit e;
        e.task = it->second.task;
        e.pid = it->first;
        e.status = got < 0 ? (1 << 8) : st;  // ECHILD: reaped elsewhere; count it as failed
        e.message = drain(it->second.fd);
        close(it->second.fd);
        const bool stopped = it->second.stopped;
        it = running.erase(it);
        if (!e.ok() && !stopped) {
          result.failures.push_back(e);
          if (opt.stop_on_failure && !failed) {
            failed = true;
            signal_all(SIGKILL);  // their results would be thrown away
          }
        }
        if (on_exit) on_exit(e);
      }
      if (int sig = StopSignals::caught(); sig != 0 && !stopping) {
        stopping = true;
        result.stopped_by = sig;
        signal_all(opt.stop_signal);
      }
      while (!stopping && !failed && next < n && running.size() < jobs) start(next++);
      if (running.empty()) break;
      if (opt.on_tick) {
        opt.on_tick();
        // ppoll, like sigsuspend, unblocks the signals only while it waits, and also wakes by time.
        const double s = std::max(opt.tick_s, 0.01);
        const timespec ts{static_cast<time_t>(s), static_cast<long>((s - static_cast<double>(static_cast<time_t>(s))) * 1e9)};
        ppoll(nullptr, 0, &ts, &wait_mask);
      } else {
        sigsuspend(&wait_mask);  // returns after SIGCHLD or a stop signal was handled
      }
    }
  } catch (...) {
    for (auto& kv : running) kill(kv.first, SIGKILL);
    for (auto& kv : running) {
      waitpid(kv.first, nullptr, 0);
      close(kv.second.fd);
    }
    restore();
    throw;
  }
  restore();
  return result;
}

}  // namespace ce
