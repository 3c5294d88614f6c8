#pragma once

// Transactions the storage tests commit: a request reserving a serial, as
// the request actor's reservation does, with nothing else around it.

#include <string>

#include "storage/store.hpp"

namespace certmint::test {

inline request_record stored_request(const std::string& id, request_status status) {
  request_record r;
  r.id = id;
  r.status = status;
  r.created_at = 1;
  return r;
}

/// Stores request `id` as pending and takes `serial_key` in the serial
/// index; refused with `serial_collision` if the serial is taken.
inline transaction reserve(const std::string& id, const std::string& serial_key) {
  transaction tx;
  tx.conditions.push_back({precondition::kind::absent,
                           column::serials,
                           serial_key,
                           request_status::pending,
                           make_failure(errc::serial_collision, "serial in use"),
                           {}});
  tx.put(column::requests, id, stored_request(id, request_status::pending));
  tx.mutations.push_back({column::serials, serial_key, id});
  return tx;
}

} // namespace certmint::test
