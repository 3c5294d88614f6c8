#pragma once

// Carrying certmint failures inside caf::error, and back.

#include <caf/error.hpp>
#include <caf/make_message.hpp>
#include <caf/message.hpp>

#include "engine/error.hpp"

CAF_ERROR_CODE_ENUM(certmint::errc, "certmint")

namespace certmint {

caf::error to_caf_error(failure f);

/// Maps any caf::error to a failure: ours keep code and message; CAF's own
/// (timeouts, dead actors) become errc::timeout or errc::unavailable.
failure from_caf_error(const caf::error& err);

} // namespace certmint
