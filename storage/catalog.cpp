#include "storage/catalog.hpp"

#include "engine/hex.hpp"
#include "engine/pem.hpp"

namespace certmint {

const profile_record* catalog_snapshot::profile(const std::string& id) const {
  auto it = profiles.find(id);
  return it == profiles.end() ? nullptr : &it->second;
}

const profile_record* catalog_snapshot::profile_by_slug(const std::string& slug) const {
  auto it = profile_ids_by_slug.find(slug);
  return it == profile_ids_by_slug.end() ? nullptr : profile(it->second);
}

const policy_record* catalog_snapshot::policy(const std::string& id) const {
  auto it = policies.find(id);
  return it == policies.end() ? nullptr : &it->second;
}

const approval_policy_record*
catalog_snapshot::approval_policy_for(const std::string& profile_slug) const {
  for (const auto& policy : approval_policies)
    for (const auto& names : policy.profile_names)
      for (const auto& name : names)
        if (name == profile_slug)
          return &policy;
  return nullptr;
}

const ca_view* catalog_snapshot::ca(const std::string& id) const {
  auto it = cas.find(id);
  return it == cas.end() ? nullptr : &it->second;
}

ca_view make_ca_view(const ca_record& record) {
  ca_view view;
  view.id = record.id;
  view.name = record.name;
  view.type = record.type;
  view.status = record.status;
  view.key_alg = record.key_alg;
  view.not_before = record.not_before;
  view.not_after = record.not_after;
  view.ca_cert_id = record.ca_cert_id;
  view.crl_id = record.crl_id;
  view.serial_hex = to_hex(record.serial);
  view.certificate_der = record.certificate_der;
  view.path_length = record.path_length;
  // Each certificate as PEM, and the same PEMs as one JSON string (PEM
  // needs no JSON escape but its line breaks).
  view.chain_json.push_back('"');
  auto add = [&view](std::string_view der) {
    view.chain_pem.push_back(pem_encode("CERTIFICATE", der));
    append_pem(view.chain_json, "CERTIFICATE", der, "\\n");
  };
  add(record.certificate_der);
  for (const auto& der : record.parent_chain_der)
    add(der);
  view.chain_json.push_back('"');
  return view;
}

namespace {

result<std::shared_ptr<const catalog_snapshot>> read_snapshot(const store& db) {
  auto snapshot = std::make_shared<catalog_snapshot>();
  auto profiles = db.load_all<profile_record>(column::profiles);
  if (!profiles)
    return std::move(profiles).error();
  for (auto& profile : *profiles) {
    snapshot->profile_ids_by_slug[profile.slug] = profile.id;
    auto id = profile.id;
    snapshot->profiles.emplace(std::move(id), std::move(profile));
  }
  auto policies = db.load_all<policy_record>(column::policies);
  if (!policies)
    return std::move(policies).error();
  for (auto& policy : *policies) {
    auto id = policy.id;
    snapshot->policies.emplace(std::move(id), std::move(policy));
  }
  auto cas = db.load_all<ca_record>(column::cas);
  if (!cas)
    return std::move(cas).error();
  for (const auto& ca : *cas)
    snapshot->cas.emplace(ca.id, make_ca_view(ca));
  auto approvals = db.load_all<approval_policy_record>(column::approval_policies);
  if (!approvals)
    return std::move(approvals).error();
  snapshot->approval_policies = std::move(*approvals);
  return std::shared_ptr<const catalog_snapshot>{std::move(snapshot)};
}

} // namespace

result<std::shared_ptr<catalog>> catalog::load(const store& db) {
  auto out = std::make_shared<catalog>();
  if (auto ok = out->refresh(db); !ok)
    return std::move(ok).error();
  return out;
}

status catalog::refresh(const store& db) {
  auto snapshot = read_snapshot(db);
  if (!snapshot)
    return std::move(snapshot).error();
  publish(std::move(*snapshot));
  return {};
}

} // namespace certmint
