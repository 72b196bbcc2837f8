#include "server/store/db_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "server/store/store.hpp"

namespace sixpn::server::store {

namespace {
std::string octal(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

[[noreturn]] void refuse(const std::string& message) {
  throw StoreError(StoreError::Kind::Unavailable, message);
}

// SQLite's own names for the special databases; there is no file to secure.
bool is_file_path(const std::string& path) {
  return !path.empty() && path != ":memory:" && path.rfind("file:", 0) != 0;
}
}  // namespace

std::string secure_database_file(const std::string& path) {
  if (!is_file_path(path)) return "";
  std::filesystem::path file(path);
  std::string dir = file.parent_path().empty() ? "." : file.parent_path().string();
  struct stat dir_st {};
  // A directory that cannot be examined is left to SQLite, whose error names the problem.
  if (::stat(dir.c_str(), &dir_st) != 0) return "";
  const bool world_writable = (dir_st.st_mode & S_IWOTH) != 0;
  if (world_writable && (dir_st.st_mode & S_ISVTX) == 0) {
    refuse("refusing to keep the database in " + dir + ": every user may write to that " +
           "directory (mode " + octal(dir_st.st_mode) + ", no sticky bit), so anyone could " +
           "replace the database; use a directory only you can write to");
  }
  const std::string files[] = {path, path + "-wal", path + "-shm"};
  if (world_writable) {
    for (const auto& f : files) {
      struct stat st {};
      if (::lstat(f.c_str(), &st) != 0) continue;
      if (!S_ISREG(st.st_mode) || st.st_uid != ::geteuid()) {
        refuse("refusing to open " + f + ": it is not a regular file of this user, in a " +
               "directory every user may write to (" + dir + ")");
      }
    }
  }

  // O_EXCL: create it only if nobody did, with 0600 from the first moment.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd >= 0) {
    ::close(fd);
    return "";
  }
  if (errno != EEXIST) return "";  // SQLite reports it (a missing directory, no permission)
  struct stat target {};
  if (::stat(path.c_str(), &target) != 0) {
    // A symbolic link to nothing: SQLite would create its target with the default 0644.
    refuse("refusing to create the database through " + path +
           ", a symbolic link to a file that does not exist; create the target first or " +
           "point --db at it");
  }

  mode_t was = 0;
  for (const auto& f : files) {
    struct stat st {};
    if (::stat(f.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || (st.st_mode & 077) == 0) continue;
    if (::chmod(f.c_str(), st.st_mode & 07700) != 0) {
      refuse("cannot make " + f + " private (mode " + octal(st.st_mode) +
             "): " + std::strerror(errno));
    }
    if (f == path || was == 0) was = st.st_mode;
  }
  if (was == 0) return "";
  return "database " + path + " was mode " + octal(was) +
         ", open to other users; set it (and its -wal and -shm files) to 0600, as it holds " +
         "the gateway's private key and token hashes";
}

}  // namespace sixpn::server::store
