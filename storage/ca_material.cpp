#include "storage/ca_material.hpp"

#include "engine/key_encoding.hpp"
#include "engine/pem.hpp"
#include "storage/key_sealer.hpp"
#include "storage/records.hpp"

namespace certmint {

std::string crl_url(const std::string& public_url, const ca_record& ca) {
  return public_url + "/api/v1/cert-manager/crl/" + ca.crl_id + "/der";
}

std::string ca_issuers_url(const std::string& public_url, const ca_record& ca) {
  return public_url + "/api/v1/cert-manager/ca/internal/" + ca.id + "/certificates/" + ca.ca_cert_id
         + "/der";
}

result<issuer_material> load_issuer_material(const ca_record& ca, const key_sealer& sealer,
                                             const std::string& public_url) {
  auto key_der = sealer.unseal(ca.sealed_key);
  if (!key_der)
    return std::move(key_der).error();
  auto key = private_key_from_pkcs8_der(*key_der);
  if (!key)
    return std::move(key).error();
  auto cert = certificate_from_der(ca.certificate_der);
  if (!cert)
    return make_failure(errc::storage_failure,
                        "stored certificate of CA " + ca.id + " does not decode");
  return make_issuer_material(std::move(*cert), std::move(*key), ca.key_alg,
                              crl_url(public_url, ca), ca_issuers_url(public_url, ca));
}

} // namespace certmint
