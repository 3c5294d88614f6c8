#include "actors/caf_error.hpp"

#include <caf/message.hpp>
#include <caf/sec.hpp>

namespace certmint {

caf::error to_caf_error(failure f) {
  return caf::make_error(f.code, std::move(f.message));
}

failure from_caf_error(const caf::error& err) {
  if (err.category() == caf::atom("certmint")) {
    std::string message;
    const auto& ctx = err.context();
    if (ctx.match_elements<std::string>())
      message = ctx.get_as<std::string>(0);
    return failure{static_cast<errc>(err.code()), std::move(message)};
  }
  if (err == caf::sec::request_timeout)
    return failure{errc::timeout, "an internal stage did not answer in time"};
  return failure{errc::unavailable, "the issuance engine is unavailable"};
}

} // namespace certmint
