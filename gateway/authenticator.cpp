#include "gateway/authenticator.hpp"

#include "engine/identifiers.hpp"
#include "storage/store.hpp"

namespace certmint {

result<identity_record> authenticator::authenticate(std::string_view authorization) const {
  constexpr std::string_view scheme = "Bearer ";
  if (authorization.empty())
    return make_failure(errc::unauthorized,
                        "Authentication required: send 'Authorization: Bearer <token>'");
  if (authorization.size() <= scheme.size() || authorization.substr(0, scheme.size()) != scheme)
    return make_failure(errc::unauthorized,
                        "Unsupported authorization scheme: expected 'Bearer <token>'");
  auto token = authorization.substr(scheme.size());
  // The lookup is by digest, so its timing depends on the digest, never on
  // how much of a guessed token matches.
  auto identity = db_->get_record<identity_record>(column::tokens, token_digest(token));
  if (!identity)
    return std::move(identity).error();
  if (!*identity)
    return make_failure(errc::unauthorized, "Invalid or revoked token");
  return std::move(**identity);
}

} // namespace certmint
