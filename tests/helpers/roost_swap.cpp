// roost-swap A B SECONDS: exchanges the names A and B (renameat2 RENAME_EXCHANGE) as fast as it
// can for SECONDS, so that a path through A is a directory one moment and a symlink the next.
// The racer of the escape tests (tests/integration/escapes.bats, CVE-2021-30465, CVE-2024-45310).
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: roost-swap A B SECONDS\n");
    return 2;
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(std::atof(argv[3]));
  unsigned long swaps = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (::syscall(SYS_renameat2, AT_FDCWD, argv[1], AT_FDCWD, argv[2], RENAME_EXCHANGE) < 0) {
      std::perror("renameat2");
      return 1;
    }
    ++swaps;
  }
  std::printf("%lu\n", swaps);
  return 0;
}
