#pragma once

#include <string>
#include <string_view>

#include "engine/error.hpp"

namespace certmint {

/// OpenSSL's own verification (X509_verify_cert) of a PEM certificate
/// against a PEM chain whose last block is taken as the trust anchor and the
/// others as untrusted intermediates. `purpose` ("sslserver", "sslclient",
/// ...) may be empty. The error message is OpenSSL's reason.
status verify_certificate_chain(std::string_view leaf_pem, std::string_view chain_pem,
                                std::string_view purpose = {});

} // namespace certmint
