#pragma once

#include <chrono>

#include "engine/algorithms.hpp"

namespace certmint::bench {

/// The machine's physical limit for issuing from CSRs: one CSR signature
/// verification (leaf key) plus one certificate signature (CA key) per
/// certificate, with OpenSSL's EVP API on `threads` threads, in-process.
/// Returns certificates per second.
double crypto_ceiling(key_algorithm ca_alg, key_algorithm leaf_alg, size_t threads,
                      std::chrono::milliseconds duration);

/// The same limit for the managed-key path: one key pair generated (leaf
/// key) plus one certificate signature (CA key) per certificate.
double managed_ceiling(key_algorithm ca_alg, key_algorithm leaf_alg, size_t threads,
                       std::chrono::milliseconds duration);

} // namespace certmint::bench
