#include "engine/ca_documents.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>

#include "engine/chain_verifier.hpp"
#include "engine/key_encoding.hpp"
#include "engine/pem.hpp"

namespace certmint {

namespace {

int64_t to_unix(const ASN1_TIME* time) {
  struct tm tm {};
  ASN1_TIME_to_tm(time, &tm);
  return static_cast<int64_t>(timegm(&tm));
}

failure import_error(std::string message) {
  ERR_clear_error();
  return make_failure(errc::bad_request, std::move(message));
}

} // namespace

result<std::string> make_ca_csr(EVP_PKEY* key, const subject_fields& subject, hash_algorithm hash) {
  auto subject_der = encode_subject(subject);
  if (!subject_der)
    return std::move(subject_der).error();
  auto ptr = reinterpret_cast<const unsigned char*>(subject_der->data());
  x509_name_ptr name{d2i_X509_NAME(nullptr, &ptr, static_cast<long>(subject_der->size()))};
  x509_req_ptr req{X509_REQ_new()};
  extensions_ptr exts{sk_X509_EXTENSION_new_null()};
  x509_extension_ptr bc{
      X509V3_EXT_conf_nid(nullptr, nullptr, NID_basic_constraints, "critical,CA:TRUE")};
  if (!name || !req || !exts || !bc || X509_REQ_set_version(req.get(), 0) != 1
      || X509_REQ_set_subject_name(req.get(), name.get()) != 1
      || X509_REQ_set_pubkey(req.get(), key) != 1
      || sk_X509_EXTENSION_push(exts.get(), bc.release()) <= 0
      || X509_REQ_add_extensions(req.get(), exts.get()) != 1
      || X509_REQ_sign(req.get(), key, message_digest(hash)) <= 0)
    return make_failure(errc::internal, "cannot make the CA's CSR: " + openssl_error_string());
  bio_ptr bio{BIO_new(BIO_s_mem())};
  PEM_write_bio_X509_REQ(bio.get(), req.get());
  char* data = nullptr;
  auto len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

result<imported_ca_certificate> check_ca_import(std::string_view certificate_pem,
                                                std::string_view chain_pem,
                                                const subject_fields& expected_subject,
                                                int expected_path_length,
                                                std::string_view ca_spki) {
  // The CA's certificate alone: with its issuers pasted after it (a full
  // chain file), which block was meant is not ours to guess.
  if (split_pem_blocks(certificate_pem).size() > 1)
    return import_error("Invalid certificate: send the CA's certificate as one PEM block; its "
                        "issuers go in certificateChain");
  auto cert = certificate_from_pem(certificate_pem);
  if (!cert)
    return import_error("Invalid certificate: not a PEM-encoded X.509 certificate");
  auto* x = cert->get();
  std::vector<std::string> mismatches;
  auto subject = read_subject(X509_get_subject_name(x));
  if (!(subject == expected_subject))
    mismatches.emplace_back("subject distinguished name differs from the configured one");
  if ((X509_get_extension_flags(x) & EXFLAG_CA) == 0)
    mismatches.emplace_back("basicConstraints CA:TRUE is missing");
  else if (expected_path_length >= 0 && X509_get_pathlen(x) != expected_path_length)
    mismatches.push_back("path length " + std::to_string(X509_get_pathlen(x))
                         + " differs from the configured " + std::to_string(expected_path_length));
  if (!mismatches.empty()) {
    std::string message = "Imported certificate does not match CA configuration: ";
    for (size_t i = 0; i < mismatches.size(); ++i)
      message += (i ? ", " : "") + mismatches[i];
    return import_error(message);
  }
  if (public_key_to_der(X509_get0_pubkey(x)) != ca_spki)
    return import_error("CA and certificate public key do not match");
  if (!verify_certificate_chain(certificate_pem, chain_pem))
    return import_error("Invalid certificate chain");
  imported_ca_certificate out;
  for (const auto& block : split_pem_blocks(chain_pem))
    if (auto link = certificate_from_pem(block))
      out.parent_chain_der.push_back(certificate_to_der(link->get()));
  out.der = certificate_to_der(x);
  out.not_before = to_unix(X509_get0_notBefore(x));
  out.not_after = to_unix(X509_get0_notAfter(x));
  const auto* sn = X509_get0_serialNumber(x);
  out.serial.assign(reinterpret_cast<const char*>(sn->data), static_cast<size_t>(sn->length));
  return out;
}

} // namespace certmint
