#include "app/bootstrap.hpp"

#include "engine/certificate_builder.hpp"
#include "engine/identifiers.hpp"
#include "engine/pem.hpp"
#include "engine/time_format.hpp"
#include "storage/ca_factory.hpp"
#include "storage/ca_material.hpp"
#include "storage/key_sealer.hpp"
#include "storage/store.hpp"

namespace certmint {

namespace {

constexpr const char* bootstrap_key = "bootstrap";
constexpr const char* default_profile_key = "default_profile_id";
constexpr int64_t year = int64_t{365} * 86400;

// Infisical's rules deny whatever a policy does not mention, so "permissive"
// names every attribute, SAN type, usage and algorithm with `*` or in full.
certificate_policy permissive_policy() {
  certificate_policy p;
  for (auto type : {subject_attribute::common_name, subject_attribute::organization,
                    subject_attribute::organizational_unit, subject_attribute::country,
                    subject_attribute::state, subject_attribute::locality})
    p.subject.push_back({type, {{"*"}, {}, {}}});
  for (auto type : {san_type::dns_name, san_type::ip_address, san_type::email, san_type::uri})
    p.sans.push_back({type, {{"*"}, {}, {}}});
  usage_rule usages;
  for (auto name :
       key_usage_names(static_cast<uint16_t>(0x1ff & ~(ku_key_cert_sign | ku_crl_sign))))
    usages.allowed.emplace_back(name);
  p.key_usages = usages;
  usage_rule ext_usages;
  for (auto name : ext_key_usage_names(0x7f))
    ext_usages.allowed.emplace_back(name);
  p.ext_key_usages = ext_usages;
  p.signature_algorithms = std::vector<std::string>{"SHA256-RSA",   "SHA384-RSA",   "SHA512-RSA",
                                                    "SHA256-ECDSA", "SHA384-ECDSA", "SHA512-ECDSA"};
  p.key_algorithms = std::vector<std::string>{"RSA-2048",   "RSA-3072",   "RSA-4096",
                                              "ECDSA-P256", "ECDSA-P384", "ECDSA-P521"};
  p.max_validity = "10y";
  p.basic_constraints = basic_constraints_rule{ca_rule::denied, -1};
  return p;
}

identity_record admin_identity(std::string name, int64_t now) {
  return identity_record{std::move(name), role_admin, now, make_uuid_v7(), identity_kind::user};
}

} // namespace

result<bootstrap_outcome> bootstrap(store& db, const server_config& cfg) {
  bootstrap_outcome outcome;
  auto done = db.get(column::meta, bootstrap_key);
  if (!done)
    return std::move(done).error();
  auto now = unix_now();
  if (*done) {
    auto profile_id = db.get(column::meta, default_profile_key);
    if (!profile_id)
      return std::move(profile_id).error();
    outcome.default_profile_id = profile_id->value_or("");
    if (!cfg.admin_token.empty()) {
      auto digest = token_digest(cfg.admin_token);
      auto known = db.get(column::tokens, digest);
      if (!known)
        return std::move(known).error();
      if (!*known) {
        transaction tx;
        tx.put(column::tokens, digest, admin_identity("admin", now));
        if (auto ok = db.commit(std::move(tx)); !ok)
          return std::move(ok).error();
      }
    }
    return outcome;
  }
  key_sealer sealer;
  subject_fields root_subject;
  root_subject.common_name = "certmint development root CA";
  root_subject.organization = "certmint";
  auto root = make_ca("root", "Development root CA", ca_type::root, root_subject,
                      cfg.ca_key_algorithm, -1, sealer, now);
  if (!root)
    return std::move(root).error();
  if (auto ok = self_sign_root(*root, now, now + 20 * year); !ok)
    return std::move(ok).error();
  subject_fields intermediate_subject;
  intermediate_subject.common_name = "certmint development intermediate CA";
  intermediate_subject.organization = "certmint";
  auto intermediate = make_ca("intermediate", "Development intermediate CA", ca_type::intermediate,
                              intermediate_subject, cfg.ca_key_algorithm, 0, sealer, now);
  if (!intermediate)
    return std::move(intermediate).error();
  // No actor runs yet, so bootstrap signs with the root's material itself.
  auto parent = load_issuer_material(root->record, sealer, cfg.public_url);
  if (!parent)
    return std::move(parent).error();
  auto& inter = intermediate->record;
  ca_certificate_spec spec{inter.subject,
                           {},
                           now,
                           now + 10 * year,
                           inter.path_length,
                           default_hash(root->record.key_alg)};
  auto der = sign_intermediate(*parent, inter.public_key_der, inter.serial, spec);
  if (!der)
    return std::move(der).error();
  inter.parent_id = root->record.id;
  install_certificate(inter, std::move(*der), {root->record.certificate_der}, spec.not_before,
                      spec.not_after);
  policy_record policy{make_uuid_v7(),
                       "default",
                       "Permissive development policy: any subject and SAN, no CA certificates",
                       permissive_policy(),
                       now,
                       now};
  profile_record profile;
  profile.id = make_uuid_v7();
  profile.slug = "default";
  profile.description = "TLS server and client certificates from the development intermediate";
  profile.ca_id = inter.id;
  profile.policy_id = policy.id;
  profile.defaults.ttl_days = 90;
  // The policy names its algorithms, so requests must carry them: the
  // profile supplies the CA's own when a request is silent.
  profile.defaults.key_alg = cfg.ca_key_algorithm;
  profile.defaults.signature_alg =
      signature_algorithm{family_of(cfg.ca_key_algorithm), default_hash(cfg.ca_key_algorithm)};
  profile.defaults.key_usages = ku_digital_signature | ku_key_encipherment;
  profile.defaults.ext_key_usages = eku_server_auth | eku_client_auth;
  profile.created_at = now;
  profile.updated_at = now;
  auto token = cfg.admin_token;
  if (token.empty()) {
    token = make_api_token();
    outcome.generated_admin_token = token;
  }
  transaction tx;
  const auto& r = root->record;
  tx.put(column::cas, r.id, r);
  tx.put(column::cas, inter.id, inter);
  tx.mutations.push_back({column::serials, serial_index_key(r.id, r.serial), r.id});
  tx.mutations.push_back({column::serials, serial_index_key(r.id, inter.serial), inter.id});
  tx.put(column::policies, policy.id, policy);
  tx.put(column::profiles, profile.id, profile);
  tx.put(column::tokens, token_digest(token), admin_identity("admin", now));
  tx.mutations.push_back({column::meta, default_profile_key, profile.id});
  tx.mutations.push_back({column::meta, bootstrap_key, std::string{"1"}});
  if (auto ok = db.commit(std::move(tx)); !ok)
    return std::move(ok).error();
  outcome.created = true;
  outcome.default_profile_id = profile.id;
  return outcome;
}

} // namespace certmint
