#pragma once

// Building and signing X.509 v3 certificates and v2 CRLs (RFC 5280). Only
// signer actors and CA bootstrap call these, because only they hold CA
// private keys.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/algorithms.hpp"
#include "engine/error.hpp"
#include "engine/issuance.hpp"
#include "engine/openssl_types.hpp"
#include "engine/revocation.hpp"
#include "engine/x509_names.hpp"

namespace certmint {

/// A CA's certificate and key, ready to sign, with the public URLs that
/// issued certificates point at (CRL distribution point, AIA caIssuers).
struct issuer_material {
  x509_ptr certificate;
  pkey_ptr key;
  key_algorithm key_alg = key_algorithm::ec_p256;
  std::string crl_url;
  std::string ca_issuers_url;
  // What every certificate the CA signs repeats, encoded once by
  // make_issuer_material instead of per certificate.
  std::string name_der;          ///< the issuer's subject Name
  std::string issuer_extensions; ///< AKI, CRL distribution point, AIA caIssuers
  /// Signing contexts on `key`, one per hash (index: hash_algorithm - 1),
  /// set up once: EVP_DigestSignInit per certificate sets the signature
  /// operation up again each time. One signer uses a material at a time.
  std::array<pkey_ctx_ptr, 3> signing;
};

/// A CA's signing material with its encoded parts (issuer Name, AKI and
/// URL extensions) ready for every certificate it signs.
issuer_material make_issuer_material(x509_ptr certificate, pkey_ptr key, key_algorithm key_alg,
                                     std::string crl_url, std::string ca_issuers_url);

/// Signs a leaf: basicConstraints (critical; CA:FALSE unless the plan is for
/// a CA certificate a policy allowed), keyUsage (critical,
/// omitted when empty), extendedKeyUsage (non-critical, omitted when empty),
/// subjectAltName (critical when the subject is empty), SKI, AKI, CRL
/// distribution point and AIA caIssuers. `serial` is the raw serial bytes.
/// Returns the certificate's DER.
result<std::string> sign_leaf(const issuer_material& issuer, std::string_view serial,
                              const issuance_plan& plan);

/// A context that signs digests of `hash` with `key` (EVP_PKEY_sign), set
/// up once for every certificate the key signs: EVP_DigestSignInit per
/// certificate sets the operation up again each time.
pkey_ctx_ptr signing_context(EVP_PKEY* key, hash_algorithm hash);

/// The signature by `ctx` (a signing_context of `hash`) over the digest of
/// `data`: how every certificate is signed.
result<std::string> sign_data(EVP_PKEY_CTX* ctx, hash_algorithm hash, std::string_view data);

/// Signs a certificate with its own key (profiles of issuer type
/// `self-signed`): the extensions of a leaf, without AKI, CRL distribution
/// point and AIA, which name an issuer there is none of.
result<std::string> sign_self_signed(EVP_PKEY* key, std::string_view serial,
                                     const issuance_plan& plan);

/// What a CA certificate says about its subject.
struct ca_certificate_spec {
  subject_fields subject;
  std::string subject_der; ///< used as is when set (e.g. a CSR's); else from `subject`
  int64_t not_before = 0;
  int64_t not_after = 0;
  int path_length = -1; ///< -1: no pathLenConstraint
  hash_algorithm hash = hash_algorithm::sha256;
};

/// A subordinate CA certificate to sign: the subject's key, the reserved
/// serial and the certificate's contents.
struct ca_signing_order {
  std::string subject_spki;
  std::string serial; ///< raw bytes
  ca_certificate_spec spec;
};

/// Self-signs a root CA certificate for `key`.
result<std::string> sign_root(EVP_PKEY* key, std::string_view serial,
                              const ca_certificate_spec& spec);

/// Signs an intermediate CA certificate for the SubjectPublicKeyInfo
/// `subject_spki` under `parent`.
result<std::string> sign_intermediate(const issuer_material& parent, std::string_view subject_spki,
                                      std::string_view serial, const ca_certificate_spec& spec);

/// One entry of a CRL.
struct revoked_certificate {
  std::string serial; ///< raw bytes
  int64_t revoked_at = 0;
  revocation_reason reason = revocation_reason::unspecified;
};

/// What a CA's CRL says besides its issuer (RFC 5280 §5.1).
struct crl_contents {
  uint64_t number = 0; ///< cRLNumber: grows with each CRL the CA signs
  int64_t this_update = 0;
  int64_t next_update = 0;
  std::vector<revoked_certificate> revoked;
};

/// Signs a v2 CRL with the CA's key and its default hash: issuer, thisUpdate,
/// nextUpdate, the revoked certificates (the list is absent when empty, as
/// RFC 5280 §5.1.2.6 requires; an entry's reasonCode is absent when
/// unspecified, §5.3.1), and the extensions authorityKeyIdentifier and
/// cRLNumber (both required by §5.2). Returns its DER.
result<std::string> sign_crl(const issuer_material& issuer, const crl_contents& contents);

} // namespace certmint
