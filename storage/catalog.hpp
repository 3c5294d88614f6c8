#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/issuance.hpp"
#include "storage/records.hpp"
#include "storage/store.hpp"

namespace certmint {

/// The public facts about a CA that issuance and the API read on every
/// request (never the key: that stays with the CA's signers).
struct ca_view {
  std::string id;
  std::string name;
  ca_type type = ca_type::root;
  ca_status status = ca_status::active;
  key_algorithm key_alg = key_algorithm::ec_p256;
  int64_t not_before = 0;
  int64_t not_after = 0;
  std::string ca_cert_id;
  std::string crl_id;
  std::string serial_hex;
  std::string certificate_der;
  std::vector<std::string> chain_pem; ///< own certificate first, root last
  /// chain_pem joined, as a quoted JSON string (line breaks escaped):
  /// every poll answer carries it, and appending it as is saves escaping
  /// ~2 KB per poll (~7k instructions, a tenth of a poll).
  std::string chain_json;
  int path_length = -1;

  issuer_facts facts() const {
    return {key_alg, not_before, not_after, status == ca_status::active, path_length, false};
  }
};

/// An immutable snapshot of profiles, policies and CAs.
struct catalog_snapshot {
  std::unordered_map<std::string, profile_record> profiles;
  std::unordered_map<std::string, std::string> profile_ids_by_slug;
  std::unordered_map<std::string, policy_record> policies;
  std::unordered_map<std::string, ca_view> cas;
  std::vector<approval_policy_record> approval_policies; ///< oldest first

  const profile_record* profile(const std::string& id) const;
  /// The approval policy whose conditions name the profile's slug (the
  /// oldest when several do), or null.
  const approval_policy_record* approval_policy_for(const std::string& profile_slug) const;
  const profile_record* profile_by_slug(const std::string& slug) const;
  const ca_view* ca(const std::string& id) const;
  const policy_record* policy(const std::string& id) const;
};

/// The in-memory cache of configuration read on the hot path. Readers take
/// the current snapshot without locking; a change publishes a new snapshot
/// (copy-on-write), so an issuance never sees half an update.
class catalog {
public:
  static result<std::shared_ptr<catalog>> load(const store& db);

  /// Reads the configuration again and publishes it (after a change).
  status refresh(const store& db);

  std::shared_ptr<const catalog_snapshot> current() const { return std::atomic_load(&snapshot_); }

  void publish(std::shared_ptr<const catalog_snapshot> next) {
    std::atomic_store(&snapshot_, std::move(next));
  }

private:
  std::shared_ptr<const catalog_snapshot> snapshot_;
};

/// Builds the public view of a CA record.
ca_view make_ca_view(const ca_record& record);

} // namespace certmint
