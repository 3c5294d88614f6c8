#include "storage/key_sealer.hpp"

namespace certmint {

std::string key_sealer::seal(std::string_view plaintext) const {
  std::string out;
  out.reserve(plaintext.size() + 1);
  out.push_back(static_cast<char>(scheme::plaintext));
  out.append(plaintext);
  return out;
}

result<std::string> key_sealer::unseal(std::string_view sealed) const {
  if (sealed.empty())
    return make_failure(errc::storage_failure, "sealed key is empty");
  if (static_cast<uint8_t>(sealed.front()) != static_cast<uint8_t>(scheme::plaintext))
    return make_failure(errc::storage_failure,
                        "sealed key uses unknown scheme "
                            + std::to_string(static_cast<uint8_t>(sealed.front())));
  return std::string{sealed.substr(1)};
}

} // namespace certmint
