#pragma once

// Owning handles for OpenSSL objects, so that every early return frees what
// it allocated.

#include <memory>
#include <string>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace certmint {

template <class T, void (*Free)(T*)> struct openssl_deleter {
  void operator()(T* ptr) const noexcept { Free(ptr); }
};

template <class T, void (*Free)(T*)>
using openssl_ptr = std::unique_ptr<T, openssl_deleter<T, Free>>;

using bio_ptr = openssl_ptr<BIO, BIO_free_all>;
using bignum_ptr = openssl_ptr<BIGNUM, BN_free>;
using pkey_ptr = openssl_ptr<EVP_PKEY, EVP_PKEY_free>;
using pkey_ctx_ptr = openssl_ptr<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using md_ctx_ptr = openssl_ptr<EVP_MD_CTX, EVP_MD_CTX_free>;
using x509_ptr = openssl_ptr<X509, X509_free>;
using x509_req_ptr = openssl_ptr<X509_REQ, X509_REQ_free>;
using x509_name_ptr = openssl_ptr<X509_NAME, X509_NAME_free>;
using x509_extension_ptr = openssl_ptr<X509_EXTENSION, X509_EXTENSION_free>;
using asn1_integer_ptr = openssl_ptr<ASN1_INTEGER, ASN1_INTEGER_free>;
using asn1_octet_string_ptr = openssl_ptr<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>;
using asn1_bit_string_ptr = openssl_ptr<ASN1_BIT_STRING, ASN1_BIT_STRING_free>;
using basic_constraints_ptr = openssl_ptr<BASIC_CONSTRAINTS, BASIC_CONSTRAINTS_free>;
using authority_keyid_ptr = openssl_ptr<AUTHORITY_KEYID, AUTHORITY_KEYID_free>;

inline void free_general_names(GENERAL_NAMES* names) {
  GENERAL_NAMES_free(names);
}
using general_names_ptr = openssl_ptr<GENERAL_NAMES, free_general_names>;

inline void free_extensions(STACK_OF(X509_EXTENSION) * exts) {
  sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
}
using extensions_ptr = openssl_ptr<STACK_OF(X509_EXTENSION), free_extensions>;

inline void free_certificates(STACK_OF(X509) * certs) {
  sk_X509_pop_free(certs, X509_free);
}
using certificate_stack_ptr = openssl_ptr<STACK_OF(X509), free_certificates>;
using x509_store_ptr = openssl_ptr<X509_STORE, X509_STORE_free>;
using x509_store_ctx_ptr = openssl_ptr<X509_STORE_CTX, X509_STORE_CTX_free>;

inline void free_eku(EXTENDED_KEY_USAGE* eku) {
  sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
}
using eku_ptr = openssl_ptr<EXTENDED_KEY_USAGE, free_eku>;

/// Drains OpenSSL's thread-local error queue into one line (for logs and
/// internal error messages; never shown for client input errors).
std::string openssl_error_string();

} // namespace certmint
