#pragma once

// Readers for the certificate vocabulary shared by request bodies
// (issuance attributes, profile defaults, request searches): usages,
// algorithms, dates, metadata.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/algorithms.hpp"
#include "gateway/api_error.hpp"
#include "gateway/schema.hpp"

namespace certmint {

inline constexpr size_t max_metadata_entries = 50;

/// `keyUsages` / `extendedKeyUsages` as bit masks (≤ 20 names each). An
/// empty array reads as 0, an absent member as nullopt.
std::optional<uint16_t> read_key_usages(object_reader& reader, std::string_view key,
                                        std::vector<validation_issue>& issues);
std::optional<uint8_t> read_ext_key_usages(object_reader& reader, std::string_view key,
                                           std::vector<validation_issue>& issues);

std::optional<key_algorithm> read_key_algorithm(object_reader& reader, std::string_view key,
                                                std::vector<validation_issue>& issues);
std::optional<signature_algorithm> read_signature_algorithm(object_reader& reader,
                                                            std::string_view key,
                                                            std::vector<validation_issue>& issues);

/// An ISO 8601 date member, as Unix seconds.
std::optional<int64_t> read_date(object_reader& reader, std::string_view key);

/// `metadata`: at most `max_metadata_entries` `{key (1..255), value
/// (..1020)}` objects, appended to `out` in their order.
void read_metadata(object_reader& reader, std::vector<validation_issue>& issues,
                   std::vector<std::pair<std::string, std::string>>& out);

/// The answer to a body that is valid but names an `applicationId` (a 400:
/// the schema allows the member, certmint has nothing it could name).
api_error application_unsupported();

} // namespace certmint
