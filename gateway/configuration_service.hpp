#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "engine/error.hpp"
#include "gateway/ca_parser.hpp"
#include "gateway/policy_parser.hpp"
#include "gateway/profile_parser.hpp"
#include "storage/records.hpp"
#include "storage/revocation.hpp"

namespace certmint {

class actor_bridge;
class catalog;
class store;
struct transaction;

/// A page of a list and the number of matches in all pages.
template <class T> struct page {
  std::vector<T> items;
  size_t total = 0;
};

struct profile_filter {
  size_t offset = 0;
  size_t limit = 20;
  std::string search;
  std::string enrollment_type;
  std::string issuer_type;
  std::string ca_id;
};

/// What `sign-intermediate` returns.
struct signed_intermediate {
  std::string der;
  std::string serial;
  std::vector<std::string> chain_pem; ///< the signing CA first, root last
};

/// Certificate policies, profiles and internal CAs: the rules of Infisical
/// §3.4, §3.6 and §3.7 over the store. Changes are serialized (one at a
/// time), written through the storage writer, and published to the
/// catalog, so the next issuance sees them; CA changes start and stop the
/// CA's signers.
class configuration_service {
public:
  configuration_service(std::shared_ptr<const store> db, std::shared_ptr<catalog> configuration,
                        actor_bridge& bridge);

  result<policy_record> create_policy(const policy_body& body);
  page<policy_record> list_policies(size_t offset, size_t limit, const std::string& search) const;
  result<policy_record> get_policy(const std::string& id) const;
  result<policy_record> update_policy(const std::string& id, const policy_body& body);
  result<policy_record> delete_policy(const std::string& id);

  result<profile_record> create_profile(const profile_body& body);
  page<profile_record> list_profiles(const profile_filter& filter) const;
  result<profile_record> get_profile(const std::string& id) const;
  result<profile_record> get_profile_by_slug(const std::string& slug) const;
  result<profile_record> update_profile(const std::string& id, const profile_body& body);
  result<profile_record> delete_profile(const std::string& id);
  result<page<listed_certificate>> profile_certificates(const std::string& id, size_t offset,
                                                        size_t limit) const;

  result<ca_record> create_ca(const ca_create_body& body);
  result<std::vector<ca_record>> list_cas() const;
  result<ca_record> get_ca(const std::string& id) const;
  result<ca_record> update_ca(const std::string& id, const ca_patch_body& body);
  result<ca_record> delete_ca(const std::string& id);
  result<std::string> ca_csr(const std::string& id) const;
  result<ca_record> import_ca_certificate(const std::string& id,
                                          const import_certificate_body& body);
  result<signed_intermediate> sign_intermediate(const std::string& id,
                                                const sign_intermediate_body& body);
  /// The CRL at a CRL distribution point, by its id (a CA's crl_id).
  result<crl_record> get_crl(const std::string& crl_id) const;
  /// The CA's CRLs: its current one, or none before its first is signed.
  result<std::vector<crl_record>> ca_crls(const std::string& ca_id) const;

private:
  status commit_and_publish(transaction tx);
  result<std::string> unique_policy_name(const std::string& wanted, const std::string& self_id);
  status check_profile(profile_record& profile, const profile_body& body, bool create);
  result<std::string> sign_subordinate(const ca_record& parent, std::string_view spki,
                                       std::string subject_der, const subject_fields& subject,
                                       std::optional<int64_t> not_before, int64_t not_after,
                                       int max_path_length, std::string serial);

  std::shared_ptr<const store> db_;
  std::shared_ptr<catalog> configuration_;
  actor_bridge& bridge_;
  std::mutex writes_;
};

} // namespace certmint
