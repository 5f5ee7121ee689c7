// roost login [-u U] [-p P | --password-stdin] [--tls-verify=false] [--authfile F] [--cert-dir D] REGISTRY
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "cli/engine/command.hpp"
#include "engine/login.hpp"
#include "util/error.hpp"

namespace roost::cli {
namespace {

std::string registry_name, username, password, auth_file, cert_dir;
bool password_stdin = false, tls_verify = true;

void add_options(CLI::App& cmd) {
  cmd.add_option("-u,--username", username, "user name (asked when missing)");
  cmd.add_option("-p,--password", password, "password (asked when missing)");
  cmd.add_flag("--password-stdin", password_stdin, "read the password from stdin");
  cmd.add_flag("--tls-verify{true}", tls_verify, "verify the registry's certificate");
  cmd.add_option("--authfile", auth_file, "credentials file to write")->envname("REGISTRY_AUTH_FILE");
  cmd.add_option("--cert-dir", cert_dir, "directory of ca.crt for the registry");
  cmd.add_option("registry", registry_name, "host[:port]")->required();
}

std::string read_line(const char* prompt, bool hide) {
  const bool tty = ::isatty(0);
  if (prompt && tty) {
    std::fputs(prompt, stderr);
    std::fflush(stderr);
  }
  struct termios old{};
  const bool hidden = hide && tty && ::tcgetattr(0, &old) == 0;
  if (hidden) {
    struct termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(0, TCSAFLUSH, &quiet);
  }
  std::string line;
  const bool ok = static_cast<bool>(std::getline(std::cin, line));
  if (hidden) {
    ::tcsetattr(0, TCSAFLUSH, &old);
    std::fputc('\n', stderr);
  }
  if (!ok) throw Error(std::string("reading the ") + (hide ? "password" : "user name") + ": end of input");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

int run(const engine::GlobalOptions&, CLI::App&) {
  if (password_stdin && !password.empty()) throw Error("--password and --password-stdin are mutually exclusive");
  if (password_stdin && username.empty()) throw Error("--password-stdin needs --username");
  if (username.empty()) username = read_line("Username: ", false);
  if (username.empty()) throw Error("a user name is needed");
  if (password_stdin) {
    password = read_line(nullptr, false);
  } else if (password.empty()) {
    password = read_line("Password: ", true);
  }
  if (password.empty()) throw Error("a password is needed");
  registry::Credentials creds;
  creds.username = username;
  creds.password = password;
  engine::LoginOptions options{tls_verify, auth_file, cert_dir};
  engine::login(registry_name, creds, options);
  print_out("Login Succeeded!\n");
  return 0;
}

}  // namespace

const EngineCommand kLoginCommand{nullptr, "login", "log in to a registry (checked, then stored in auth.json)", add_options, run};

}  // namespace roost::cli
