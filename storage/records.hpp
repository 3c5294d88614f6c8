#pragma once

// The records certmint persists. Each has a `fields` function listing its
// members in encoding order; codec.hpp turns that into a versioned binary
// encoding. Adding a member means bumping the record's version in codec.cpp.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/issuance.hpp"
#include "engine/policy.hpp"
#include "engine/revocation.hpp"

namespace certmint {

/// The request state machine (Infisical §4). The numeric values are stored.
enum class request_status : uint8_t {
  pending_approval = 1,
  pending = 2,
  issued = 3,
  failed = 4,
  rejected = 5,
};

std::string_view to_string(request_status status);
std::optional<request_status> parse_request_status(std::string_view name);

/// Requests in these states are not finished: recovery drives them on.
inline bool is_terminal(request_status status) {
  return status == request_status::issued || status == request_status::failed
         || status == request_status::rejected;
}

using metadata_list = std::vector<std::pair<std::string, std::string>>;

struct request_record {
  std::string id;
  request_status status = request_status::pending;
  std::string profile_id;
  std::string ca_id;
  std::string serial;  ///< raw bytes, reserved in the serial index
  std::string csr_pem; ///< empty on the managed-key path
  bool managed_key = false;
  issuance_plan plan; ///< what will be (or was) signed
  std::string certificate_id;
  std::string error_message;
  std::string requested_by; ///< identity name
  metadata_list metadata;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  /// The client's attributes as sent: an approved request is planned again
  /// from them against the policy and profile current at approval.
  certificate_attributes attributes;
  std::string approval_request_id; ///< set while (or after) approval was needed
};

enum class certificate_status : uint8_t { active = 1, revoked = 2 };

struct certificate_record {
  std::string id;
  std::string request_id;
  std::string ca_id;
  std::string profile_id;
  std::string serial; ///< raw bytes
  std::string der;
  certificate_status status = certificate_status::active;
  subject_fields subject;
  std::vector<subject_alt_name> sans;
  uint16_t key_usages = 0;
  uint8_t ext_key_usages = 0;
  key_algorithm key_alg = key_algorithm::ec_p256;
  signature_algorithm signature_alg;
  int64_t not_before = 0;
  int64_t not_after = 0;
  metadata_list metadata;
  int64_t created_at = 0;
};

enum class ca_type : uint8_t { root = 1, intermediate = 2 };
enum class ca_status : uint8_t { active = 1, disabled = 2, pending_certificate = 3 };

std::string_view to_string(ca_type type);
std::string_view to_string(ca_status status);

struct ca_record {
  std::string id;
  std::string name;
  std::string friendly_name;
  ca_type type = ca_type::root;
  ca_status status = ca_status::active;
  std::string parent_id; ///< empty for roots
  key_algorithm key_alg = key_algorithm::ec_p256;
  std::string sealed_key;     ///< PKCS#8 DER, sealed by key_sealer
  std::string public_key_der; ///< SubjectPublicKeyInfo of the CA key
  std::string certificate_der;
  std::string ca_cert_id;                    ///< id of the current CA certificate (AIA URL)
  std::string crl_id;                        ///< id of the CA's CRL (CDP URL)
  std::vector<std::string> parent_chain_der; ///< issuer, its issuer, ... root
  subject_fields subject;
  int path_length = -1;
  int64_t not_before = 0;
  int64_t not_after = 0;
  std::string serial;
  std::string csr_pem; ///< pending intermediates: the CSR for the external parent
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

/// A revoked certificate: what its CA's CRLs list. The certificate record
/// says `revoked`; this holds when and why.
struct revocation_record {
  std::string certificate_id;
  std::string ca_id;
  std::string serial; ///< raw bytes
  int64_t revoked_at = 0;
  revocation_reason reason = revocation_reason::unspecified;
  int64_t not_after = 0;  ///< the certificate's: CRLs drop the entry a while after it
  std::string revoked_by; ///< identity name
};

/// The CRL a CA signed last, served at its CRL distribution point (the
/// CA's `crl_id`). The CRL publisher replaces it before `next_update`.
struct crl_record {
  std::string id; ///< the CA's crl_id
  std::string ca_id;
  uint64_t number = 0; ///< its cRLNumber; the next CRL has number + 1
  int64_t this_update = 0;
  int64_t next_update = 0;
  std::string der;
  /// The CA's revocation count (revocation_counter_key) read before the
  /// CRL's entries were: a larger count now means a revocation it lacks.
  int64_t revocations_seen = 0;
};

struct policy_record {
  std::string id;
  std::string name; ///< slug
  std::string description;
  certificate_policy rules;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

struct profile_record {
  std::string id;
  std::string slug;
  std::string description;
  std::string ca_id;
  std::string policy_id;
  std::string enrollment_type = "api";
  std::string issuer_type = "ca";
  profile_defaults defaults;
  bool auto_renew = false;
  int renew_before_days = 0;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

/// Roles an identity may hold (a bit mask). `admin` may do everything,
/// including managing tokens; `manage` changes CAs, policies and profiles;
/// `issue` submits, polls and cancels its own requests and reads their
/// certificates; `approve` decides approvals; `read` reads everything.
enum role_bit : uint8_t {
  role_admin = 1u << 0,
  role_manage = 1u << 1,
  role_issue = 1u << 2,
  role_approve = 1u << 3,
  role_read = 1u << 4,
};

std::string_view to_string(role_bit role);
std::optional<role_bit> parse_role(std::string_view name);
std::vector<std::string_view> role_names(uint8_t roles);

/// What an `Idempotency-Key` refers to (column `idempotency`, key: identity
/// name, NUL, the client's key).
struct idempotency_record {
  std::string request_id;
  std::string body_digest; ///< hex SHA-256 of the request body
  int64_t expires_at = 0;
};

/// Who holds a token: a person, or a machine (pipeline, service). Approval
/// policies may let machine identities skip approval.
enum class identity_kind : uint8_t { machine = 1, user = 2 };

std::string_view to_string(identity_kind kind);

struct identity_record {
  std::string name;
  uint8_t roles = 0;
  int64_t created_at = 0;
  std::string token_id; ///< public id of the token (list, revoke)
  identity_kind kind = identity_kind::machine;

  /// Whether the identity may act with `role` (admin may do anything).
  bool may(role_bit role) const { return (roles & (role | role_admin)) != 0; }
};

/// One step of an approval policy: `required_approvals` distinct approvers
/// among `approvers` (token ids; empty: any identity with the approve role).
struct approval_step {
  std::string name;
  int required_approvals = 1;
  std::vector<std::string> approvers;
};

/// An approval policy of type `cert-request` (Infisical §3.8).
struct approval_policy_record {
  std::string id;
  std::string project_id;
  std::string name;
  std::string max_request_ttl; ///< as the client wrote it; empty: no expiry
  int64_t max_request_ttl_seconds = 0;
  std::vector<approval_step> steps;
  bool bypass_for_machine_identities = false;
  /// Conditions: the policy applies to a request whose profile slug is in
  /// any of these lists.
  std::vector<std::vector<std::string>> profile_names;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

enum class approval_status : uint8_t {
  pending = 1,
  approved = 2,
  rejected = 3,
  expired = 4,
};

std::string_view to_string(approval_status status);

struct approval_decision {
  std::string approver_token_id;
  std::string approver_name;
  int step = 0;
  bool approved = false;
  std::string comment;
  int64_t at = 0;
};

/// The approval of one certificate request.
struct approval_request_record {
  std::string id;
  std::string policy_id;
  std::string project_id;
  std::string certificate_request_id;
  std::string profile_id;
  std::string profile_name;
  std::string requester;
  approval_status status = approval_status::pending;
  std::vector<approval_step> steps; ///< the policy's steps when requested
  std::vector<approval_decision> decisions;
  int64_t expires_at = 0; ///< 0: never
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

// -- field lists ------------------------------------------------------------

template <class F> void fields(F& f, subject_fields& x) {
  f(x.common_name, x.organization, x.organizational_unit, x.country, x.state, x.locality);
}

template <class F> void fields(F& f, subject_alt_name& x) {
  f(x.type, x.value);
}

template <class F> void fields(F& f, signature_algorithm& x) {
  f(x.family, x.hash);
}

template <class F> void fields(F& f, issuance_plan& x) {
  f(x.subject_der, x.subject, x.sans, x.key_usages, x.ext_key_usages, x.key_alg, x.signature_alg,
    x.public_key_der, x.not_before, x.not_after, x.is_ca, x.path_length);
}

// The six attributes encode as they always did: a nested struct adds no
// bytes of its own.
template <class F> void fields(F& f, subject_overrides& x) {
  f(x.common_name, x.organization, x.organizational_unit, x.country, x.state, x.locality);
}

template <class F> void fields(F& f, certificate_attributes& x) {
  f(static_cast<subject_overrides&>(x), x.alt_names, x.key_usages, x.ext_key_usages,
    x.signature_alg, x.key_alg, x.ttl, x.not_before, x.not_after, x.is_ca, x.path_length);
}

template <class F> void fields(F& f, request_record& x) {
  f(x.id, x.status, x.profile_id, x.ca_id, x.serial, x.csr_pem, x.managed_key, x.plan,
    x.certificate_id, x.error_message, x.requested_by, x.metadata, x.created_at, x.updated_at,
    x.attributes, x.approval_request_id);
}

template <class F> void fields(F& f, certificate_record& x) {
  f(x.id, x.request_id, x.ca_id, x.profile_id, x.serial, x.der, x.status, x.subject, x.sans,
    x.key_usages, x.ext_key_usages, x.key_alg, x.signature_alg, x.not_before, x.not_after,
    x.metadata, x.created_at);
}

template <class F> void fields(F& f, ca_record& x) {
  f(x.id, x.name, x.friendly_name, x.type, x.status, x.parent_id, x.key_alg, x.sealed_key,
    x.public_key_der, x.certificate_der, x.ca_cert_id, x.crl_id, x.parent_chain_der, x.subject,
    x.path_length, x.not_before, x.not_after, x.serial, x.csr_pem, x.created_at, x.updated_at);
}

template <class F> void fields(F& f, revocation_record& x) {
  f(x.certificate_id, x.ca_id, x.serial, x.revoked_at, x.reason, x.not_after, x.revoked_by);
}

template <class F> void fields(F& f, crl_record& x) {
  f(x.id, x.ca_id, x.number, x.this_update, x.next_update, x.der, x.revocations_seen);
}

template <class F> void fields(F& f, value_rule& x) {
  f(x.allowed, x.required, x.denied);
}

template <class F> void fields(F& f, subject_rule& x) {
  f(x.type, x.values);
}

template <class F> void fields(F& f, san_rule& x) {
  f(x.type, x.values);
}

template <class F> void fields(F& f, usage_rule& x) {
  f(x.allowed, x.required, x.denied);
}

template <class F> void fields(F& f, basic_constraints_rule& x) {
  f(x.is_ca, x.max_path_length);
}

template <class F> void fields(F& f, certificate_policy& x) {
  f(x.subject, x.sans, x.key_usages, x.ext_key_usages, x.signature_algorithms, x.key_algorithms,
    x.max_validity, x.basic_constraints);
}

template <class F> void fields(F& f, policy_record& x) {
  f(x.id, x.name, x.description, x.rules, x.created_at, x.updated_at);
}

template <class F> void fields(F& f, profile_defaults& x) {
  f(x.ttl_days, static_cast<subject_overrides&>(x), x.key_usages, x.ext_key_usages, x.key_alg,
    x.signature_alg, x.is_ca, x.path_length);
}

template <class F> void fields(F& f, profile_record& x) {
  f(x.id, x.slug, x.description, x.ca_id, x.policy_id, x.enrollment_type, x.issuer_type, x.defaults,
    x.auto_renew, x.renew_before_days, x.created_at, x.updated_at);
}

template <class F> void fields(F& f, idempotency_record& x) {
  f(x.request_id, x.body_digest, x.expires_at);
}

template <class F> void fields(F& f, identity_record& x) {
  f(x.name, x.roles, x.created_at, x.token_id, x.kind);
}

template <class F> void fields(F& f, approval_step& x) {
  f(x.name, x.required_approvals, x.approvers);
}

template <class F> void fields(F& f, approval_policy_record& x) {
  f(x.id, x.project_id, x.name, x.max_request_ttl, x.max_request_ttl_seconds, x.steps,
    x.bypass_for_machine_identities, x.profile_names, x.created_at, x.updated_at);
}

template <class F> void fields(F& f, approval_decision& x) {
  f(x.approver_token_id, x.approver_name, x.step, x.approved, x.comment, x.at);
}

template <class F> void fields(F& f, approval_request_record& x) {
  f(x.id, x.policy_id, x.project_id, x.certificate_request_id, x.profile_id, x.profile_name,
    x.requester, x.status, x.steps, x.decisions, x.expires_at, x.created_at, x.updated_at);
}

} // namespace certmint
