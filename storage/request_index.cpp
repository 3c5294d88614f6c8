#include "storage/request_index.hpp"

namespace certmint {

namespace {

char status_byte(request_status status) {
  return static_cast<char>(static_cast<uint8_t>(status));
}

void index(transaction& tx, const request_record& record, request_status status, bool add) {
  auto by_status = status_index_prefix(status) + record.id;
  auto by_both = profile_status_index_prefix(record.profile_id, status) + record.id;
  if (add) {
    tx.put_raw(column::request_index, std::move(by_status), {});
    tx.put_raw(column::request_index, std::move(by_both), {});
  } else {
    tx.erase(column::request_index, std::move(by_status));
    tx.erase(column::request_index, std::move(by_both));
  }
  int64_t delta = add ? 1 : -1;
  tx.add(column::counters, status_index_prefix(status), delta);
  tx.add(column::counters, profile_status_index_prefix(record.profile_id, status), delta);
}

} // namespace

std::string status_index_prefix(request_status status) {
  return std::string{'S', status_byte(status)};
}

std::string profile_index_prefix(std::string_view profile_id) {
  std::string out{'P'};
  out.append(profile_id);
  out.push_back('/');
  return out;
}

std::string profile_status_index_prefix(std::string_view profile_id, request_status status) {
  std::string out{'Q'};
  out.append(profile_id);
  out.push_back('/');
  out.push_back(status_byte(status));
  return out;
}

void stage_request(transaction& tx, const request_record& record,
                   std::optional<request_status> previous) {
  tx.put(column::requests, record.id, record);
  if (!previous)
    tx.put_raw(column::request_index, profile_index_prefix(record.profile_id) + record.id, {});
  if (previous == record.status)
    return;
  if (previous)
    index(tx, record, *previous, false);
  index(tx, record, record.status, true);
}

std::string approval_expiry_key(int64_t expires_at, std::string_view approval_id) {
  std::string out(8, '\0');
  auto v = static_cast<uint64_t>(expires_at);
  for (int i = 7; i >= 0; --i, v >>= 8)
    out[static_cast<size_t>(i)] = static_cast<char>(v & 0xff);
  out.append(approval_id);
  return out;
}

int64_t approval_expiry_time(std::string_view key) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && i < key.size(); ++i)
    v = (v << 8) | static_cast<uint8_t>(key[i]);
  return static_cast<int64_t>(v);
}

std::string request_id_floor(int64_t unix_ms) {
  static constexpr char digits[] = "0123456789abcdef";
  auto ms = static_cast<uint64_t>(unix_ms < 0 ? 0 : unix_ms) & 0xffffffffffffULL;
  std::string hex(12, '0');
  for (int i = 11; i >= 0; --i, ms >>= 4)
    hex[static_cast<size_t>(i)] = digits[ms & 0xf];
  return hex.substr(0, 8) + "-" + hex.substr(8);
}

} // namespace certmint
