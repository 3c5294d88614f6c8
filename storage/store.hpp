#pragma once

#include <array>
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/error.hpp"
#include "storage/codec.hpp"
#include "storage/records.hpp"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class Iterator;
} // namespace rocksdb

namespace certmint {

/// RocksDB column families. Keys:
///   requests      request id (UUIDv7 text)            -> request_record
///   certificates  certificate id (UUIDv7 text)        -> certificate_record
///   cas           CA id                               -> ca_record
///   serials       CA id + raw serial bytes            -> request id
///   profiles      profile id                          -> profile_record
///   policies      policy id                           -> policy_record
///   tokens        hex SHA-256 of the token            -> identity_record
///   meta          setting name                        -> bytes
///   profile_certificates  profile id + certificate id -> "" (index)
///   request_index   secondary indexes of requests (request_index.hpp):
///                   by status, by profile, by profile and status
///   idempotency     identity + NUL + Idempotency-Key -> idempotency_record
///   approval_policies  approval policy id              -> approval_policy_record
///   approvals       approval request id               -> approval_request_record
///   approval_expiry 8-byte big-endian expiry + approval request id -> ""
///   counters        counter name -> 8-byte little-endian count (written by
///                   the storage writer; builds before wrote merge operands)
///   crls            CRL id (a CA's crl_id)             -> crl_record
///   revocations     CA id + raw serial bytes           -> revocation_record
enum class column : uint8_t {
  requests,
  certificates,
  cas,
  serials,
  profiles,
  policies,
  tokens,
  meta,
  profile_certificates,
  request_index,
  idempotency,
  approval_policies,
  approvals,
  approval_expiry,
  counters,
  crls,
  revocations,
};

inline constexpr size_t column_count = 17;

/// The layout version of a data directory (meta key "format"). A directory
/// written by another layout is refused at open with a clear message
/// instead of being misread.
inline constexpr std::string_view storage_format = "2";

std::string serial_index_key(std::string_view ca_id, std::string_view serial);

/// A condition a transaction needs to hold when it is applied.
struct precondition {
  enum class kind : uint8_t {
    absent,            ///< the key must not exist (unique reservations)
    request_in_status, ///< the request must exist with status `expected`
    equals,            ///< the value must be `expected_value` (compare-and-set)
  };
  kind what = kind::absent;
  column cf = column::meta;
  std::string key;
  request_status expected = request_status::pending;
  failure on_violation;
  std::string expected_value;
};

/// A put (value set), a delete (value empty), or, with `add`, a counter
/// increment: `value` holds the 8-byte delta, added to the stored count.
struct mutation {
  column cf = column::meta;
  std::string key;
  std::optional<std::string> value;
  bool add = false;
};

/// All-or-nothing: its mutations apply only if every precondition holds.
struct transaction {
  std::vector<precondition> conditions;
  std::vector<mutation> mutations;

  template <class Record> void put(column cf, std::string key, const Record& record) {
    mutations.push_back({cf, std::move(key), encode_record(record)});
  }
  void put_raw(column cf, std::string key, std::string value) {
    mutations.push_back({cf, std::move(key), std::move(value)});
  }
  void erase(column cf, std::string key) {
    mutations.push_back({cf, std::move(key), std::nullopt});
  }
  void add(column cf, std::string key, int64_t delta);
  /// The record at `key` must still have the bytes `current` (read before).
  void expect_value(column cf, std::string key, std::string current, failure on_violation) {
    precondition cond;
    cond.what = precondition::kind::equals;
    cond.cf = cf;
    cond.key = std::move(key);
    cond.on_violation = std::move(on_violation);
    cond.expected_value = std::move(current);
    conditions.push_back(std::move(cond));
  }
  void expect_status(const std::string& request_id, request_status status, failure on_violation) {
    conditions.push_back({precondition::kind::request_in_status,
                          column::requests,
                          request_id,
                          status,
                          std::move(on_violation),
                          {}});
  }
};

/// Walks the keys of one column family that start with `prefix`, in key
/// order or reverse, from a starting point. Keys are reported without the
/// prefix. Reads are from a consistent view taken at construction.
class key_cursor {
public:
  ~key_cursor();
  key_cursor(key_cursor&&) noexcept;
  key_cursor& operator=(key_cursor&&) noexcept;
  key_cursor(const key_cursor&) = delete;
  key_cursor& operator=(const key_cursor&) = delete;

  bool valid() const { return valid_; }
  /// The key after the prefix.
  std::string_view suffix() const;
  std::string_view value() const;
  void next();
  /// An iteration error, if the walk stopped on one.
  status error() const;

private:
  friend class store;
  key_cursor() = default;
  void settle();

  std::unique_ptr<rocksdb::Iterator> it_;
  std::string prefix_;
  bool descending_ = false;
  bool valid_ = false;
};

/// The RocksDB database. Reads are safe from any thread; writes go through
/// `commit_group`, which only the storage writer actor calls.
class store {
public:
  static result<std::unique_ptr<store>> open(const std::string& directory);
  ~store();

  store(const store&) = delete;
  store& operator=(const store&) = delete;

  /// Reads a raw value; nullopt when absent.
  result<std::optional<std::string>> get(column cf, std::string_view key) const;

  /// Reads and decodes a record; nullopt when absent.
  template <class Record>
  result<std::optional<Record>> get_record(column cf, std::string_view key) const {
    // Decoded in place, into the one object returned (so the return is
    // elided, not a move): a request record is some thirty strings, and a
    // move of it cost ~700 instructions on each poll.
    result<std::optional<Record>> out{std::optional<Record>{}};
    auto raw = get(cf, key);
    if (!raw)
      out = std::move(raw).error();
    else if (*raw)
      if (auto ok = decode_record_into(**raw, out->emplace()); !ok)
        out = std::move(ok).error();
    return out;
  }

  /// Decodes every record of a column family (for small families only: CAs,
  /// profiles, policies).
  template <class Record> result<std::vector<Record>> load_all(column cf) const {
    std::vector<Record> out;
    auto ok = for_each(cf, [&out](std::string_view, std::string_view value) -> status {
      auto record = decode_record<Record>(value);
      if (!record)
        return std::move(record).error();
      out.push_back(std::move(*record));
      return {};
    });
    if (!ok)
      return std::move(ok).error();
    return out;
  }

  /// Visits the entries whose key starts with `prefix`, in key order, until
  /// `visit` returns false.
  status
  scan_prefix(column cf, std::string_view prefix,
              const std::function<bool(std::string_view key, std::string_view value)>& visit) const;

  /// A cursor over the keys starting with `prefix`. Ascending, it starts
  /// at the first key whose suffix is >= `from` (empty: the first);
  /// descending, at the last key whose suffix is <= `from` (empty: the
  /// last).
  key_cursor walk(column cf, std::string prefix, std::string_view from, bool descending) const;

  /// A counter's value (0 when never incremented).
  result<int64_t> counter(std::string_view key) const;

  /// Applies a group of transactions in one synced WriteBatch (group
  /// commit). Not thread-safe: one thread (the storage writer) calls it. Each transaction is
  /// checked against the database plus the effects of the transactions before it in the group; the
  /// result at index i says whether transaction i was applied. Everything applied is durable
  /// (fsync'd) when this returns.
  std::vector<status> commit_group(const std::vector<transaction>& group);

  /// Convenience for a single transaction.
  status commit(transaction tx);

  /// How many synced batches have written to `cf` since the store opened.
  /// It moves after the batch is readable and before `commit_group`
  /// returns, so a cache of values read from `cf` that notes this number
  /// before each read knows it is stale once the number has moved, and no
  /// writer hears "done" while a stale entry still counts as fresh.
  uint64_t writes_to(column cf) const {
    return column_writes_[static_cast<size_t>(cf)].load(std::memory_order_acquire);
  }

  /// Once a synced write has failed, the store writes nothing more until
  /// the process restarts: commit_group refuses every transaction with
  /// this failure (503). After a failed fsync the kernel may have dropped
  /// the dirty pages and cleared the error, so a retry that "succeeds"
  /// proves nothing (PostgreSQL's fsync lesson); and RocksDB 7.8 can
  /// write again to the WAL file that failed, which its own assertion
  /// turns into an abort. Reads go on. A restart recovers from the WAL.
  /// Null while writes work; any thread may ask.
  const failure* write_refusal() const {
    return writes_refused_.load(std::memory_order_acquire) ? &*refusal_ : nullptr;
  }
  /// What RocksDB said when the write failed (file names included: for
  /// the operator's log, not for clients); empty while writes work.
  const std::string& write_failure_cause() const {
    static const std::string none;
    return writes_refused_.load(std::memory_order_acquire) ? refusal_cause_ : none;
  }

private:
  using visitor = std::function<status(std::string_view key, std::string_view value)>;
  status for_each(column cf, const visitor& visit) const;

  store() = default;
  status check_format();

  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  /// The counters' current values, as commit_group last wrote them (only it
  /// writes counters, on one thread: the storage writer's). counter()
  /// answers from here on any thread, under counter_mutex_: the pending
  /// count is read on every asynchronous submission, and a RocksDB read of
  /// it cost ~10k instructions.
  std::map<std::pair<column, std::string>, int64_t> counter_values_;
  mutable std::mutex counter_mutex_;
  /// See writes_to().
  std::array<std::atomic<uint64_t>, column_count> column_writes_{};
  /// Set once, by the writer thread, before writes_refused_ turns true;
  /// never changed after, so readers that saw the flag read them freely.
  std::optional<failure> refusal_;
  std::string refusal_cause_;
  std::atomic<bool> writes_refused_{false};
};

} // namespace certmint
