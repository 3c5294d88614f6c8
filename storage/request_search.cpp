#include "storage/request_search.hpp"

#include <algorithm>
#include <array>

#include "engine/text.hpp"
#include "storage/request_index.hpp"
#include "storage/store.hpp"

namespace certmint {

namespace {

constexpr std::array<request_status, 5> all_statuses = {
    request_status::pending_approval, request_status::pending, request_status::issued,
    request_status::failed, request_status::rejected};

// One ordered source of request ids: an index prefix, or the requests
// column itself (keyed by id, value the record) when nothing narrows it.
struct stream {
  key_cursor cursor;
  bool holds_records = false;
};

// The id bounds of the query, as key suffixes: [lower, upper).
struct id_range {
  std::string lower;
  std::string upper; ///< empty: unbounded
  bool contains(std::string_view id) const { return id >= lower && (upper.empty() || id < upper); }
};

id_range make_range(const request_query& q) {
  id_range out;
  if (q.from_ms)
    out.lower = request_id_floor(*q.from_ms);
  if (q.to_ms)
    out.upper = request_id_floor(*q.to_ms + 1);
  return out;
}

std::vector<stream> open_streams(const store& db, const request_query& q, const id_range& range) {
  // Where each stream starts: after the cursor, within the date range.
  std::string from;
  if (q.descending) {
    from = range.upper;
    if (!q.after.empty() && (from.empty() || q.after < from))
      from = q.after;
  } else {
    from = std::max(range.lower, q.after);
  }
  std::vector<stream> out;
  auto add = [&](column cf, std::string prefix, bool holds_records) {
    out.push_back({db.walk(cf, std::move(prefix), from, q.descending), holds_records});
  };
  if (!q.profile_ids.empty()) {
    for (const auto& profile : q.profile_ids)
      add(column::request_index,
          q.status ? profile_status_index_prefix(profile, *q.status)
                   : profile_index_prefix(profile),
          false);
  } else if (q.status) {
    add(column::request_index, status_index_prefix(*q.status), false);
  } else {
    add(column::requests, {}, true);
  }
  return out;
}

bool needs_record(const request_query& q) {
  return !q.search.empty() || !q.metadata.empty() || !q.requested_by.empty();
}

bool matches(const request_query& q, const request_record& r) {
  if (q.status && r.status != *q.status)
    return false; // changed since the index entry was read
  if (!q.requested_by.empty() && r.requested_by != q.requested_by)
    return false;
  for (const auto& wanted : q.metadata)
    if (std::find(r.metadata.begin(), r.metadata.end(), wanted) == r.metadata.end())
      return false;
  if (q.search.empty())
    return true;
  auto needle = to_lower(q.search);
  if (to_lower(r.plan.subject.common_name).find(needle) != std::string::npos)
    return true;
  return std::any_of(r.plan.sans.begin(), r.plan.sans.end(), [&needle](const auto& san) {
    return to_lower(san.value).find(needle) != std::string::npos;
  });
}

// Merges the streams in id order, calling `visit(id, record-bytes-or-empty)`
// until it returns false or the range ends.
template <class Visit>
status merge(std::vector<stream>& streams, const request_query& q, const id_range& range,
             Visit&& visit) {
  for (;;) {
    stream* best = nullptr;
    for (auto& s : streams) {
      // Skip the cursor's own id and anything outside the range's far end.
      while (s.cursor.valid() && s.cursor.suffix() == q.after && !q.after.empty())
        s.cursor.next();
      if (!s.cursor.valid())
        continue;
      if (best == nullptr
          || (q.descending ? s.cursor.suffix() > best->cursor.suffix()
                           : s.cursor.suffix() < best->cursor.suffix()))
        best = &s;
    }
    if (best == nullptr)
      break;
    auto id = best->cursor.suffix();
    if (!range.contains(id))
      break; // streams walk toward the far end; nothing after this is inside
    if (!visit(id, best->holds_records ? best->cursor.value() : std::string_view{}))
      return {};
    best->cursor.next();
  }
  for (auto& s : streams)
    if (auto ok = s.cursor.error(); !ok)
      return ok;
  return {};
}

result<std::optional<request_record>> load(const store& db, std::string_view id,
                                           std::string_view bytes) {
  if (!bytes.empty()) {
    auto record = decode_record<request_record>(bytes);
    if (!record)
      return std::move(record).error();
    return std::optional<request_record>{std::move(*record)};
  }
  return db.get_record<request_record>(column::requests, id);
}

result<uint64_t> count_from_counters(const store& db, const request_query& q) {
  int64_t total = 0;
  auto add = [&](const std::string& key) -> status {
    auto n = db.counter(key);
    if (!n)
      return std::move(n).error();
    total += *n;
    return {};
  };
  std::vector<request_status> statuses;
  if (q.status)
    statuses.push_back(*q.status);
  else
    statuses.assign(all_statuses.begin(), all_statuses.end());
  for (auto status : statuses) {
    if (q.profile_ids.empty()) {
      if (auto ok = add(status_index_prefix(status)); !ok)
        return std::move(ok).error();
      continue;
    }
    for (const auto& profile : q.profile_ids)
      if (auto ok = add(profile_status_index_prefix(profile, status)); !ok)
        return std::move(ok).error();
  }
  return static_cast<uint64_t>(std::max<int64_t>(total, 0));
}

result<uint64_t> count_by_walking(const store& db, const request_query& q, const id_range& range) {
  request_query all = q;
  all.after.clear();
  auto streams = open_streams(db, all, range);
  uint64_t total = 0;
  std::optional<failure> broken;
  auto walked = merge(streams, all, range, [&](std::string_view id, std::string_view bytes) {
    if (!needs_record(all)) {
      ++total;
      return true;
    }
    auto record = load(db, id, bytes);
    if (!record) {
      broken = std::move(record).error();
      return false;
    }
    if (*record && matches(all, **record))
      ++total;
    return true;
  });
  if (!walked)
    return std::move(walked).error();
  if (broken)
    return std::move(*broken);
  return total;
}

} // namespace

result<request_page> search_requests(const store& db, const request_query& asked) {
  // A profile named twice would be walked and counted twice.
  auto query = asked;
  auto& profiles = query.profile_ids;
  std::sort(profiles.begin(), profiles.end());
  profiles.erase(std::unique(profiles.begin(), profiles.end()), profiles.end());
  auto range = make_range(query);
  auto streams = open_streams(db, query, range);
  request_page page;
  size_t skipped = 0;
  bool more = false;
  std::optional<failure> broken;
  auto walked = merge(streams, query, range, [&](std::string_view id, std::string_view bytes) {
    auto record = load(db, id, bytes);
    if (!record) {
      broken = std::move(record).error();
      return false;
    }
    if (!*record || !matches(query, **record))
      return true;
    if (skipped < query.offset) {
      ++skipped;
      return true;
    }
    if (page.requests.size() == query.limit) {
      more = true;
      return false;
    }
    page.requests.push_back(std::move(**record));
    return true;
  });
  if (!walked)
    return std::move(walked).error();
  if (broken)
    return std::move(*broken);
  if (more && !page.requests.empty())
    page.next_cursor = page.requests.back().id;
  auto total = needs_record(query) || query.from_ms || query.to_ms
                   ? count_by_walking(db, query, range)
                   : count_from_counters(db, query);
  if (!total)
    return std::move(total).error();
  page.total_count = *total;
  return page;
}

} // namespace certmint
