#pragma once

#include <memory>
#include <string>

namespace rocksdb {
class Logger;
} // namespace rocksdb

namespace certmint {

/// RocksDB's informational log, `LOG` in the data directory (the one
/// before it kept as `LOG.old`), in RocksDB's line format. Each line is
/// one write(2) to a file opened for appending, and a line that cannot be
/// written is dropped.
///
/// Why not RocksDB's own: its file logger (7.8, as Debian builds it, with
/// assertions on) aborts the process on the first line after a write that
/// failed. On a full disk RocksDB logs the failed WAL write, that line
/// fails too, and the next line, a few microseconds later, killed
/// certmint instead of letting it refuse writes and go on serving reads.
///
/// Never null: when the file cannot be opened, lines are dropped.
std::shared_ptr<rocksdb::Logger> open_info_log(const std::string& directory);

} // namespace certmint
