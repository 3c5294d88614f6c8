#include "gateway/responses.hpp"

#include "engine/algorithms.hpp"
#include "engine/hex.hpp"
#include "engine/pem.hpp"
#include "engine/time_format.hpp"
#include "gateway/json_writer.hpp"

namespace certmint {

namespace {

std::string fingerprint(std::string_view der, const EVP_MD* md) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(der.data(), der.size(), digest, &len, md, nullptr);
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    if (i > 0)
      out.push_back(':');
    out.push_back(digits[digest[i] >> 4]);
    out.push_back(digits[digest[i] & 0xf]);
  }
  return out;
}

std::string alt_names_text(const std::vector<subject_alt_name>& sans) {
  std::string out;
  for (const auto& san : sans) {
    if (!out.empty())
      out += ", ";
    out += san.value;
  }
  return out;
}

void write_subject_members(json_writer& w, const subject_fields& s) {
  for_each_subject_attribute(
      s, [&w](const char* key, const std::string& value) { w.key(key).string_or_null(value); });
}

void write_metadata(json_writer& w, const metadata_list& metadata) {
  w.begin_array();
  for (const auto& [key, value] : metadata)
    w.begin_object().key("key").value(key).key("value").value(value).end_object();
  w.end_array();
}

// Why a request is not finished (Infisical's `pendingMessage`).
std::string pending_message(const request_record& request) {
  switch (request.status) {
    case request_status::pending_approval:
      return "Waiting for approval";
    case request_status::pending:
      return "Waiting to be signed";
    default:
      return {};
  }
}

// The members every issuance answer ends with, whether or not it carries
// the certificate.
std::string close_issuance(json_writer& w, const issuance_result& result) {
  w.key("certificateRequestId").value(result.request_id);
  w.key("status").value(result.status);
  if (!result.message.empty())
    w.key("message").value(result.message);
  w.end_object();
  return w.take();
}

} // namespace

std::string join_chain(const std::vector<std::string>& blocks) {
  std::string out;
  for (const auto& block : blocks)
    out += block;
  return out;
}

std::string render_issuance(const issuance_result& result, bool remove_roots) {
  // Sized once: the certificate's PEM, the CA's, the chain and the key are
  // ~3-5 KB, and growing the answer step by step copied it several times.
  size_t expected = 512 + result.certificate_der.size() * 3 / 2 + result.issuing_ca_pem.size()
                    + result.private_key_pem.size();
  for (const auto& pem : result.chain_pem)
    expected += pem.size() + pem.size() / 64;
  // removeRootsFromChain leaves out the chain's last block, the root.
  auto chain_count = result.chain_pem.size();
  if (remove_roots && chain_count > 0)
    --chain_count;
  json_writer w{expected};
  w.begin_object().key("certificate").begin_object();
  w.key("certificate").pem("CERTIFICATE", result.certificate_der);
  w.key("issuingCaCertificate").value(result.issuing_ca_pem);
  w.key("certificateChain").concatenation(result.chain_pem, chain_count);
  if (!result.private_key_pem.empty())
    w.key("privateKey").value(result.private_key_pem);
  w.key("serialNumber").value(result.serial_hex);
  w.key("certificateId").value(result.certificate_id);
  w.end_object();
  return close_issuance(w, result);
}

std::string render_pending_issuance(const issuance_result& result) {
  json_writer w;
  w.begin_object().key("certificate").null();
  return close_issuance(w, result);
}

std::string render_request(const request_record& request, const certificate_record* cert,
                           const ca_view* ca) {
  // The certificate's PEM (4/3 of its DER, and line breaks) and the chain,
  // with room for the request's other members.
  size_t expected = 1024;
  if (cert != nullptr)
    expected += cert->der.size() * 3 / 2;
  if (ca != nullptr)
    expected += ca->chain_json.size();
  json_writer w{expected};
  w.begin_object();
  w.key("status").value(to_string(request.status));
  if (cert != nullptr) {
    w.key("certificate").pem("CERTIFICATE", cert->der);
    w.key("certificateId").value(cert->id);
    w.key("serialNumber").value(to_hex(cert->serial));
    // Rendered once per catalog snapshot.
    if (ca != nullptr)
      w.key("certificateChain").raw(ca->chain_json);
    else
      w.key("certificateChain").value(std::string_view{});
  } else {
    w.key("certificate").null().key("certificateId").null().key("serialNumber").null();
    w.key("certificateChain").null();
  }
  // Private keys are returned once, in the issuance response, and never
  // stored; a poll therefore always says null.
  w.key("privateKey").null();
  w.key("errorMessage").string_or_null(request.error_message);
  w.key("pendingMessage").string_or_null(pending_message(request));
  w.key("approvalRequestId").string_or_null(request.approval_request_id);
  write_subject_members(w, request.plan.subject);
  w.key("altNames").value(alt_names_text(request.plan.sans));
  w.key("profileId").value(request.profile_id);
  w.key("caId").value(request.ca_id);
  w.key("metadata");
  write_metadata(w, request.metadata);
  w.key("createdAt").value(format_iso8601(request.created_at));
  w.key("updatedAt").value(format_iso8601(request.updated_at));
  w.end_object();
  return w.take();
}

std::string render_request_page(const std::vector<listed_request>& requests, uint64_t total,
                                const std::string& next_cursor) {
  json_writer w;
  w.begin_object().key("certificateRequests").begin_array();
  for (const auto& [request, cert, profile_name] : requests) {
    w.begin_object();
    w.key("id").value(request.id);
    w.key("status").value(to_string(request.status));
    w.key("commonName").string_or_null(request.plan.subject.common_name);
    w.key("altNames").string_or_null(alt_names_text(request.plan.sans));
    w.key("profileId").value(request.profile_id);
    w.key("profileName").string_or_null(profile_name);
    w.key("caId").string_or_null(request.ca_id);
    w.key("certificateId").string_or_null(request.certificate_id);
    w.key("approvalRequestId").string_or_null(request.approval_request_id);
    w.key("errorMessage").string_or_null(request.error_message);
    w.key("pendingMessage").string_or_null(pending_message(request));
    w.key("createdAt").value(format_iso8601(request.created_at));
    w.key("updatedAt").value(format_iso8601(request.updated_at));
    w.key("certificate");
    if (cert) {
      w.begin_object();
      w.key("id").value(cert->id);
      w.key("serialNumber").value(to_hex(cert->serial));
      w.key("status").value(cert->status == certificate_status::active ? "active" : "revoked");
      w.end_object();
    } else {
      w.null();
    }
    w.end_object();
  }
  w.end_array();
  w.key("totalCount").value(static_cast<int64_t>(total));
  w.key("nextCursor").string_or_null(next_cursor);
  w.end_object();
  return w.take();
}

std::string render_certificate(const certificate_record& cert, const ca_view* ca,
                               const profile_record* profile, const revocation_record* revocation) {
  json_writer w;
  w.begin_object().key("certificate").begin_object();
  w.key("id").value(cert.id);
  w.key("createdAt").value(format_iso8601(cert.created_at));
  w.key("updatedAt").value(format_iso8601(cert.created_at));
  w.key("caId").value(cert.ca_id);
  w.key("caCertId").string_or_null(ca ? ca->ca_cert_id : std::string{});
  w.key("certificateRequestId").value(cert.request_id);
  w.key("profileId").value(cert.profile_id);
  w.key("status").value(cert.status == certificate_status::active ? "active" : "revoked");
  w.key("serialNumber").value(to_hex(cert.serial));
  w.key("friendlyName").value(cert.subject.common_name);
  w.key("commonName").value(cert.subject.common_name);
  w.key("altNames").value(alt_names_text(cert.sans));
  w.key("notBefore").value(format_iso8601(cert.not_before));
  w.key("notAfter").value(format_iso8601(cert.not_after));
  if (revocation != nullptr)
    w.key("revokedAt")
        .value(format_iso8601(revocation->revoked_at))
        .key("revocationReason")
        .value(static_cast<int64_t>(revocation->reason));
  else
    w.key("revokedAt").null().key("revocationReason").null();
  w.key("keyUsages").string_array(key_usage_names(cert.key_usages));
  w.key("extendedKeyUsages").string_array(ext_key_usage_names(cert.ext_key_usages));
  w.key("keyAlgorithm").value(to_string(cert.key_alg));
  w.key("signatureAlgorithm").value(to_string(cert.signature_alg));
  w.key("renewBeforeDays").null().key("renewedFromCertificateId").null();
  w.key("renewedByCertificateId").null().key("renewalError").null();
  w.key("subject").begin_object();
  write_subject_members(w, cert.subject);
  w.end_object();
  w.key("fingerprints").begin_object();
  w.key("sha256").value(fingerprint(cert.der, message_digest(hash_algorithm::sha256)));
  w.key("sha1").value(fingerprint(cert.der, sha1_digest()));
  w.end_object();
  w.key("basicConstraints").begin_object().key("isCA").value(false).end_object();
  w.key("caName").string_or_null(ca ? ca->name : std::string{});
  w.key("caType").value("internal");
  w.key("profileName").string_or_null(profile ? profile->slug : std::string{});
  w.key("hasPrivateKey").value(false);
  w.key("latestRenewalCertificateId").null();
  w.key("metadata");
  write_metadata(w, cert.metadata);
  w.end_object().end_object();
  return w.take();
}

std::string render_certificate_body(const certificate_record& cert, const ca_view* ca) {
  json_writer w;
  w.begin_object();
  w.key("certificate").pem("CERTIFICATE", cert.der);
  if (ca != nullptr)
    w.key("certificateChain").raw(ca->chain_json);
  else
    w.key("certificateChain").null();
  w.key("serialNumber").value(to_hex(cert.serial));
  w.end_object();
  return w.take();
}

std::string render_ca_certificate(const ca_view& ca) {
  json_writer w;
  w.begin_object();
  w.key("certificate").value(ca.chain_pem.front());
  std::vector<std::string> parents(ca.chain_pem.begin() + 1, ca.chain_pem.end());
  w.key("certificateChain").value(join_chain(parents));
  w.key("serialNumber").value(ca.serial_hex);
  w.end_object();
  return w.take();
}

} // namespace certmint
