#pragma once

#include <functional>
#include <memory>
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
///   pending_requests      request id -> "" (index of non-terminal requests,
///                         read at start to finish them)
///   idempotency           identity + NUL + Idempotency-Key -> idempotency_record
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
  pending_requests,
  idempotency,
};

inline constexpr size_t column_count = 11;

std::string serial_index_key(std::string_view ca_id, std::string_view serial);

/// A condition a transaction needs to hold when it is applied.
struct precondition {
  enum class kind : uint8_t {
    absent,            ///< the key must not exist (unique reservations)
    request_in_status, ///< the request must exist with status `expected`
  };
  kind what = kind::absent;
  column cf = column::meta;
  std::string key;
  request_status expected = request_status::pending;
  failure on_violation;
};

/// A put (value set) or delete (value empty).
struct mutation {
  column cf = column::meta;
  std::string key;
  std::optional<std::string> value;
};

/// All-or-nothing: its mutations apply only if every precondition holds.
struct transaction {
  std::vector<precondition> conditions;
  std::vector<mutation> mutations;

  template <class Record> void put(column cf, std::string key, const Record& record) {
    mutations.push_back({cf, std::move(key), encode_record(record)});
  }
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
    auto raw = get(cf, key);
    if (!raw)
      return std::move(raw).error();
    if (!*raw)
      return std::optional<Record>{};
    auto record = decode_record<Record>(**raw);
    if (!record)
      return std::move(record).error();
    return std::optional<Record>{std::move(*record)};
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

  /// Applies a group of transactions in one synced WriteBatch (group
  /// commit). Each transaction is checked against the database plus the
  /// effects of the transactions before it in the group; the result at index
  /// i says whether transaction i was applied. Everything applied is durable
  /// (fsync'd) when this returns.
  std::vector<status> commit_group(const std::vector<transaction>& group);

  /// Convenience for a single transaction.
  status commit(transaction tx);

private:
  using visitor = std::function<status(std::string_view key, std::string_view value)>;
  status for_each(column cf, const visitor& visit) const;

  store() = default;

  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

} // namespace certmint
