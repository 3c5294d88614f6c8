#include "storage/store.hpp"

#include <map>

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

namespace certmint {

namespace {

constexpr const char* column_names[column_count] = {
    "requests",         "certificates", "cas",
    "serials",          "profiles",     "policies",
    "tokens",           "meta",         "profile_certificates",
    "pending_requests", "idempotency",
};

failure storage_error(const std::string& what, const rocksdb::Status& st) {
  return make_failure(errc::storage_failure, what + ": " + st.ToString());
}

} // namespace

std::string serial_index_key(std::string_view ca_id, std::string_view serial) {
  std::string key;
  key.reserve(ca_id.size() + serial.size());
  key.append(ca_id);
  key.append(serial);
  return key;
}

result<std::unique_ptr<store>> store::open(const std::string& directory) {
  rocksdb::DBOptions options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  options.IncreaseParallelism(2);
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  families.emplace_back(rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions{});
  for (auto name : column_names)
    families.emplace_back(name, rocksdb::ColumnFamilyOptions{});
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  auto st = rocksdb::DB::Open(options, directory, families, &handles, &db);
  if (!st.ok())
    return storage_error("cannot open RocksDB at '" + directory + "'", st);
  std::unique_ptr<store> out{new store};
  out->db_.reset(db);
  // handles[0] is the default family, which certmint does not use.
  out->handles_.assign(handles.begin() + 1, handles.end());
  db->DestroyColumnFamilyHandle(handles[0]);
  return out;
}

store::~store() {
  if (!db_)
    return;
  for (auto* handle : handles_)
    db_->DestroyColumnFamilyHandle(handle);
  db_->Close();
}

result<std::optional<std::string>> store::get(column cf, std::string_view key) const {
  std::string value;
  auto st = db_->Get(rocksdb::ReadOptions{}, handles_[static_cast<size_t>(cf)],
                     rocksdb::Slice{key.data(), key.size()}, &value);
  if (st.IsNotFound())
    return std::optional<std::string>{};
  if (!st.ok())
    return storage_error("read failed", st);
  return std::optional<std::string>{std::move(value)};
}

status store::for_each(column cf, const visitor& visit) const {
  std::unique_ptr<rocksdb::Iterator> it{
      db_->NewIterator(rocksdb::ReadOptions{}, handles_[static_cast<size_t>(cf)])};
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto key = it->key();
    auto value = it->value();
    if (auto ok = visit(std::string_view{key.data(), key.size()},
                        std::string_view{value.data(), value.size()});
        !ok)
      return ok;
  }
  if (!it->status().ok())
    return storage_error("scan failed", it->status());
  return {};
}

status store::scan_prefix(
    column cf, std::string_view prefix,
    const std::function<bool(std::string_view key, std::string_view value)>& visit) const {
  std::unique_ptr<rocksdb::Iterator> it{
      db_->NewIterator(rocksdb::ReadOptions{}, handles_[static_cast<size_t>(cf)])};
  for (it->Seek(rocksdb::Slice{prefix.data(), prefix.size()}); it->Valid(); it->Next()) {
    auto key = it->key();
    std::string_view k{key.data(), key.size()};
    if (k.substr(0, prefix.size()) != prefix)
      break;
    auto value = it->value();
    if (!visit(k, std::string_view{value.data(), value.size()}))
      break;
  }
  if (!it->status().ok())
    return storage_error("scan failed", it->status());
  return {};
}

std::vector<status> store::commit_group(const std::vector<transaction>& group) {
  std::vector<status> results(group.size());
  // Writes accepted earlier in this group, visible to later preconditions.
  std::map<std::pair<column, std::string>, std::optional<std::string>> overlay;
  auto lookup = [&](column cf, const std::string& key) -> result<std::optional<std::string>> {
    if (auto it = overlay.find({cf, key}); it != overlay.end())
      return it->second;
    return get(cf, key);
  };
  rocksdb::WriteBatch batch;
  bool any = false;
  for (size_t i = 0; i < group.size(); ++i) {
    const auto& tx = group[i];
    status verdict;
    for (const auto& cond : tx.conditions) {
      auto current = lookup(cond.cf, cond.key);
      if (!current) {
        verdict = std::move(current).error();
        break;
      }
      bool holds = false;
      if (cond.what == precondition::kind::absent) {
        holds = !current->has_value();
      } else if (current->has_value()) {
        auto record = decode_record<request_record>(**current);
        holds = record && record->status == cond.expected;
      }
      if (!holds) {
        verdict = cond.on_violation;
        break;
      }
    }
    if (!verdict) {
      results[i] = std::move(verdict);
      continue;
    }
    for (const auto& m : tx.mutations) {
      auto* handle = handles_[static_cast<size_t>(m.cf)];
      if (m.value)
        batch.Put(handle, m.key, *m.value);
      else
        batch.Delete(handle, m.key);
      overlay[{m.cf, m.key}] = m.value;
      any = true;
    }
  }
  if (!any)
    return results;
  rocksdb::WriteOptions options;
  options.sync = true;
  auto st = db_->Write(options, &batch);
  if (!st.ok()) {
    auto err = storage_error("synced write failed", st);
    for (auto& r : results)
      if (r)
        r = err;
  }
  return results;
}

status store::commit(transaction tx) {
  std::vector<transaction> group;
  group.push_back(std::move(tx));
  return std::move(commit_group(group).front());
}

} // namespace certmint
