#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "engine/algorithms.hpp"
#include "engine/x509_names.hpp"
#include "gateway/api_error.hpp"

namespace certmint {

/// POST /ca/internal (Infisical §3.4), plus `configuration.parentCaId`: the
/// internal CA that signs a new intermediate at once.
struct ca_create_body {
  std::string name;
  bool disabled = false;
  bool root = true;
  std::string friendly_name;
  subject_fields subject;
  std::optional<int64_t> not_before;
  std::optional<int64_t> not_after;
  int max_path_length = -1;
  key_algorithm key_alg = key_algorithm::ec_p256;
  std::string parent_id;
};

/// PATCH /ca/internal/:id: name and status.
struct ca_patch_body {
  std::optional<std::string> name;
  std::optional<bool> disabled;
};

/// POST /ca/internal/:caId/sign-intermediate.
struct sign_intermediate_body {
  std::string csr;
  std::optional<int64_t> not_before;
  int64_t not_after = 0;
  int max_path_length = -1;
};

/// POST /ca/internal/:caId/import-certificate.
struct import_certificate_body {
  std::string certificate;
  std::string certificate_chain;
};

std::optional<api_error> parse_ca_create_body(std::string_view body, ca_create_body& out);
std::optional<api_error> parse_ca_patch_body(std::string_view body, ca_patch_body& out);
std::optional<api_error> parse_sign_intermediate_body(std::string_view body,
                                                      sign_intermediate_body& out);
std::optional<api_error> parse_import_certificate_body(std::string_view body,
                                                       import_certificate_body& out);

} // namespace certmint
