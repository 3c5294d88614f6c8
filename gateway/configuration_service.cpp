#include "gateway/configuration_service.hpp"

#include <algorithm>
#include <cctype>

#include "engine/ca_documents.hpp"
#include "engine/certificate_builder.hpp"
#include "engine/csr.hpp"
#include "engine/hex.hpp"
#include "engine/identifiers.hpp"
#include "engine/pem.hpp"
#include "engine/text.hpp"
#include "engine/time_format.hpp"
#include "engine/x509_names.hpp"
#include "gateway/actor_bridge.hpp"
#include "storage/ca_factory.hpp"
#include "storage/catalog.hpp"
#include "storage/key_sealer.hpp"
#include "storage/store.hpp"

namespace certmint {

namespace {

bool contains_ci(std::string_view haystack, std::string_view needle) {
  return needle.empty() || to_lower(haystack).find(to_lower(needle)) != std::string::npos;
}

// Infisical stores policy names slugified (@sindresorhus/slugify).
std::string slugify(std::string_view text) {
  std::string out;
  bool dash = false;
  for (auto c : text) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u)) {
      if (dash && !out.empty())
        out.push_back('-');
      out.push_back(static_cast<char>(std::tolower(u)));
      dash = false;
    } else {
      dash = true;
    }
  }
  return out.empty() ? "policy" : out;
}

std::string random_suffix() {
  static constexpr char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string out;
  for (auto byte : random_bytes(8))
    out.push_back(alphabet[static_cast<unsigned char>(byte) % 36]);
  return out;
}

template <class T> page<T> slice(std::vector<T> all, size_t offset, size_t limit) {
  page<T> out;
  out.total = all.size();
  for (size_t i = offset; i < all.size() && out.items.size() < limit; ++i)
    out.items.push_back(std::move(all[i]));
  return out;
}

failure not_found_policy() {
  return make_failure(errc::not_found, "Certificate policy not found");
}

failure not_found_profile(const std::string& id) {
  return make_failure(errc::not_found, "Certificate profile with ID '" + id + "' not found");
}

failure not_found_ca(const std::string& id) {
  return make_failure(errc::not_found, "CA with ID '" + id + "' not found");
}

// The defaults of a profile judged by its policy: only the values the
// defaults set are checked (a rule that requires a value the defaults
// leave to the request is not violated by the defaults).
std::vector<std::string> check_defaults(const profile_defaults& d,
                                        const certificate_policy& policy) {
  std::vector<std::string> errors;
  if (d.ttl_days && policy.max_validity) {
    auto max = parse_policy_duration(*policy.max_validity);
    if (max && *d.ttl_days * 86400 > *max)
      errors.push_back("Profile's default TTL (" + std::to_string(*d.ttl_days)
                       + " days) exceeds the policy's maximum validity (" + *policy.max_validity
                       + "). Please update the profile or policy to fix this configuration "
                         "mismatch.");
  }
  policy_request view;
  view.subject.common_name = d.common_name.value_or("");
  view.subject.organization = d.organization.value_or("");
  view.subject.organizational_unit = d.organizational_unit.value_or("");
  view.subject.country = d.country.value_or("");
  view.subject.state = d.state.value_or("");
  view.subject.locality = d.locality.value_or("");
  // A default the subject encoder refuses (a three-letter country, a
  // control character, an over-long value) would fail every issuance that
  // uses it: refused now, with the encoder's reason.
  if (auto der = encode_subject(view.subject); !der)
    errors.push_back(std::move(der).error().message);
  view.key_usages = d.key_usages.value_or(0);
  view.ext_key_usages = d.ext_key_usages.value_or(0);
  view.key_alg = d.key_alg;
  view.signature_alg = d.signature_alg;
  view.wants_ca = d.is_ca.value_or(false);
  view.path_length = d.path_length;
  for (auto& message : evaluate_policy(policy, view, unix_now())) {
    bool about_absence = message.rfind("Missing required", 0) == 0
                         || message.rfind("Required ", 0) == 0
                         || message.find("is required by this policy") != std::string::npos;
    if (!about_absence)
      errors.push_back(std::move(message));
  }
  return errors;
}

} // namespace

configuration_service::configuration_service(std::shared_ptr<const store> db,
                                             std::shared_ptr<catalog> configuration,
                                             actor_bridge& bridge)
    : db_(std::move(db)), configuration_(std::move(configuration)), bridge_(bridge) {}

status configuration_service::commit_and_publish(transaction tx) {
  if (auto ok = bridge_.commit(std::move(tx)); !ok)
    return ok;
  return configuration_->refresh(*db_);
}

// ---- policies ---------------------------------------------------------------

result<std::string> configuration_service::unique_policy_name(const std::string& wanted,
                                                              const std::string& self_id) {
  auto policies = db_->load_all<policy_record>(column::policies);
  if (!policies)
    return std::move(policies).error();
  auto taken = [&](const std::string& name) {
    return std::any_of(policies->begin(), policies->end(),
                       [&](const policy_record& p) { return p.name == name && p.id != self_id; });
  };
  auto slug = slugify(wanted);
  while (taken(slug))
    slug = slugify(wanted) + "-" + random_suffix();
  return slug;
}

result<policy_record> configuration_service::create_policy(const policy_body& body) {
  policy_record policy;
  body.apply_to(policy.rules);
  if (auto ok = check_policy_consistency(policy.rules); !ok)
    return std::move(ok).error();
  std::lock_guard<std::mutex> guard{writes_};
  auto name = unique_policy_name(body.name.value_or(""), "");
  if (!name)
    return std::move(name).error();
  policy.id = make_uuid_v7();
  policy.name = std::move(*name);
  policy.description = body.description.value_or("");
  policy.created_at = policy.updated_at = unix_now();
  transaction tx;
  tx.put(column::policies, policy.id, policy);
  if (auto ok = commit_and_publish(std::move(tx)); !ok)
    return std::move(ok).error();
  return policy;
}

page<policy_record> configuration_service::list_policies(size_t offset, size_t limit,
                                                         const std::string& search) const {
  auto snapshot = configuration_->current();
  std::vector<policy_record> all;
  for (const auto& [id, policy] : snapshot->policies)
    if (contains_ci(policy.name, search) || contains_ci(policy.description, search))
      all.push_back(policy);
  std::sort(all.begin(), all.end(),
            [](const policy_record& a, const policy_record& b) { return a.id < b.id; });
  return slice(std::move(all), offset, limit);
}

result<policy_record> configuration_service::get_policy(const std::string& id) const {
  const auto* policy = configuration_->current()->policy(id);
  if (policy == nullptr)
    return not_found_policy();
  return *policy;
}

result<policy_record> configuration_service::update_policy(const std::string& id,
                                                           const policy_body& body) {
  std::lock_guard<std::mutex> guard{writes_};
  auto policy = get_policy(id);
  if (!policy)
    return policy;
  body.apply_to(policy->rules);
  if (auto ok = check_policy_consistency(policy->rules); !ok)
    return std::move(ok).error();
  if (body.name) {
    auto name = unique_policy_name(*body.name, id);
    if (!name)
      return std::move(name).error();
    policy->name = std::move(*name);
  }
  if (body.description)
    policy->description = *body.description;
  policy->updated_at = unix_now();
  transaction tx;
  tx.put(column::policies, policy->id, *policy);
  if (auto ok = commit_and_publish(std::move(tx)); !ok)
    return std::move(ok).error();
  return policy;
}

result<policy_record> configuration_service::delete_policy(const std::string& id) {
  std::lock_guard<std::mutex> guard{writes_};
  auto policy = get_policy(id);
  if (!policy)
    return policy;
  std::vector<std::string> users;
  for (const auto& [pid, profile] : configuration_->current()->profiles)
    if (profile.policy_id == id)
      users.push_back(profile.slug);
  if (!users.empty())
    return make_failure(errc::bad_request,
                        "Certificate policy is used by certificate profiles (" + join(users)
                            + ") and cannot be deleted; delete them or move them to another "
                              "policy first");
  transaction tx;
  tx.mutations.push_back({column::policies, id, std::nullopt});
  if (auto ok = commit_and_publish(std::move(tx)); !ok)
    return std::move(ok).error();
  return policy;
}

// ---- profiles ---------------------------------------------------------------

status configuration_service::check_profile(profile_record& profile, const profile_body& body,
                                            bool create) {
  auto snapshot = configuration_->current();
  if (body.policy_id)
    profile.policy_id = *body.policy_id;
  if (body.ca_id)
    profile.ca_id = *body.ca_id;
  if (body.slug)
    profile.slug = *body.slug;
  if (body.description)
    profile.description = *body.description;
  if (body.enrollment_type)
    profile.enrollment_type = *body.enrollment_type;
  if (body.issuer_type)
    profile.issuer_type = *body.issuer_type;
  if (body.auto_renew)
    profile.auto_renew = *body.auto_renew;
  if (body.renew_before_days)
    profile.renew_before_days = *body.renew_before_days;
  if (body.defaults)
    profile.defaults = body.defaults->value_or(profile_defaults{});
  if (!create) {
    // A patch may change the issuer: the refinements judge the result.
    auto problems =
        profile_refinements(profile.enrollment_type, profile.issuer_type, !profile.ca_id.empty(),
                            profile.enrollment_type == "api" || body.has_api_config,
                            body.has_est_config, body.has_acme_config);
    if (!problems.empty())
      return make_failure(errc::validation_failed, join(problems));
  }
  if (profile.enrollment_type != "api")
    return make_failure(errc::bad_request, "Enrollment type '" + profile.enrollment_type
                                               + "' is not supported yet; use 'api'");
  const auto* policy = snapshot->policy(profile.policy_id);
  if (policy == nullptr)
    return not_found_policy();
  if (profile.issuer_type == "ca" && snapshot->ca(profile.ca_id) == nullptr)
    return not_found_ca(profile.ca_id);
  const auto* same_slug = snapshot->profile_by_slug(profile.slug);
  if (same_slug != nullptr && same_slug->id != profile.id)
    return make_failure(errc::bad_request,
                        "Certificate profile with slug '" + profile.slug + "' already exists");
  auto errors = check_defaults(profile.defaults, policy->rules);
  if (!errors.empty())
    return make_failure(errc::bad_request,
                        "Certificate profile defaults violate the certificate policy: "
                            + join(errors));
  return {};
}

result<profile_record> configuration_service::create_profile(const profile_body& body) {
  std::lock_guard<std::mutex> guard{writes_};
  profile_record profile;
  profile.id = make_uuid_v7();
  profile.created_at = profile.updated_at = unix_now();
  if (auto ok = check_profile(profile, body, true); !ok)
    return std::move(ok).error();
  transaction tx;
  tx.put(column::profiles, profile.id, profile);
  if (auto ok = commit_and_publish(std::move(tx)); !ok)
    return std::move(ok).error();
  return profile;
}

page<profile_record> configuration_service::list_profiles(const profile_filter& f) const {
  auto snapshot = configuration_->current();
  std::vector<profile_record> all;
  for (const auto& [id, p] : snapshot->profiles) {
    if (!contains_ci(p.slug, f.search) && !contains_ci(p.description, f.search))
      continue;
    if ((!f.enrollment_type.empty() && p.enrollment_type != f.enrollment_type)
        || (!f.issuer_type.empty() && p.issuer_type != f.issuer_type)
        || (!f.ca_id.empty() && p.ca_id != f.ca_id))
      continue;
    all.push_back(p);
  }
  std::sort(all.begin(), all.end(),
            [](const profile_record& a, const profile_record& b) { return a.id < b.id; });
  return slice(std::move(all), f.offset, f.limit);
}

result<profile_record> configuration_service::get_profile(const std::string& id) const {
  const auto* profile = configuration_->current()->profile(id);
  if (profile == nullptr)
    return not_found_profile(id);
  return *profile;
}

result<profile_record> configuration_service::get_profile_by_slug(const std::string& slug) const {
  const auto* profile = configuration_->current()->profile_by_slug(slug);
  if (profile == nullptr)
    return make_failure(errc::not_found, "Certificate profile with slug '" + slug + "' not found");
  return *profile;
}

result<profile_record> configuration_service::update_profile(const std::string& id,
                                                             const profile_body& body) {
  std::lock_guard<std::mutex> guard{writes_};
  auto profile = get_profile(id);
  if (!profile)
    return profile;
  if (auto ok = check_profile(*profile, body, false); !ok)
    return std::move(ok).error();
  profile->updated_at = unix_now();
  transaction tx;
  tx.put(column::profiles, profile->id, *profile);
  if (auto ok = commit_and_publish(std::move(tx)); !ok)
    return std::move(ok).error();
  return profile;
}

result<profile_record> configuration_service::delete_profile(const std::string& id) {
  std::lock_guard<std::mutex> guard{writes_};
  auto profile = get_profile(id);
  if (!profile)
    return profile;
  transaction tx;
  tx.mutations.push_back({column::profiles, id, std::nullopt});
  if (auto ok = commit_and_publish(std::move(tx)); !ok)
    return std::move(ok).error();
  return profile;
}

result<page<listed_certificate>> configuration_service::profile_certificates(const std::string& id,
                                                                             size_t offset,
                                                                             size_t limit) const {
  if (auto profile = get_profile(id); !profile)
    return std::move(profile).error();
  page<listed_certificate> out;
  std::vector<std::string> ids;
  auto scanned = db_->scan_prefix(column::profile_certificates, id,
                                  [&](std::string_view key, std::string_view) {
                                    ids.emplace_back(key.substr(id.size()));
                                    return true;
                                  });
  if (!scanned)
    return std::move(scanned).error();
  out.total = ids.size();
  for (size_t i = offset; i < ids.size() && out.items.size() < limit; ++i) {
    auto cert = db_->get_record<certificate_record>(column::certificates, ids[i]);
    if (!cert)
      return std::move(cert).error();
    if (!*cert)
      continue;
    auto revocation = find_revocation(*db_, **cert);
    if (!revocation)
      return std::move(revocation).error();
    out.items.push_back({std::move(**cert), std::move(*revocation)});
  }
  return out;
}

// ---- CAs --------------------------------------------------------------------

result<std::string>
configuration_service::sign_subordinate(const ca_record& parent, std::string_view spki,
                                        std::string subject_der, const subject_fields& subject,
                                        std::optional<int64_t> not_before, int64_t not_after,
                                        int max_path_length, std::string serial) {
  auto now = unix_now();
  if (parent.status == ca_status::disabled)
    return make_failure(errc::bad_request, "CA is disabled");
  if (parent.status == ca_status::pending_certificate)
    return make_failure(errc::bad_request, "CA does not have a certificate installed");
  if (now > parent.not_after)
    return make_failure(errc::bad_request, "CA is expired");
  auto start = not_before.value_or(now);
  if (start < parent.not_before)
    return make_failure(errc::bad_request,
                        "notBefore date is before CA certificate's notBefore date");
  if (start >= not_after)
    return make_failure(errc::bad_request, "notBefore date is after notAfter date");
  if (not_after > parent.not_after)
    return make_failure(errc::bad_request, "notAfter date is after CA certificate's notAfter date");
  transaction reserve;
  auto index_key = serial_index_key(parent.id, serial);
  reserve.conditions.push_back({precondition::kind::absent,
                                column::serials,
                                index_key,
                                request_status::pending,
                                make_failure(errc::conflict, "serial already in use"),
                                {}});
  reserve.put_raw(column::serials, index_key, "ca-certificate");
  if (auto ok = bridge_.commit(std::move(reserve)); !ok)
    return std::move(ok).error();
  ca_signing_order order;
  order.subject_spki = std::string{spki};
  order.serial = std::move(serial);
  order.spec.subject = subject;
  order.spec.subject_der = std::move(subject_der);
  order.spec.not_before = start;
  order.spec.not_after = not_after;
  order.spec.path_length = max_path_length;
  order.spec.hash = default_hash(parent.key_alg);
  return bridge_.sign_ca(parent.id, std::move(order));
}

namespace {

// The pathLenConstraint a subordinate of `parent` gets (Infisical §3.4).
result<int> subordinate_path_length(const ca_record& parent, int requested) {
  if (parent.path_length == 0)
    return make_failure(
        errc::bad_request,
        "Failed to issue intermediate certificate due to CA path length constraint");
  if (parent.path_length > 0) {
    if (requested == -1)
      return parent.path_length - 1;
    if (requested >= parent.path_length)
      return make_failure(errc::bad_request,
                          "The requested path length constraint exceeds the CA's allowed path "
                          "length");
  }
  return requested;
}

} // namespace

result<ca_record> configuration_service::create_ca(const ca_create_body& body) {
  std::lock_guard<std::mutex> guard{writes_};
  for (const auto& [id, ca] : configuration_->current()->cas)
    if (ca.name == body.name)
      return make_failure(errc::bad_request, "CA with name '" + body.name + "' already exists");
  std::optional<ca_record> parent;
  if (!body.parent_id.empty()) {
    auto found = get_ca(body.parent_id);
    if (!found)
      return std::move(found).error();
    parent = std::move(*found);
  }
  int path_length = body.max_path_length;
  if (parent) {
    auto effective = subordinate_path_length(*parent, body.max_path_length);
    if (!effective)
      return std::move(effective).error();
    path_length = *effective;
  }
  key_sealer sealer;
  auto now = unix_now();
  auto made =
      make_ca(body.name, body.friendly_name, body.root ? ca_type::root : ca_type::intermediate,
              body.subject, body.key_alg, path_length, sealer, now);
  if (!made)
    return std::move(made).error();
  auto& ca = made->record;
  transaction tx;
  if (body.root) {
    if (auto ok = self_sign_root(*made, body.not_before.value_or(now), *body.not_after); !ok)
      return std::move(ok).error();
    tx.mutations.push_back({column::serials, serial_index_key(ca.id, ca.serial), ca.id});
  } else if (parent) {
    auto der = sign_subordinate(*parent, ca.public_key_der, {}, ca.subject, body.not_before,
                                body.not_after.value_or(parent->not_after), path_length, ca.serial);
    if (!der)
      return std::move(der).error();
    std::vector<std::string> chain{parent->certificate_der};
    chain.insert(chain.end(), parent->parent_chain_der.begin(), parent->parent_chain_der.end());
    ca.parent_id = parent->id;
    install_certificate(ca, std::move(*der), std::move(chain), body.not_before.value_or(now),
                        body.not_after.value_or(parent->not_after));
  } else {
    auto csr = make_ca_csr(made->key.get(), ca.subject, default_hash(ca.key_alg));
    if (!csr)
      return std::move(csr).error();
    ca.csr_pem = std::move(*csr);
  }
  if (body.disabled && ca.status == ca_status::active)
    ca.status = ca_status::disabled;
  tx.put(column::cas, ca.id, ca);
  if (auto ok = commit_and_publish(std::move(tx)); !ok)
    return std::move(ok).error();
  if (auto ok = bridge_.start_signers(ca); !ok)
    return std::move(ok).error();
  return ca;
}

result<std::vector<ca_record>> configuration_service::list_cas() const {
  return db_->load_all<ca_record>(column::cas);
}

result<ca_record> configuration_service::get_ca(const std::string& id) const {
  auto ca = db_->get_record<ca_record>(column::cas, id);
  if (!ca)
    return std::move(ca).error();
  if (!*ca)
    return not_found_ca(id);
  return std::move(**ca);
}

result<crl_record> configuration_service::get_crl(const std::string& crl_id) const {
  auto crl = db_->get_record<crl_record>(column::crls, crl_id);
  if (!crl)
    return std::move(crl).error();
  if (!*crl)
    return make_failure(errc::not_found, "CRL with ID '" + crl_id + "' not found");
  return std::move(**crl);
}

result<std::vector<crl_record>> configuration_service::ca_crls(const std::string& ca_id) const {
  auto ca = get_ca(ca_id);
  if (!ca)
    return std::move(ca).error();
  auto crl = db_->get_record<crl_record>(column::crls, ca->crl_id);
  if (!crl)
    return std::move(crl).error();
  std::vector<crl_record> out;
  if (*crl)
    out.push_back(std::move(**crl));
  return out;
}

result<ca_record> configuration_service::update_ca(const std::string& id,
                                                   const ca_patch_body& body) {
  std::lock_guard<std::mutex> guard{writes_};
  auto ca = get_ca(id);
  if (!ca)
    return ca;
  if (body.name && *body.name != ca->name) {
    for (const auto& [other_id, other] : configuration_->current()->cas)
      if (other.name == *body.name)
        return make_failure(errc::bad_request, "CA with name '" + *body.name + "' already exists");
    ca->name = *body.name;
  }
  if (body.disabled) {
    if (ca->status == ca_status::pending_certificate && !*body.disabled)
      return make_failure(errc::bad_request, "CA does not have a certificate installed");
    if (ca->status != ca_status::pending_certificate)
      ca->status = *body.disabled ? ca_status::disabled : ca_status::active;
  }
  ca->updated_at = unix_now();
  transaction tx;
  tx.put(column::cas, ca->id, *ca);
  if (auto ok = commit_and_publish(std::move(tx)); !ok)
    return std::move(ok).error();
  if (ca->status == ca_status::active) {
    if (auto ok = bridge_.start_signers(*ca); !ok)
      return std::move(ok).error();
  } else {
    bridge_.stop_signers(ca->id);
  }
  return ca;
}

result<ca_record> configuration_service::delete_ca(const std::string& id) {
  std::lock_guard<std::mutex> guard{writes_};
  auto ca = get_ca(id);
  if (!ca)
    return ca;
  std::vector<std::string> users;
  for (const auto& [pid, profile] : configuration_->current()->profiles)
    if (profile.ca_id == id)
      users.push_back(profile.slug);
  if (!users.empty())
    return make_failure(errc::bad_request, "CA is used by certificate profiles (" + join(users)
                                               + ") and cannot be deleted; delete them or move "
                                                 "them to another CA first");
  bridge_.stop_signers(id);
  transaction tx;
  tx.mutations.push_back({column::cas, id, std::nullopt});
  if (auto ok = commit_and_publish(std::move(tx)); !ok)
    return std::move(ok).error();
  return ca;
}

result<std::string> configuration_service::ca_csr(const std::string& id) const {
  auto ca = get_ca(id);
  if (!ca)
    return std::move(ca).error();
  if (ca->type == ca_type::root)
    return make_failure(errc::bad_request, "Root CA cannot generate CSR");
  if (ca->csr_pem.empty())
    return make_failure(errc::bad_request,
                        "CA already has a certificate from an internal parent; it has no CSR");
  return ca->csr_pem;
}

result<ca_record>
configuration_service::import_ca_certificate(const std::string& id,
                                             const import_certificate_body& body) {
  std::lock_guard<std::mutex> guard{writes_};
  auto ca = get_ca(id);
  if (!ca)
    return ca;
  if (ca->type == ca_type::root)
    return make_failure(errc::bad_request, "Root CA cannot import a certificate");
  if (!ca->parent_id.empty())
    return make_failure(errc::bad_request,
                        "Cannot import a certificate onto an intermediate CA signed by an "
                        "internal parent CA");
  auto imported = check_ca_import(body.certificate, body.certificate_chain, ca->subject,
                                  ca->path_length, ca->public_key_der);
  if (!imported)
    return std::move(imported).error();
  ca->serial = imported->serial;
  install_certificate(*ca, std::move(imported->der), std::move(imported->parent_chain_der),
                      imported->not_before, imported->not_after);
  ca->updated_at = unix_now();
  transaction tx;
  tx.put(column::cas, ca->id, *ca);
  if (auto ok = commit_and_publish(std::move(tx)); !ok)
    return std::move(ok).error();
  if (auto ok = bridge_.start_signers(*ca); !ok)
    return std::move(ok).error();
  return ca;
}

result<signed_intermediate>
configuration_service::sign_intermediate(const std::string& id,
                                         const sign_intermediate_body& body) {
  auto ca = get_ca(id);
  if (!ca)
    return std::move(ca).error();
  // A subordinate CA's subject is the administrator's to choose: no policy
  // judges it, so DC components or two OUs are kept as the CSR has them.
  auto csr = parse_csr(body.csr, csr_signature_check::verify, csr_subject_rule::any_attributes);
  if (!csr)
    return std::move(csr).error();
  auto path_length = subordinate_path_length(*ca, body.max_path_length);
  if (!path_length)
    return std::move(path_length).error();
  signed_intermediate out;
  out.serial = make_serial();
  auto der = sign_subordinate(*ca, csr->public_key_der, csr->subject_der, csr->subject,
                              body.not_before, body.not_after, *path_length, out.serial);
  if (!der)
    return std::move(der).error();
  out.der = std::move(*der);
  const auto* view = configuration_->current()->ca(id);
  if (view != nullptr)
    out.chain_pem = view->chain_pem;
  return out;
}

} // namespace certmint
