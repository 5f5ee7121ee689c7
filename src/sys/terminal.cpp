#include "sys/terminal.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include <poll.h>

#include <cstring>

#include <sys/sysmacros.h>

#include "sys/mount_api.hpp"
#include "util/error.hpp"
#include "util/fd_passing.hpp"
#include "util/file.hpp"

namespace roost {
namespace {

// UNIX98 pty peers have majors 136 to 143 (Documentation/admin-guide/devices.txt).
constexpr unsigned kPtySlaveMajorFirst = 136;
constexpr unsigned kPtySlaveMajorLast = 143;

}  // namespace

UniqueFd connect_console_socket(const std::string& path) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) throw_errno("socket");
  struct sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) throw Error("console socket path is too long: " + path);
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  if (::connect(fd.get(), reinterpret_cast<struct sockaddr*>(&addr), sizeof addr) < 0)
    throw_errno("connect to console socket " + path);
  return fd;
}

void send_fd(int socket_fd, int fd, const std::string& name) {
  // The pty's name (NUL included) goes with it, as the console-socket protocol has it.
  if (send_with_fd(socket_fd, name.c_str(), name.size() + 1, fd) < 0)
    throw_errno("send the terminal over the console socket");
}

UniqueFd receive_fd(int socket_fd) {
  char name[256];
  UniqueFd fd;
  const ssize_t got = receive_with_fd(socket_fd, name, sizeof name, fd);
  if (got < 0) throw_errno("receive the terminal");
  if (got == 0) return UniqueFd();  // closed without sending one
  if (!fd) throw Error("no terminal was received");
  return fd;
}

std::string attach_new_pty(int console_socket, const std::optional<oci::ConsoleSize>& size, uid_t uid) {
  UniqueFd master(::open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!master) throw_errno("open /dev/ptmx in the container");
  int unlock = 0;
  if (::ioctl(master.get(), TIOCSPTLCK, &unlock) < 0) throw_errno("unlock the pty");
  // TIOCGPTPEER opens the peer through the master, so no path lookup can be redirected.
  UniqueFd peer(::ioctl(master.get(), TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!peer) throw_errno("open the pty peer");
  int number = 0;
  if (::ioctl(master.get(), TIOCGPTN, &number) < 0) throw_errno("get the pty number");
  if (size) {
    struct winsize ws = {};
    ws.ws_row = static_cast<unsigned short>(size->height);
    ws.ws_col = static_cast<unsigned short>(size->width);
    if (::ioctl(master.get(), TIOCSWINSZ, &ws) < 0) throw_errno("set the terminal size");
  }
  (void)::fchown(peer.get(), uid, static_cast<gid_t>(-1));
  const std::string pts = "/dev/pts/" + std::to_string(number);
  send_fd(console_socket, master.get(), pts);
  if (::setsid() < 0) throw_errno("setsid");
  if (::ioctl(peer.get(), TIOCSCTTY, 0) < 0) throw_errno("make the pty the controlling terminal");
  for (int fd = 0; fd < 3; ++fd)
    if (::dup2(peer.get(), fd) < 0) throw_errno("dup the pty to stdio");
  return pts;
}

void setup_container_terminal(int console_socket, const std::optional<oci::ConsoleSize>& size, uid_t uid) {
  const std::string pts = attach_new_pty(console_socket, size, uid);
  // /dev/console is the container's pty, as on a real machine's console. Both ends are held by
  // fd (CVE-2025-52565): the source is the peer itself (now stdin), checked to be a pty, never
  // the name /dev/pts/N; the target is a file or device node, never a symlink the image left.
  struct stat st;
  if (::fstat(STDIN_FILENO, &st) < 0) throw_errno("stat the pty");
  if (!S_ISCHR(st.st_mode) || major(st.st_rdev) < kPtySlaveMajorFirst || major(st.st_rdev) > kPtySlaveMajorLast)
    throw Error("the container's terminal " + pts + " is not a pty: refused");
  UniqueFd console(::open("/dev/console", O_PATH | O_NOFOLLOW | O_CLOEXEC));
  if (!console && errno == ENOENT) {
    int created = ::open("/dev/console", O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (created >= 0) ::close(created);
    console = UniqueFd(::open("/dev/console", O_PATH | O_NOFOLLOW | O_CLOEXEC));
  }
  if (!console || ::fstat(console.get(), &st) < 0) throw_errno("open /dev/console in the container");
  if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode))
    throw Error("/dev/console in the container is a symlink or not a file: refused");
  UniqueFd tree = clone_mount_fd(STDIN_FILENO, false);
  if (tree) {
    if (attach_mount_tree(tree.get(), console.get()) < 0) throw_errno("bind " + pts + " on /dev/console");
    return;
  }
  if (errno != ENOSYS) throw_errno("bind " + pts + " on /dev/console");
  const std::string source = "/proc/self/fd/" + std::to_string(STDIN_FILENO);
  const std::string target = "/proc/self/fd/" + std::to_string(console.get());
  if (::mount(source.c_str(), target.c_str(), nullptr, MS_BIND, nullptr) < 0) throw_errno("bind " + pts + " on /dev/console");
}

namespace {

void copy_window_size(int from, int to) {
  struct winsize ws;
  if (::ioctl(from, TIOCGWINSZ, &ws) == 0) ::ioctl(to, TIOCSWINSZ, &ws);
}

}  // namespace

void relay_terminal(int master) {
  const bool stdin_tty = ::isatty(STDIN_FILENO);
  struct termios saved;
  if (stdin_tty && ::tcgetattr(STDIN_FILENO, &saved) == 0) {
    struct termios raw = saved;
    ::cfmakeraw(&raw);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &raw);
    copy_window_size(STDIN_FILENO, master);
  }
  bool stdin_open = true;
  char buf[16384];
  for (;;) {
    struct pollfd fds[2] = {{master, POLLIN, 0}, {STDIN_FILENO, static_cast<short>(stdin_open ? POLLIN : 0), 0}};
    int r = ::poll(fds, 2, 250);
    if (r < 0 && errno != EINTR) break;
    if (stdin_tty) copy_window_size(STDIN_FILENO, master);
    if (r <= 0) continue;
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = ::read(master, buf, sizeof buf);
      if (n <= 0) break;  // EIO: every process holding the pty has gone
      if (!write_all(STDOUT_FILENO, std::string_view(buf, static_cast<size_t>(n)))) break;
    }
    if (fds[1].revents & (POLLIN | POLLHUP)) {
      ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
      if (n <= 0) {
        stdin_open = false;
        const char eof = 4;  // ^D: end of input for the program, as a terminal would send
        (void)!::write(master, &eof, 1);
      } else if (!write_all(master, std::string_view(buf, static_cast<size_t>(n)))) {
        break;
      }
    }
  }
  if (stdin_tty) ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
}

}  // namespace roost
