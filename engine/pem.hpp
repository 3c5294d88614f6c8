#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/error.hpp"
#include "engine/openssl_types.hpp"

namespace certmint {

/// Wraps DER bytes into a PEM block with the given label ("CERTIFICATE", ...).
std::string pem_encode(std::string_view label, std::string_view der);

/// Appends the PEM block of `der` to `out`, each line ended by
/// `line_break`: "\n" for PEM text, the two characters `\` `n` to write it
/// straight into a JSON string (PEM has no other character JSON escapes),
/// which saves building the block and escaping it afterwards.
void append_pem(std::string& out, std::string_view label, std::string_view der,
                std::string_view line_break = "\n");

/// Decodes the first PEM block of `text` if its label is one of `labels`.
/// `block_end`, if given, receives the offset just past the block's END
/// line, so that a caller wanting one block and nothing after it can tell.
std::optional<std::string> pem_decode(std::string_view text,
                                      std::initializer_list<std::string_view> labels,
                                      size_t* block_end = nullptr);

/// Splits a text into its PEM blocks (each with header and footer, newline
/// terminated), in order. Text between blocks is ignored.
std::vector<std::string> split_pem_blocks(std::string_view text);

std::string certificate_to_der(X509* cert);
std::string certificate_to_pem(X509* cert);
result<x509_ptr> certificate_from_der(std::string_view der);
result<x509_ptr> certificate_from_pem(std::string_view pem);

} // namespace certmint
