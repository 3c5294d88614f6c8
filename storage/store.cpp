#include "storage/store.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <map>

#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/merge_operator.h>
#include <rocksdb/options.h>
#include <rocksdb/perf_level.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include "engine/text.hpp"
#include "storage/info_log.hpp"

namespace certmint {

namespace {

// RocksDB counts every key comparison and more into a thread-local
// perf_context by default (PerfLevel::kEnableCount), and certmint never
// reads it. The level is per thread and the store is called from threads
// it does not own (HTTP loops, CAF workers, the writer), so every entry
// point sets it; a thread-local store is cheaper than the counting it
// stops (callgrind: ~860 instructions per Get, ~5.7k per issuance's
// commit).
void count_nothing() {
  rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);
}

constexpr const char* column_names[column_count] = {
    "requests",
    "certificates",
    "cas",
    "serials",
    "profiles",
    "policies",
    "tokens",
    "meta",
    "profile_certificates",
    "request_index",
    "idempotency",
    "approval_policies",
    "approvals",
    "approval_expiry",
    "counters",
    "crls",
    "revocations",
};

constexpr std::string_view format_key = "format";

failure storage_error(const std::string& what, const rocksdb::Status& st) {
  return make_failure(errc::storage_failure, what + ": " + st.ToString());
}

int64_t decode_count(const rocksdb::Slice& bytes) {
  int64_t out = 0;
  if (bytes.size() == sizeof out)
    std::memcpy(&out, bytes.data(), sizeof out);
  return out;
}

std::string encode_count(int64_t value) {
  std::string out(sizeof value, '\0');
  std::memcpy(out.data(), &value, sizeof value);
  return out;
}

// Counters are kept by merging deltas, so a status change adjusts its counts
// in the same batch without reading them first.
class counter_add_operator : public rocksdb::AssociativeMergeOperator {
public:
  bool Merge(const rocksdb::Slice&, const rocksdb::Slice* existing, const rocksdb::Slice& value,
             std::string* new_value, rocksdb::Logger*) const override {
    auto base = existing != nullptr ? decode_count(*existing) : 0;
    *new_value = encode_count(base + decode_count(value));
    return true;
  }
  const char* Name() const override { return "certmint.counter_add"; }
};

// The memtable's insert hint is kept per prefix, and an insert close to the
// last one of its prefix costs O(1) instead of a skiplist search (measured
// ~9,500 instructions per insert). Records and index entries end in a UUIDv7
// id, which grows with time: their prefix is the key without that id (empty
// for the records themselves), so each insert lands next to the last.
class id_suffix_prefix : public rocksdb::SliceTransform {
public:
  static constexpr size_t id_size = 36;
  const char* Name() const override { return "certmint.id_suffix_prefix"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return {key.data(), key.size() - id_size};
  }
  bool InDomain(const rocksdb::Slice& key) const override { return key.size() >= id_size; }
};

rocksdb::ColumnFamilyOptions family_options(std::string_view name) {
  rocksdb::ColumnFamilyOptions cf;
  // Bloom filters (10 bits a key, ~1% false positives): the uniqueness checks
  // of serials and Idempotency-Keys look up keys that are almost always
  // absent, which without a filter reads an index and a data block in every
  // SST file; polls and token lookups are point reads too.
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  if (name == "counters") {
    cf.merge_operator = std::make_shared<counter_add_operator>();
    // Counters are written as values (see commit_group); the merge operator
    // reads the operands that builds before that wrote.
    // The same few keys, updated again and again: the key is its own prefix.
    cf.memtable_insert_with_hint_prefix_extractor.reset(rocksdb::NewCappedPrefixTransform(256));
  } else if (name == "requests" || name == "certificates" || name == "request_index"
             || name == "profile_certificates") {
    cf.memtable_insert_with_hint_prefix_extractor = std::make_shared<id_suffix_prefix>();
    // New keys land at the end of each key range, but a few land just
    // before the previous flush's last key (ids are made when a request
    // starts, written when it ends), so each level-0 file overlaps the
    // newest level-1 file and a compaction rewrites it. Small files keep
    // what is rewritten small (64 MiB files: ~27 MB rewritten per flush).
    cf.target_file_size_base = uint64_t{8} << 20;
  }
  if (name == "serials" || name == "idempotency") {
    // The uniqueness checks look up keys that are almost never there; a
    // bloom filter of the memtable answers them without a skiplist search.
    cf.memtable_prefix_bloom_size_ratio = 0.02;
    cf.memtable_whole_key_filtering = true;
  }
  return cf;
}

} // namespace

void transaction::add(column cf, std::string key, int64_t delta) {
  mutations.push_back({cf, std::move(key), encode_count(delta), true});
}

key_cursor::~key_cursor() = default;
key_cursor::key_cursor(key_cursor&&) noexcept = default;
key_cursor& key_cursor::operator=(key_cursor&&) noexcept = default;

std::string_view key_cursor::suffix() const {
  auto key = it_->key();
  return std::string_view{key.data(), key.size()}.substr(prefix_.size());
}

std::string_view key_cursor::value() const {
  auto v = it_->value();
  return {v.data(), v.size()};
}

void key_cursor::next() {
  if (descending_)
    it_->Prev();
  else
    it_->Next();
  settle();
}

void key_cursor::settle() {
  valid_ = it_->Valid() && it_->key().starts_with(rocksdb::Slice{prefix_});
}

status key_cursor::error() const {
  if (it_ && !it_->status().ok())
    return storage_error("scan failed", it_->status());
  return {};
}

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
  options.info_log = open_info_log(directory);
  // A WAL can only be deleted once every column family's share of it is
  // flushed, and small families (counters, meta) flush rarely; without a
  // bound the WAL grows to gigabytes and a restart after a crash replays all
  // of it. 64 MiB keeps the replay under a second.
  options.max_total_wal_size = uint64_t{64} << 20;
  // One writer (the storage writer actor): concurrent memtable inserts buy
  // nothing, and they disable the memtable's insert hints.
  options.allow_concurrent_memtable_write = false;
  std::vector<std::string> existing;
  if (rocksdb::DB::ListColumnFamilies(options, directory, &existing).ok())
    for (const auto& name : existing)
      if (name != rocksdb::kDefaultColumnFamilyName
          && std::find(std::begin(column_names), std::end(column_names), name)
                 == std::end(column_names))
        return make_failure(
            errc::storage_failure,
            concat({"the data directory '", directory, "' has a column family '", name,
                    "' that this certmint does not know; another storage format wrote it, ",
                    "so use a new data directory"}));
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  families.emplace_back(rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions{});
  for (auto name : column_names)
    families.emplace_back(name, family_options(name));
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
  if (auto ok = out->check_format(); !ok)
    return std::move(ok).error();
  return out;
}

status store::check_format() {
  auto format = get(column::meta, format_key);
  if (!format)
    return std::move(format).error();
  if (*format) {
    if (**format == storage_format)
      return {};
    return make_failure(errc::storage_failure, "the data directory has storage format " + **format
                                                   + ", this certmint reads format "
                                                   + std::string{storage_format});
  }
  // No format mark: only an empty directory may be adopted.
  bool empty = true;
  for (size_t cf = 0; cf < column_count && empty; ++cf) {
    std::unique_ptr<rocksdb::Iterator> it{db_->NewIterator(rocksdb::ReadOptions{}, handles_[cf])};
    it->SeekToFirst();
    empty = !it->Valid();
  }
  if (!empty)
    return make_failure(errc::storage_failure,
                        "the data directory predates storage format " + std::string{storage_format}
                            + " and cannot be read by this certmint; use a new data directory");
  rocksdb::WriteOptions sync;
  sync.sync = true;
  auto st = db_->Put(sync, handles_[static_cast<size_t>(column::meta)],
                     rocksdb::Slice{format_key.data(), format_key.size()},
                     rocksdb::Slice{storage_format.data(), storage_format.size()});
  if (!st.ok())
    return storage_error("cannot mark the storage format", st);
  return {};
}

key_cursor store::walk(column cf, std::string prefix, std::string_view from,
                       bool descending) const {
  count_nothing();
  key_cursor out;
  out.it_.reset(db_->NewIterator(rocksdb::ReadOptions{}, handles_[static_cast<size_t>(cf)]));
  out.descending_ = descending;
  std::string start = prefix;
  start.append(from);
  if (!descending) {
    out.it_->Seek(start);
  } else if (from.empty()) {
    // The last key with the prefix: seek past every key that has it.
    auto end = prefix;
    while (!end.empty() && static_cast<unsigned char>(end.back()) == 0xff)
      end.pop_back();
    if (end.empty()) {
      out.it_->SeekToLast();
    } else {
      end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
      out.it_->SeekForPrev(end);
      if (out.it_->Valid() && out.it_->key() == rocksdb::Slice{end})
        out.it_->Prev();
    }
  } else {
    out.it_->SeekForPrev(start);
  }
  out.prefix_ = std::move(prefix);
  out.settle();
  return out;
}

result<int64_t> store::counter(std::string_view key) const {
  {
    std::lock_guard lock{counter_mutex_};
    if (auto it = counter_values_.find({column::counters, std::string{key}});
        it != counter_values_.end())
      return it->second;
  }
  auto raw = get(column::counters, key);
  if (!raw)
    return std::move(raw).error();
  return *raw ? decode_count(rocksdb::Slice{**raw}) : 0;
}

store::~store() {
  if (!db_)
    return;
  // RocksDB does not flush on close when the WAL is on; flushing here means
  // the next start replays nothing. After a failed write nothing more is
  // written: the next start recovers from the WAL.
  if (!write_refusal()) {
    rocksdb::FlushOptions flush;
    db_->Flush(flush, handles_);
  }
  for (auto* handle : handles_)
    db_->DestroyColumnFamilyHandle(handle);
  db_->Close();
}

result<std::optional<std::string>> store::get(column cf, std::string_view key) const {
  count_nothing();
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
  count_nothing();
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
  count_nothing();
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
  count_nothing();
  if (const auto* refusal = write_refusal())
    return std::vector<status>(group.size(), *refusal);
  std::vector<status> results(group.size());
  // Writes accepted earlier in this group, visible to later preconditions.
  // Keys and values point into `group`, which outlives this call.
  std::map<std::pair<column, std::string_view>, const std::optional<std::string>*> overlay;
  auto lookup = [&](column cf, const std::string& key) -> result<std::optional<std::string>> {
    if (auto it = overlay.find({cf, key}); it != overlay.end())
      return *it->second;
    return get(cf, key);
  };
  // The applied puts and deletes, written in key order (below).
  std::vector<const mutation*> staged;
  bool any = false;
  // Counter deltas of the applied transactions, summed per counter and
  // written as one value each (see counter_values_).
  std::map<std::pair<column, std::string>, int64_t> deltas;
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
      } else if (cond.what == precondition::kind::equals) {
        holds = current->has_value() && **current == cond.expected_value;
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
      any = true;
      if (m.add) {
        // Counters are never a precondition's subject: no overlay entry.
        deltas[{m.cf, m.key}] += decode_count(rocksdb::Slice{*m.value});
        continue;
      }
      staged.push_back(&m);
      overlay[{m.cf, m.key}] = &m.value;
    }
  }
  if (!any)
    return results;
  // In key order, each memtable insert lands next to the one before it and
  // reuses its position (the insert hint, or the skiplist's own splice for
  // families without one); in transaction order, a group that stores new
  // requests (the newest ids) and completes older ones (ids from a while
  // ago) jumps between the two ends and searches the skiplist for each.
  // The sort is stable, so writes to one key keep their order.
  std::stable_sort(staged.begin(), staged.end(), [](const mutation* a, const mutation* b) {
    return a->cf != b->cf ? a->cf < b->cf : a->key < b->key;
  });
  rocksdb::WriteBatch batch;
  for (const auto* m : staged) {
    auto* handle = handles_[static_cast<size_t>(m->cf)];
    if (m->value)
      batch.Put(handle, m->key, *m->value);
    else
      batch.Delete(handle, m->key);
  }
  // The writer is the only writer of counters, so it knows their values:
  // one Put per counter per batch instead of a merge operand per
  // transaction (writing operands cost ~7k instructions each, and a read
  // had to apply all those in the memtable).
  std::vector<std::pair<std::pair<column, std::string>, int64_t>> written;
  for (const auto& [key, delta] : deltas) {
    auto cached = counter_values_.find(key);
    int64_t value = 0;
    if (cached != counter_values_.end()) {
      value = cached->second;
    } else {
      auto stored = counter(key.second);
      if (!stored) {
        for (auto& r : results)
          if (r)
            r = stored.error();
        return results;
      }
      value = *stored;
    }
    value += delta;
    batch.Put(handles_[static_cast<size_t>(key.first)], key.second, encode_count(value));
    written.emplace_back(key, value);
  }
  rocksdb::WriteOptions options;
  options.sync = true;
  auto st = db_->Write(options, &batch);
  if (!st.ok()) {
    refusal_ = make_failure(errc::unavailable,
                            "Storage refuses writes since a synced write failed; retry later");
    refusal_cause_ = "a synced write failed: " + st.ToString();
    writes_refused_.store(true, std::memory_order_release);
    for (auto& r : results)
      if (r)
        r = *refusal_;
    return results;
  }
  {
    std::lock_guard lock{counter_mutex_};
    for (auto& [key, value] : written)
      counter_values_[key] = value;
  }
  std::array<bool, column_count> touched{};
  for (const auto* m : staged)
    touched[static_cast<size_t>(m->cf)] = true;
  for (const auto& [key, delta] : deltas)
    touched[static_cast<size_t>(key.first)] = true;
  for (size_t cf = 0; cf < column_count; ++cf)
    if (touched[cf])
      column_writes_[cf].fetch_add(1, std::memory_order_release);
  return results;
}

status store::commit(transaction tx) {
  std::vector<transaction> group;
  group.push_back(std::move(tx));
  return std::move(commit_group(group).front());
}

} // namespace certmint
