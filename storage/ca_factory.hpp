#pragma once

#include <string>
#include <vector>

#include "engine/error.hpp"
#include "engine/openssl_types.hpp"
#include "storage/records.hpp"

namespace certmint {

class key_sealer;

/// A CA being created: its record (key sealed, no certificate yet) and, for
/// the moment of creation only, its key.
struct new_ca {
  ca_record record;
  pkey_ptr key;
};

/// Makes a CA record with a fresh key pair, new certificate and CRL ids, and
/// a fresh serial for its first certificate.
result<new_ca> make_ca(std::string name, std::string friendly_name, ca_type type,
                       const subject_fields& subject, key_algorithm alg, int path_length,
                       const key_sealer& sealer, int64_t now);

/// Self-signs a root CA's certificate and installs it.
status self_sign_root(new_ca& ca, int64_t not_before, int64_t not_after);

/// Installs a certificate its parent signed (or an imported one).
void install_certificate(ca_record& ca, std::string der, std::vector<std::string> parent_chain_der,
                         int64_t not_before, int64_t not_after);

} // namespace certmint
