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
  // The lookups are by digest, so their timing depends on the digest, never
  // on how much of a guessed token matches.
  auto digest = token_digest(token);
  // Noted before the read: an entry read under this count is stale once the
  // count moves, whichever way the read and a concurrent write interleave.
  auto writes = db_->writes_to(column::tokens);
  {
    std::lock_guard lock{cache_mutex_};
    if (writes > cached_writes_) {
      cache_.clear();
      cached_writes_ = writes;
    }
    // (A count older than the cache's: this thread was overtaken, and
    // reads the store.)
    if (writes == cached_writes_)
      if (auto it = cache_.find(digest); it != cache_.end())
        return it->second;
  }
  auto identity = db_->get_record<identity_record>(column::tokens, digest);
  if (!identity)
    return std::move(identity).error();
  if (!*identity)
    return make_failure(errc::unauthorized, "Invalid or revoked token");
  std::lock_guard lock{cache_mutex_};
  if (cached_writes_ == writes) {
    if (cache_.size() >= max_cached_tokens)
      cache_.clear();
    cache_.emplace(std::move(digest), **identity);
  }
  return std::move(**identity);
}

} // namespace certmint
