#pragma once

#include "engine/algorithms.hpp"
#include "engine/error.hpp"
#include "engine/openssl_types.hpp"

namespace certmint {

/// Generates a fresh key pair (RSA with e = 65537, or EC on a named curve).
result<pkey_ptr> generate_key(key_algorithm alg);

} // namespace certmint
