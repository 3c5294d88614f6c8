#pragma once

// Readers for the certificate vocabulary shared by request bodies
// (issuance attributes, profile defaults): usages, algorithms, dates.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "engine/algorithms.hpp"
#include "gateway/schema.hpp"

namespace certmint {

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

} // namespace certmint
