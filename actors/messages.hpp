#pragma once

// Payload types of actor messages.
//
// These types are plain data. They are whitelisted for local messaging with
// CAF_ALLOW_UNSAFE_MESSAGE_TYPE; the remote-signer roadmap item (signers on
// other machines over caf::io) adds `inspect` overloads for signing_order
// and the engine types it holds, and nothing else has to change.

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <caf/allowed_unsafe_message_type.hpp>

#include "engine/certificate_builder.hpp"
#include "engine/issuance.hpp"
#include "storage/store.hpp"

namespace certmint {

/// What a signer needs to produce one leaf certificate.
struct signing_order {
  std::string request_id;
  std::string serial; ///< raw bytes, already reserved in the serial index
  issuance_plan plan;
};

/// A private key handed between actors (the key pool to a request actor).
/// Empty when the pool had none ready.
struct pooled_key {
  std::shared_ptr<EVP_PKEY> key;
};

/// Where a request actor sends its one answer: a callback into the gateway
/// (which writes it to the HTTP connection), called on the actor's thread.
/// It replaces a response promise so that the answer needs no waiting
/// thread and no further message. Empty for requests nobody waits for.
struct issuance_reply {
  std::function<void(result<issuance_result>)> deliver;
};

/// A request that passed the profile's policy, planned for signing.
struct checked_issuance {
  std::string profile_id;
  std::string ca_id; ///< empty for self-signed profiles
  bool self_signed = false;
  issuance_plan plan;                 ///< public key still empty on the managed-key path
  std::vector<std::string> chain_pem; ///< issuing CA first, root last
  std::string profile_slug;
  /// The approval policy that applies to the profile, if any.
  std::optional<approval_policy_record> approval;
};

} // namespace certmint

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(certmint::signing_order)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(certmint::pooled_key)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(certmint::key_algorithm)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(certmint::checked_issuance)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(certmint::ca_signing_order)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(certmint::crl_contents)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(certmint::issuance_input)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(certmint::issuance_result)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(certmint::issuance_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(certmint::request_record)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(certmint::identity_record)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(certmint::transaction)
