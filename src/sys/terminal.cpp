#include "sys/terminal.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include <cstring>

#include "util/error.hpp"

namespace roost {

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
  struct msghdr msg = {};
  char data[256];
  std::strncpy(data, name.c_str(), sizeof data - 1);
  data[sizeof data - 1] = 0;
  struct iovec iov = {data, std::strlen(data) + 1};
  alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  struct cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
  if (::sendmsg(socket_fd, &msg, MSG_NOSIGNAL) < 0) throw_errno("send the terminal over the console socket");
}

UniqueFd receive_fd(int socket_fd) {
  struct msghdr msg = {};
  char data[256];
  struct iovec iov = {data, sizeof data};
  alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  if (::recvmsg(socket_fd, &msg, MSG_CMSG_CLOEXEC) < 0) throw_errno("receive the terminal");
  struct cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
  if (!cmsg || cmsg->cmsg_type != SCM_RIGHTS) throw Error("no terminal was received");
  int fd;
  std::memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
  return UniqueFd(fd);
}

void setup_container_terminal(int console_socket, const std::optional<oci::ConsoleSize>& size, uid_t uid) {
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
  // /dev/console is the container's pty, as on a real machine's console.
  int console = ::open("/dev/console", O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (console >= 0) ::close(console);
  if (::mount(pts.c_str(), "/dev/console", nullptr, MS_BIND, nullptr) < 0) throw_errno("bind " + pts + " on /dev/console");
  send_fd(console_socket, master.get(), pts);
  if (::setsid() < 0) throw_errno("setsid");
  if (::ioctl(peer.get(), TIOCSCTTY, 0) < 0) throw_errno("make the pty the controlling terminal");
  for (int fd = 0; fd < 3; ++fd)
    if (::dup2(peer.get(), fd) < 0) throw_errno("dup the pty to stdio");
}

}  // namespace roost
