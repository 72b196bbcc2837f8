#pragma once
// The database file holds the gateway's WireGuard private key and every token's hash, so only
// its owner may read it. secure_database_file runs before SQLite opens the file:
// - a directory that every user may write to, without the sticky bit, is refused: anyone could
//   swap the database for one of their own (or read it by planting a -wal file);
// - in a world-writable directory with the sticky bit (/tmp), the database and its -wal and
//   -shm files, where they exist, must be this user's own regular files, not planted ones;
// - a missing database is created empty with mode 0600 and O_EXCL, so it is never 0644 for a
//   moment; SQLite then gives the -wal and -shm files the main file's mode; a symbolic link to
//   nothing is refused (SQLite would create its target 0644);
// - an existing database (or -wal, -shm) that group or others may access is set to 0600.
#include <string>

namespace sixpn::server::store {

// Returns a one-line warning when it had to tighten modes ("" otherwise). Throws StoreError
// (Unavailable) with the reason when the place is unsafe.
std::string secure_database_file(const std::string& path);

}  // namespace sixpn::server::store
