#include "storage/revocation.hpp"

#include <utility>

namespace certmint {

std::string revocation_counter_key(std::string_view ca_id) {
  return "revocations/" + std::string{ca_id};
}

transaction revoke_certificate(certificate_record cert, std::string stored,
                               const revocation_record& revocation, failure on_changed) {
  transaction tx;
  tx.expect_value(column::certificates, cert.id, std::move(stored), std::move(on_changed));
  cert.status = certificate_status::revoked;
  tx.put(column::certificates, cert.id, cert);
  tx.put(column::revocations, serial_index_key(cert.ca_id, cert.serial), revocation);
  tx.add(column::counters, revocation_counter_key(cert.ca_id), 1);
  return tx;
}

result<std::optional<revocation_record>> find_revocation(const store& db,
                                                         const certificate_record& cert) {
  if (cert.status != certificate_status::revoked)
    return std::optional<revocation_record>{};
  return db.get_record<revocation_record>(column::revocations,
                                          serial_index_key(cert.ca_id, cert.serial));
}

result<std::vector<revocation_record>> ca_revocations(const store& db, std::string_view ca_id,
                                                      int64_t expired_since) {
  std::vector<revocation_record> out;
  status failed;
  auto scanned =
      db.scan_prefix(column::revocations, ca_id, [&](std::string_view, std::string_view value) {
        auto revocation = decode_record<revocation_record>(value);
        if (!revocation) {
          failed = std::move(revocation).error();
          return false;
        }
        if (revocation->not_after >= expired_since)
          out.push_back(std::move(*revocation));
        return true;
      });
  if (!scanned)
    return std::move(scanned).error();
  if (!failed)
    return std::move(failed).error();
  return out;
}

} // namespace certmint
