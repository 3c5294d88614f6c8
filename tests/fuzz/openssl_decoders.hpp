#pragma once

// OpenSSL's own decoders, the judges of what certmint reads: each takes the
// bytes whole (bytes left over mean no) or gives null.

#include <string_view>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "engine/openssl_types.hpp"

namespace certmint::fuzz {

template <class Pointer, class Decode> Pointer decode_whole(std::string_view der, Decode decode) {
  const auto* cursor = reinterpret_cast<const unsigned char*>(der.data());
  Pointer out{decode(nullptr, &cursor, static_cast<long>(der.size()))};
  if (cursor != reinterpret_cast<const unsigned char*>(der.data() + der.size()))
    out.reset();
  ERR_clear_error();
  return out;
}

inline x509_name_ptr openssl_name(std::string_view der) {
  return decode_whole<x509_name_ptr>(der, d2i_X509_NAME);
}

inline x509_req_ptr openssl_request(std::string_view der) {
  return decode_whole<x509_req_ptr>(der, d2i_X509_REQ);
}

inline pkey_ptr openssl_key(std::string_view der) {
  return decode_whole<pkey_ptr>(der, d2i_PUBKEY);
}

} // namespace certmint::fuzz
