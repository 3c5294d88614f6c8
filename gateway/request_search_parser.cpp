#include "gateway/request_search_parser.hpp"

#include <algorithm>

#include "engine/identifiers.hpp"
#include "engine/time_format.hpp"
#include "gateway/attribute_readers.hpp"
#include "gateway/json_writer.hpp"
#include "gateway/schema.hpp"

namespace certmint {

namespace {

const std::vector<std::string_view> status_names = {"pending_approval", "pending", "issued",
                                                    "failed", "rejected"};
const std::vector<std::string_view> sort_fields = {"createdAt"};
const std::vector<std::string_view> sort_orders = {"asc", "desc"};

std::optional<int64_t> read_time_ms(object_reader& root, std::string_view key) {
  auto text = root.string(key, false, 1, 64);
  if (!text)
    return std::nullopt;
  auto seconds = parse_iso8601(*text);
  if (!seconds) {
    root.add_issue(key, "invalid_date", "Invalid date");
    return std::nullopt;
  }
  return *seconds * 1000;
}

// A query value that reads as a JSON integer: an optional minus and 1..11
// digits (no overflow), so that "-1" gets the range message a number gets,
// as zod's coercion gives it, instead of "Expected number".
bool integer_text(std::string_view text) {
  if (!text.empty() && text.front() == '-')
    text.remove_prefix(1);
  return !text.empty() && text.size() < 12
         && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

} // namespace

std::optional<api_error> parse_request_search_body(std::string_view body, request_query& out) {
  simdjson::dom::element doc;
  if (auto err = parse_json_body(body, doc))
    return err;
  std::vector<validation_issue> issues;
  object_reader root{doc,
                     {},
                     issues,
                     {"projectId", "projectSlug", "offset", "limit", "search", "status", "fromDate",
                      "toDate", "profileIds", "applicationId", "sortBy", "sortOrder", "metadata",
                      "cursor"}};
  if (root.is_object()) {
    // Project scoping is implicit in certmint (one project per server).
    root.string("projectId", false, 0, 255);
    root.string("projectSlug", false, 0, 255);
    if (auto offset = root.integer("offset", false, 0, 1000000000))
      out.offset = static_cast<size_t>(*offset);
    if (auto limit = root.integer("limit", false, 1, 100))
      out.limit = static_cast<size_t>(*limit);
    if (auto search = root.string("search", false, 0, 255))
      out.search = std::move(*search);
    if (auto status = root.string("status", false, 0, 32)) {
      out.status = parse_request_status(*status);
      if (!out.status)
        issues.push_back(enum_issue(root.path_to("status"), *status, status_names));
    }
    auto from = read_time_ms(root, "fromDate");
    auto to = read_time_ms(root, "toDate");
    if (from && to && *from > *to)
      root.add_issue("", "custom", "fromDate must not be later than toDate");
    // A date is read to the second: toDate covers its whole second.
    out.from_ms = from;
    if (to)
      out.to_ms = *to + 999;
    root.array("profileIds", 100, [&](simdjson::dom::element item, std::vector<path_element> path) {
      std::string_view id;
      if (item.get_string().get(id) || !is_uuid(id)) {
        root.add_issue_at(std::move(path), "invalid_string", "Invalid uuid",
                          "\"validation\":\"uuid\"");
        return;
      }
      out.profile_ids.emplace_back(id);
    });
    auto application = root.uuid("applicationId", false);
    if (auto sort = root.string("sortBy", false, 0, 64);
        sort && std::find(sort_fields.begin(), sort_fields.end(), *sort) == sort_fields.end())
      issues.push_back(enum_issue(root.path_to("sortBy"), *sort, sort_fields));
    if (auto order = root.string("sortOrder", false, 0, 8)) {
      if (std::find(sort_orders.begin(), sort_orders.end(), *order) == sort_orders.end())
        issues.push_back(enum_issue(root.path_to("sortOrder"), *order, sort_orders));
      else
        out.descending = *order == "desc";
    }
    read_metadata(root, issues, out.metadata);
    if (auto cursor = root.uuid("cursor", false))
      out.after = std::move(*cursor);
    if (issues.empty() && application)
      return application_unsupported();
  }
  if (!issues.empty())
    return api_error{errc::validation_failed, {}, std::move(issues)};
  return std::nullopt;
}

std::optional<api_error>
parse_request_search_params(const std::vector<std::pair<std::string, std::string>>& params,
                            request_query& out) {
  json_writer w;
  w.begin_object();
  for (const auto& [name, value] : params) {
    w.key(name);
    if ((name == "offset" || name == "limit") && integer_text(value)) {
      w.value(static_cast<int64_t>(std::stoll(value)));
    } else if (name == "profileIds") {
      w.begin_array();
      size_t start = 0;
      while (start <= value.size()) {
        auto end = value.find(',', start);
        if (end == std::string::npos)
          end = value.size();
        if (end > start)
          w.value(std::string_view{value}.substr(start, end - start));
        start = end + 1;
      }
      w.end_array();
    } else {
      w.value(value);
    }
  }
  w.end_object();
  return parse_request_search_body(w.take(), out);
}

} // namespace certmint
