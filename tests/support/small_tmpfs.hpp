#pragma once

// A file system that really runs out of space (ENOSPC), without root: a
// tmpfs of a given size mounted in a user and mount namespace of the
// calling process's own. Only for a process of its own, just after fork,
// while it has one thread: the mount is visible to it and its children
// only, and disappears with them.

#include <cstddef>
#include <string>

namespace certmint::test {

/// Enters the namespaces and mounts the tmpfs at `directory` (created if
/// missing). Returns what failed, empty on success.
std::string mount_small_tmpfs(const std::string& directory, size_t bytes);

/// Gives the tmpfs at `directory` a new size (space freed for the disk-full
/// tests' "after the operator fixed it"). Returns what failed, empty on
/// success.
std::string resize_small_tmpfs(const std::string& directory, size_t bytes);

/// Whether this machine lets an unprivileged process do the above (user
/// namespaces can be disabled); tried in a child process.
bool small_tmpfs_available();

} // namespace certmint::test
