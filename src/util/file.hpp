// Small whole-file helpers with errors that name the file.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace roost {

std::string read_file(const std::string& path);
// A file holding one integer (a /proc/sys setting): nullopt when it cannot be read or is no number.
// Parsed without scanf or iostreams, which would grow the static monitor's resident text.
std::optional<long long> read_integer_file(const std::string& path);
// Writes the whole of data; throws SysError naming the path.
void write_file(const std::string& path, const std::string& data, int flags, int mode = 0644);
// Writes to a temporary file beside path and renames it over path, so readers never see half a file.
void write_file_atomic(const std::string& path, const std::string& data, int mode = 0644);
// All of data to an open fd (a pipe, a terminal, a log), retrying on EINTR and short writes:
// false when the fd refuses it (closed reader, full disk), errno telling why.
bool write_all(int fd, std::string_view data);
// Everything an fd (a pipe) gives until its end or an error, retrying on EINTR.
std::string read_to_end(int fd);
// Adds O_NONBLOCK to an open fd's flags: false when fcntl refuses, errno telling why.
bool set_nonblocking(int fd);
bool path_exists(const std::string& path);
// mkdir -p; existing directories are fine.
void make_dirs(const std::string& path, int mode = 0755);
// rm -rf that stays on one file system and never follows symlinks.
void remove_tree(const std::string& path);

std::vector<std::string> split(const std::string& s, char sep);
bool starts_with(const std::string& s, const std::string& prefix);

}  // namespace roost
