#pragma once

// Test helpers built on OpenSSL itself: CSRs made the way `openssl req`
// makes them, and chain verification by X509_verify_cert, so tests judge
// certmint's output with OpenSSL rather than with certmint's own parsers.

#include <string>
#include <utility>
#include <vector>

#include "engine/algorithms.hpp"
#include "engine/openssl_types.hpp"

namespace certmint::test {

struct csr_options {
  std::string common_name = "app.example.com";
  std::string organization;
  std::vector<std::string> sans = {"DNS:app.example.com"}; ///< OpenSSL config syntax
  std::string key_usage;     ///< e.g. "critical,digitalSignature"; empty: none
  std::string ext_key_usage; ///< e.g. "serverAuth"; empty: none
  std::string basic_constraints;
  const EVP_MD* digest = nullptr; ///< null: SHA-256
  /// Further subject attributes after CN and O, each its own RDN:
  /// (OpenSSL short name, UTF-8 value), e.g. {"CN", "second.example"}.
  std::vector<std::pair<std::string, std::string>> more_subject;
  /// Further requested extensions after the four above: (NID, OpenSSL
  /// config value), e.g. a second {NID_key_usage, "keyCertSign"}.
  std::vector<std::pair<int, std::string>> more_extensions;
};

struct key_and_csr {
  pkey_ptr key;
  std::string csr_pem;
};

/// A key of the algorithm and a CSR for it, signed by that key.
key_and_csr make_csr(key_algorithm alg, const csr_options& options = {});

/// A CSR for an arbitrary key (unsupported sizes or curves included).
std::string make_csr_for(EVP_PKEY* key, const csr_options& options = {});

/// A key from OpenSSL's keygen by type name and parameter, e.g. ("RSA", 1024)
/// or ("EC", "secp256k1") or ("ED25519").
pkey_ptr make_rsa_key(unsigned bits);
pkey_ptr make_ec_key(const char* curve);
pkey_ptr make_ed25519_key();

/// Flips one byte inside the CSR's signed part (its subject), keeping the
/// PEM well-formed, so only the signature check can catch it.
std::string tamper_csr(const std::string& csr_pem);

/// X509_verify_cert of `leaf` against `chain` (PEM blocks; the last one is
/// taken as the trust anchor). Returns "" on success, else OpenSSL's reason.
std::string verify_chain(const std::string& leaf_pem, const std::string& chain_pem,
                         const char* purpose = "sslserver");

/// verify_chain with CRL checking (purpose sslserver): `crls_der` are DER
/// CRLs; `whole_chain` checks every certificate's revocation (a CRL of
/// each issuer needed), else only the leaf's.
std::string verify_chain_with_crls(const std::string& leaf_pem, const std::string& chain_pem,
                                   const std::vector<std::string>& crls_der, bool whole_chain);

/// The first URI of the certificate's CRL distribution points, "" without.
std::string crl_distribution_url(const std::string& cert_pem);

/// Whether the private key (PKCS#8 PEM) belongs to the certificate.
bool key_matches_certificate(const std::string& key_pem, const std::string& cert_pem);

/// The first URL of the certificate's Authority Information Access
/// extension (where its issuer's certificate is served), "" without one.
std::string ca_issuers_url(const std::string& cert_pem);

/// A unique temporary directory, removed by the destructor.
class temp_dir {
public:
  temp_dir();
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::string& path() const { return path_; }

private:
  std::string path_;
};

} // namespace certmint::test
