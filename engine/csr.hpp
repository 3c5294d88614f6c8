#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/algorithms.hpp"
#include "engine/error.hpp"
#include "engine/x509_names.hpp"

namespace certmint {

/// What a verified PKCS#10 request asks for.
struct parsed_csr {
  std::string subject_der; ///< the DN exactly as the CSR encodes it
  subject_fields subject;
  std::vector<subject_alt_name> sans;
  std::optional<uint16_t> key_usages;
  std::optional<uint8_t> ext_key_usages;
  key_algorithm key_alg = key_algorithm::ec_p256;
  signature_algorithm signature; ///< the CSR's own signature algorithm
  std::string public_key_der;    ///< SubjectPublicKeyInfo
  bool requests_ca = false;      ///< basicConstraints CA:TRUE or keyCertSign
};

/// Whether parse_csr checks the request's self-signature (proof of
/// possession): always before a certificate is signed; an asynchronous
/// submission defers it to the backlog, so that accepting a request costs
/// no public-key operation.
enum class csr_signature_check { verify, defer };

/// Parses a PEM PKCS#10 request and verifies its self-signature (unless
/// deferred). Every failure is errc::bad_request with a message that says
/// what is wrong: not PEM, does not parse, unsupported key or hash
/// (Infisical's §5.5 wording), bad signature, malformed extension, a
/// subject `subject_rule` refuses (check_csr_subject).
result<parsed_csr> parse_csr(std::string_view pem,
                             csr_signature_check check = csr_signature_check::verify,
                             csr_subject_rule subject_rule = csr_subject_rule::policy_judged);

/// Checks only a PEM PKCS#10 request's self-signature, with parse_csr's
/// messages: for a stored request whose CSR parse_csr read (deferring the
/// check) when it was accepted, so its subject and extensions are not read
/// again (~30k instructions).
status verify_csr_signature(std::string_view pem);

} // namespace certmint
