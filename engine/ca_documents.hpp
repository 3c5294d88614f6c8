#pragma once

// Documents of a CA's own lifecycle: the CSR of an intermediate that waits
// for an external parent, and the checks of the certificate it imports.

#include <string>
#include <string_view>
#include <vector>

#include "engine/algorithms.hpp"
#include "engine/error.hpp"
#include "engine/openssl_types.hpp"
#include "engine/x509_names.hpp"

namespace certmint {

/// A PKCS#10 request (PEM) for a CA key, asking for CA:TRUE.
result<std::string> make_ca_csr(EVP_PKEY* key, const subject_fields& subject, hash_algorithm hash);

struct imported_ca_certificate {
  std::string der;
  std::vector<std::string> parent_chain_der; ///< issuer first, root last
  int64_t not_before = 0;
  int64_t not_after = 0;
  std::string serial; ///< raw bytes
};

/// Checks a certificate offered for a pending CA (Infisical §3.4): its DN
/// equals the configured one, it is a CA with the configured path length,
/// its public key is the CA's, and it chains to the last certificate of
/// `chain_pem` (taken as the trust anchor) with OpenSSL's verification.
result<imported_ca_certificate> check_ca_import(std::string_view certificate_pem,
                                                std::string_view chain_pem,
                                                const subject_fields& expected_subject,
                                                int expected_path_length, std::string_view ca_spki);

} // namespace certmint
