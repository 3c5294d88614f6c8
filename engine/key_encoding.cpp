#include "engine/key_encoding.hpp"

#include <iterator>
#include <optional>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include "engine/der.hpp"
#include "engine/key_oids.hpp"

namespace certmint {

using namespace std::string_view_literals;

namespace {

// Holds private key material and wipes it when it dies. The capacity is
// reserved up front, so that appending never leaves a copy behind in a
// freed buffer.
class secret_bytes {
public:
  explicit secret_bytes(size_t capacity) { bytes_.reserve(capacity); }
  ~secret_bytes() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }
  secret_bytes(const secret_bytes&) = delete;
  secret_bytes& operator=(const secret_bytes&) = delete;

  std::string& str() { return bytes_; }
  std::string_view view() const { return bytes_; }
  size_t size() const { return bytes_.size(); }

private:
  std::string bytes_;
};

using secret_bignum_ptr = openssl_ptr<BIGNUM, BN_clear_free>;

// Room for a tag and a length of up to four bytes.
constexpr size_t header_room = 6;

// The SEQUENCE's content of an AlgorithmIdentifier: ecPublicKey with the
// curve's OID, or rsaEncryption with a NULL.
std::string algorithm_identifier(std::string_view algorithm_oid, std::string_view curve_oid) {
  std::string content = der::tlv(der::oid_tag, algorithm_oid);
  if (curve_oid.empty())
    der::append_tlv(content, der::null_tag, {});
  else
    der::append_tlv(content, der::oid_tag, curve_oid);
  return der::tlv(der::sequence_tag, content);
}

// A PrivateKeyInfo (RFC 5208): version 0, the algorithm, the key type's
// own private key structure as an OCTET STRING.
std::string private_key_info(std::string_view algorithm, const secret_bytes& type_specific) {
  secret_bytes content{type_specific.size() + algorithm.size() + 3 + header_room};
  der::append_tlv(content.str(), der::integer_tag, "\x00"sv);
  content.str().append(algorithm);
  der::append_header(content.str(), der::octet_string_tag, type_specific.size());
  content.str().append(type_specific.view());
  std::string out;
  out.reserve(content.size() + header_room);
  der::append_tlv(out, der::sequence_tag, content.str());
  return out;
}

// Appends an INTEGER holding a non-negative BIGNUM, written in place.
void append_integer(std::string& out, const BIGNUM* value) {
  auto magnitude = static_cast<size_t>(BN_num_bytes(value));
  bool pad = magnitude == 0 || BN_is_bit_set(value, static_cast<int>(magnitude * 8 - 1));
  der::append_header(out, der::integer_tag, magnitude + (pad ? 1 : 0));
  if (pad)
    out.push_back('\0');
  auto at = out.size();
  out.resize(at + magnitude);
  BN_bn2bin(value, reinterpret_cast<unsigned char*>(out.data() + at));
}

// ---- EC ----

struct named_curve {
  std::string_view oid;
  size_t scalar_bytes; ///< of the private key: the group order's bytes
};

std::optional<named_curve> curve_named(std::string_view group) {
  if (group == "prime256v1" || group == "P-256")
    return named_curve{key_oid::prime256v1, 32};
  if (group == "secp384r1" || group == "P-384")
    return named_curve{key_oid::secp384r1, 48};
  if (group == "secp521r1" || group == "P-521")
    return named_curve{key_oid::secp521r1, 66};
  return std::nullopt;
}

// An EC key on one of certmint's curves with a named-curve encoding (a key
// with explicit parameters is left to OpenSSL): its curve, its public point
// in the key's conversion form, and its private scalar when asked for. One
// EVP_PKEY_get_params call reads them all (each call costs ~35k
// instructions, whatever it reads).
struct ec_parts {
  named_curve curve;
  std::string point;
  secret_bignum_ptr scalar;
};

std::optional<ec_parts> ec_parts_of(EVP_PKEY* key, bool with_private) {
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC)
    return std::nullopt;
  constexpr size_t max_scalar = 66;
  char group[64] = {};
  char encoding[32] = {};
  unsigned char point[1 + 2 * max_scalar];
  unsigned char scalar[max_scalar]; // in native byte order, as OSSL_PARAM holds integers
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group),
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_EC_ENCODING, encoding, sizeof encoding),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point),
      with_private ? OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_PRIV_KEY, scalar, sizeof scalar)
                   : OSSL_PARAM_construct_end(),
      OSSL_PARAM_construct_end(),
  };
  size_t wanted = with_private ? 4 : 3;
  bool read = EVP_PKEY_get_params(key, params) == 1;
  for (size_t i = 0; read && i < wanted; ++i)
    read = OSSL_PARAM_modified(&params[i]) != 0;
  auto curve = curve_named(group);
  std::optional<ec_parts> out;
  if (read && curve && std::string_view{encoding} == OSSL_PKEY_EC_ENCODING_GROUP) {
    out = ec_parts{*curve, std::string(reinterpret_cast<char*>(point), params[2].return_size),
                   nullptr};
    if (with_private) {
      out->scalar.reset(
          BN_native2bn(scalar, static_cast<int>(params[3].return_size), BN_secure_new()));
      if (!out->scalar)
        out.reset();
    }
  }
  OPENSSL_cleanse(scalar, sizeof scalar);
  ERR_clear_error();
  return out;
}

std::string ec_algorithm(const named_curve& curve) {
  return algorithm_identifier(key_oid::ec_public_key, curve.oid);
}

std::string bit_string_of(std::string_view bytes) {
  std::string content;
  content.reserve(bytes.size() + 1);
  content.push_back('\0');
  content.append(bytes);
  return der::tlv(der::bit_string_tag, content);
}

std::string ec_public_key_info(const ec_parts& ec) {
  return der::sequence({ec_algorithm(ec.curve), bit_string_of(ec.point)});
}

// PKCS#8 of an EC key: its ECPrivateKey (RFC 5915) holds version 1, the
// scalar padded to the group order's size and the public point; the curve
// is named by the AlgorithmIdentifier only, as OpenSSL writes it.
std::optional<std::string> ec_private_key_info(const ec_parts& ec) {
  auto scalar_bytes = ec.curve.scalar_bytes;
  auto public_part = der::tlv(0xa1, bit_string_of(ec.point));
  secret_bytes content{3 + scalar_bytes + public_part.size() + header_room};
  der::append_tlv(content.str(), der::integer_tag, "\x01"sv);
  der::append_header(content.str(), der::octet_string_tag, scalar_bytes);
  auto at = content.size();
  content.str().resize(at + scalar_bytes);
  if (BN_bn2binpad(ec.scalar.get(), reinterpret_cast<unsigned char*>(content.str().data() + at),
                   static_cast<int>(scalar_bytes))
      < 0)
    return std::nullopt;
  content.str().append(public_part);
  secret_bytes ec_private_key{content.size() + header_room};
  der::append_tlv(ec_private_key.str(), der::sequence_tag, content.str());
  return private_key_info(ec_algorithm(ec.curve), ec_private_key);
}

// ---- RSA ----

// The components of a two-prime RSA key, public ones first; nullopt for a
// key OpenSSL is to write (RSA-PSS, more than two primes).
struct rsa_components {
  static constexpr const char* public_names[] = {OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_E};
  static constexpr const char* private_names[] = {
      OSSL_PKEY_PARAM_RSA_D,         OSSL_PKEY_PARAM_RSA_FACTOR1,
      OSSL_PKEY_PARAM_RSA_FACTOR2,   OSSL_PKEY_PARAM_RSA_EXPONENT1,
      OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
  };
  static constexpr size_t count = std::size(public_names) + std::size(private_names);
  secret_bignum_ptr values[count];
};

std::optional<rsa_components> rsa_of(EVP_PKEY* key, bool with_private) {
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA)
    return std::nullopt;
  rsa_components out;
  size_t at = 0;
  auto fetch = [&](const char* name) {
    BIGNUM* raw = nullptr;
    if (EVP_PKEY_get_bn_param(key, name, &raw) != 1)
      return false;
    out.values[at++].reset(raw);
    return true;
  };
  bool complete = true;
  for (const auto* name : rsa_components::public_names)
    complete = complete && fetch(name);
  if (with_private) {
    for (const auto* name : rsa_components::private_names)
      complete = complete && fetch(name);
    BIGNUM* third_prime = nullptr;
    if (complete && EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_FACTOR3, &third_prime) == 1) {
      BN_clear_free(third_prime);
      complete = false;
    }
  }
  ERR_clear_error();
  if (!complete)
    return std::nullopt;
  return out;
}

std::string rsa_algorithm() {
  return algorithm_identifier(key_oid::rsa_encryption, {});
}

size_t integers_room(const rsa_components& rsa, size_t count) {
  size_t room = 0;
  for (size_t i = 0; i < count; ++i)
    room += static_cast<size_t>(BN_num_bytes(rsa.values[i].get())) + 1 + header_room;
  return room;
}

std::string rsa_public_key_info(const rsa_components& rsa) {
  std::string integers;
  integers.reserve(integers_room(rsa, 2));
  append_integer(integers, rsa.values[0].get());
  append_integer(integers, rsa.values[1].get());
  auto rsa_public_key = der::tlv(der::sequence_tag, integers);
  return der::sequence({rsa_algorithm(), bit_string_of(rsa_public_key)});
}

// PKCS#8 of an RSA key: its RSAPrivateKey (RFC 8017 A.1.2) is version 0
// and the eight integers n, e, d, p, q, d mod (p-1), d mod (q-1), q^-1 mod p.
std::string rsa_private_key_info(const rsa_components& rsa) {
  secret_bytes integers{3 + integers_room(rsa, rsa_components::count)};
  der::append_tlv(integers.str(), der::integer_tag, "\x00"sv);
  for (const auto& value : rsa.values)
    append_integer(integers.str(), value.get());
  secret_bytes rsa_private_key{integers.size() + header_room};
  der::append_tlv(rsa_private_key.str(), der::sequence_tag, integers.str());
  return private_key_info(rsa_algorithm(), rsa_private_key);
}

// ---- OpenSSL's encoders, for every other key ----

template <class F> std::string i2d_to_string(F&& encode) {
  unsigned char* buf = nullptr;
  int len = encode(&buf);
  if (len <= 0) {
    ERR_clear_error();
    return {};
  }
  std::string out(reinterpret_cast<char*>(buf), static_cast<size_t>(len));
  OPENSSL_clear_free(buf, static_cast<size_t>(len));
  return out;
}

std::string openssl_public_key_der(EVP_PKEY* key) {
  return i2d_to_string([key](unsigned char** out) { return i2d_PUBKEY(key, out); });
}

std::string openssl_private_key_info(EVP_PKEY* key) {
  openssl_ptr<PKCS8_PRIV_KEY_INFO, PKCS8_PRIV_KEY_INFO_free> info{EVP_PKEY2PKCS8(key)};
  if (!info) {
    ERR_clear_error();
    return {};
  }
  return i2d_to_string(
      [&info](unsigned char** out) { return i2d_PKCS8_PRIV_KEY_INFO(info.get(), out); });
}

} // namespace

std::string public_key_to_der(EVP_PKEY* key) {
  if (auto ec = ec_parts_of(key, false))
    return ec_public_key_info(*ec);
  if (auto rsa = rsa_of(key, false))
    return rsa_public_key_info(*rsa);
  return openssl_public_key_der(key);
}

result<pkey_ptr> public_key_from_der(std::string_view der) {
  auto ptr = reinterpret_cast<const unsigned char*>(der.data());
  pkey_ptr key{d2i_PUBKEY(nullptr, &ptr, static_cast<long>(der.size()))};
  if (!key) {
    ERR_clear_error();
    return make_failure(errc::bad_request, "not a DER-encoded public key");
  }
  return key;
}

std::string private_key_to_pkcs8_der(EVP_PKEY* key) {
  if (auto ec = ec_parts_of(key, true))
    return ec_private_key_info(*ec).value_or(std::string{});
  if (auto rsa = rsa_of(key, true))
    return rsa_private_key_info(*rsa);
  return openssl_private_key_info(key);
}

key_pair_der::~key_pair_der() {
  OPENSSL_cleanse(private_key.data(), private_key.size());
}

void key_pair_to_der(EVP_PKEY* key, key_pair_der& out) {
  if (auto ec = ec_parts_of(key, true)) {
    out.public_key = ec_public_key_info(*ec);
    out.private_key = ec_private_key_info(*ec).value_or(std::string{});
    return;
  }
  out.public_key = public_key_to_der(key);
  out.private_key = private_key_to_pkcs8_der(key);
}

result<pkey_ptr> private_key_from_pkcs8_der(std::string_view der) {
  auto ptr = reinterpret_cast<const unsigned char*>(der.data());
  pkey_ptr key{d2i_AutoPrivateKey(nullptr, &ptr, static_cast<long>(der.size()))};
  if (!key) {
    ERR_clear_error();
    return make_failure(errc::internal, "stored private key does not decode");
  }
  return key;
}

} // namespace certmint
