#pragma once

// Schema of POST /certificates/certificate-requests/search and of its GET
// form (query string, `profileIds` comma-separated).

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gateway/api_error.hpp"
#include "storage/request_search.hpp"

namespace certmint {

std::optional<api_error> parse_request_search_body(std::string_view body, request_query& out);

/// The GET form: the parameters are turned into the body's JSON and read
/// by the same schema, so both forms accept and refuse the same things.
std::optional<api_error>
parse_request_search_params(const std::vector<std::pair<std::string, std::string>>& params,
                            request_query& out);

} // namespace certmint
