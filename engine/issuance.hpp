#pragma once

// Turning a client's issuance request into a complete, validated plan of the
// certificate to sign. Pure functions: no I/O, no keys, no clocks of their
// own (the caller passes `now`).

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/algorithms.hpp"
#include "engine/csr.hpp"
#include "engine/error.hpp"
#include "engine/policy.hpp"
#include "engine/x509_names.hpp"

namespace certmint {

/// `attributes` of POST /certificates after schema validation (gateway).
/// Absent optionals are fields the client did not send; a subject field sent
/// as JSON null is an empty string, which clears the profile's default.
struct certificate_attributes : subject_overrides {
  std::optional<std::vector<subject_alt_name>> alt_names;
  std::optional<uint16_t> key_usages;
  std::optional<uint8_t> ext_key_usages;
  std::optional<signature_algorithm> signature_alg;
  std::optional<key_algorithm> key_alg;
  std::optional<std::string> ttl;
  std::optional<int64_t> not_before;
  std::optional<int64_t> not_after;
  std::optional<bool> is_ca;
  std::optional<int> path_length;

  /// Names of the fields set that only the managed-key path may use.
  std::vector<std::string> fields_not_allowed_with_csr() const;
};

/// The body of POST /api/v1/cert-manager/certificates.
struct issuance_input {
  std::string profile_id;
  std::optional<std::string> csr;
  certificate_attributes attributes;
  bool remove_roots_from_chain = false;
  std::vector<std::pair<std::string, std::string>> metadata;
  /// Set when the client sent an Idempotency-Key: the key (scoped to the
  /// identity), what it must be stored as, and until when.
  std::string idempotency_key;
  std::string body_digest;
  int64_t idempotency_expires_at = 0;
  /// Whether the policy check verifies the CSR's signature now; deferred
  /// for asynchronous submissions (the backlog verifies before signing).
  csr_signature_check csr_check = csr_signature_check::verify;
};

/// What a profile supplies when the request is silent (Infisical §5:
/// scalars fill absent fields; usages and basic constraints are replaced
/// wholesale when the request has the key at all).
struct profile_defaults : subject_overrides {
  std::optional<int64_t> ttl_days;
  std::optional<uint16_t> key_usages;
  std::optional<uint8_t> ext_key_usages;
  std::optional<key_algorithm> key_alg;
  std::optional<signature_algorithm> signature_alg;
  std::optional<bool> is_ca;
  std::optional<int> path_length;
};

/// What planning needs to know about the issuing CA.
struct issuer_facts {
  key_algorithm key_alg = key_algorithm::ec_p256;
  int64_t not_before = 0;
  int64_t not_after = 0;
  bool active = true;
  int path_length = -1;     ///< the CA's pathLenConstraint; -1: none
  bool self_signed = false; ///< the certificate signs itself (no CA)
};

/// Everything the signer needs to build the certificate, already validated.
struct issuance_plan {
  std::string subject_der;
  subject_fields subject;
  std::vector<subject_alt_name> sans;
  uint16_t key_usages = 0;
  uint8_t ext_key_usages = 0;
  key_algorithm key_alg = key_algorithm::ec_p256;
  signature_algorithm signature_alg;
  std::string public_key_der; ///< empty until the managed path has a key
  int64_t not_before = 0;
  int64_t not_after = 0;
  bool is_ca = false;
  int path_length = -1; ///< CA certificates only; -1: no pathLenConstraint
};

/// The outcome of an issuance, as the gateway renders it.
struct issuance_result {
  std::string request_id;
  std::string status; ///< request status on the wire ("issued", "pending", ...)
  std::string certificate_id;
  std::string serial_hex;
  /// DER, not PEM: the gateway writes the PEM straight into its JSON answer.
  std::string certificate_der;
  std::string issuing_ca_pem;         ///< empty for self-signed certificates
  std::vector<std::string> chain_pem; ///< issuing CA first, root last; self-signed: itself
  std::string private_key_pem;        ///< managed-key path only; never stored
  std::string message;                ///< e.g. "Certificate signing request requires approval"
};

/// The request's attributes with the profile's defaults filled in.
certificate_attributes with_profile_defaults(const certificate_attributes& attributes,
                                             const profile_defaults& defaults);

/// The request as the profile's policy judges it (after defaults). On the
/// CSR path the CSR supplies subject, SANs, usages, the key algorithm and,
/// as Infisical does, its own signature algorithm.
policy_request make_policy_request(const issuance_input& input, const parsed_csr* csr,
                                   const profile_defaults& defaults);

/// Plans a leaf certificate. `csr` is the verified CSR on the CSR path and
/// null on the managed path (then `public_key_der` stays empty). All problems
/// are collected and returned as one errc::bad_request whose message starts
/// with "Certificate request validation failed: ".
result<issuance_plan> plan_issuance(const issuance_input& input, const parsed_csr* csr,
                                    const profile_defaults& defaults, const issuer_facts& issuer,
                                    int64_t now);

} // namespace certmint
