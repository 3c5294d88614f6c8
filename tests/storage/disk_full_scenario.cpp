// A failed synced write stops all writes; a reopen after space is freed
// recovers every commit before it. A program of its own, not a Catch2 case:
// the tmpfs needs a process that enters new namespaces while it has one
// thread, and a forked test process would inherit RocksDB's thread pools
// without their threads (a flush then waits forever). Exit 0: as expected;
// 77: skipped (no user namespaces here); anything else: what went wrong.

#include <cstdio>
#include <string>

#include "storage/store.hpp"
#include "tests/support/small_tmpfs.hpp"
#include "tests/support/test_pki.hpp"

using namespace certmint;

namespace {

std::string key_of(int i) {
  return "k" + std::to_string(1000000 + i);
}

std::string run(const std::string& directory) {
  if (auto err = test::mount_small_tmpfs(directory, size_t{5} << 20); !err.empty())
    return err;
  const std::string value(2048, 'v');
  int committed = 0;
  {
    auto db = store::open(directory);
    if (!db)
      return "open: " + db.error().message;
    status refused;
    for (; committed < 100000; ++committed) {
      transaction tx;
      tx.put_raw(column::meta, key_of(committed), value);
      refused = (*db)->commit(std::move(tx));
      if (!refused)
        break;
    }
    if (committed == 0 || refused)
      return "the disk did not fill up after " + std::to_string(committed) + " commits";
    if (refused.error().code != errc::unavailable || (*db)->write_refusal() == nullptr)
      return "a failed write answered: " + refused.error().message;
    if ((*db)->write_failure_cause().find("No space left on device") == std::string::npos)
      return "the cause says: " + (*db)->write_failure_cause();
    // Refused without touching RocksDB, which could abort on its failed WAL.
    transaction later;
    later.put_raw(column::meta, "later", "x");
    auto again = (*db)->commit(std::move(later));
    if (again || again.error().message != refused.error().message)
      return "a later write was not refused the same way";
    auto read = (*db)->get(column::meta, key_of(0));
    if (!read || !*read || **read != value)
      return "reads stopped working";
  }
  // The operator frees space and restarts.
  if (auto err = test::resize_small_tmpfs(directory, size_t{64} << 20); !err.empty())
    return err;
  auto db = store::open(directory);
  if (!db)
    return "reopen: " + db.error().message;
  for (int i = 0; i < committed; ++i) {
    auto read = (*db)->get(column::meta, key_of(i));
    if (!read || !*read || **read != value)
      return "commit " + std::to_string(i) + " of " + std::to_string(committed) + " was lost";
  }
  transaction after;
  after.put_raw(column::meta, "after", "x");
  if (auto ok = (*db)->commit(std::move(after)); !ok || (*db)->write_refusal() != nullptr)
    return "writes did not resume after the reopen";
  std::printf("%d commits before the disk was full; all recovered\n", committed);
  return {};
}

} // namespace

int main() {
  if (!test::small_tmpfs_available()) {
    std::puts("skipped: no user namespaces on this machine, so no small tmpfs to fill");
    return 77;
  }
  test::temp_dir dir;
  auto report = run(dir.path());
  if (report.empty())
    return 0;
  std::fprintf(stderr, "%s\n", report.c_str());
  return 1;
}
