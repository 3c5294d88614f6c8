#include "storage/ca_factory.hpp"

#include "engine/certificate_builder.hpp"
#include "engine/identifiers.hpp"
#include "engine/key_generator.hpp"
#include "engine/key_encoding.hpp"
#include "storage/key_sealer.hpp"

namespace certmint {

result<new_ca> make_ca(std::string name, std::string friendly_name, ca_type type,
                       const subject_fields& subject, key_algorithm alg, int path_length,
                       const key_sealer& sealer, int64_t now) {
  auto key = generate_key(alg);
  if (!key)
    return std::move(key).error();
  new_ca out;
  auto& ca = out.record;
  ca.id = make_uuid_v7();
  ca.name = std::move(name);
  ca.friendly_name = std::move(friendly_name);
  ca.type = type;
  ca.status = ca_status::pending_certificate;
  ca.key_alg = alg;
  ca.sealed_key = sealer.seal(private_key_to_pkcs8_der(key->get()));
  ca.public_key_der = public_key_to_der(key->get());
  ca.ca_cert_id = make_uuid_v7();
  ca.crl_id = make_uuid_v7();
  ca.subject = subject;
  ca.path_length = path_length;
  ca.serial = make_serial();
  ca.created_at = now;
  ca.updated_at = now;
  out.key = std::move(*key);
  return out;
}

status self_sign_root(new_ca& ca, int64_t not_before, int64_t not_after) {
  ca_certificate_spec spec{ca.record.subject,
                           {},
                           not_before,
                           not_after,
                           ca.record.path_length,
                           default_hash(ca.record.key_alg)};
  auto der = sign_root(ca.key.get(), ca.record.serial, spec);
  if (!der)
    return std::move(der).error();
  install_certificate(ca.record, std::move(*der), {}, not_before, not_after);
  return {};
}

void install_certificate(ca_record& ca, std::string der, std::vector<std::string> parent_chain_der,
                         int64_t not_before, int64_t not_after) {
  ca.certificate_der = std::move(der);
  ca.parent_chain_der = std::move(parent_chain_der);
  ca.not_before = not_before;
  ca.not_after = not_after;
  ca.csr_pem.clear();
  if (ca.status == ca_status::pending_certificate)
    ca.status = ca_status::active;
}

} // namespace certmint
