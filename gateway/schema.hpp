#pragma once

// Schema checks for JSON request bodies, reporting violations the way zod
// does (code, path, message), so Infisical clients see familiar 422 bodies.

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "gateway/api_error.hpp"

namespace certmint {

/// Parses a body into a DOM element; malformed JSON is a 400 (as in
/// Fastify), with the parser's reason. The parser is per thread.
std::optional<api_error> parse_json_body(std::string_view body, simdjson::dom::element& out);

/// Reads the members of one JSON object, collecting issues. Keys the
/// schema does not list are refused as `unrecognized_keys`
/// (additionalProperties: false).
class object_reader {
public:
  object_reader(simdjson::dom::element element, std::vector<path_element> path,
                std::vector<validation_issue>& issues,
                std::initializer_list<std::string_view> keys);

  /// False when the element was not an object (an issue was recorded).
  bool is_object() const { return is_object_; }

  /// A string member. `nullable`: JSON null reads as absent.
  std::optional<std::string> string(std::string_view key, bool required, size_t min_len,
                                    size_t max_len, bool nullable = false);
  /// A name people read (a token's, a policy's): a string of 1 to
  /// `max_len` bytes without control characters (a custom issue).
  std::optional<std::string> name(std::string_view key, bool required, size_t max_len,
                                  bool nullable = false);
  std::optional<std::string> uuid(std::string_view key, bool required);
  std::optional<bool> boolean(std::string_view key, bool required);
  std::optional<int64_t> integer(std::string_view key, bool required, int64_t min, int64_t max);

  /// True when the member exists and is JSON null.
  bool is_null(std::string_view key) const;

  /// True when the member exists (any value, null included).
  bool has(std::string_view key) const;

  /// True when the member exists and is an array.
  bool has_array(std::string_view key) const;

  /// An array member: checks type and size, then visits each element.
  template <class F> void array(std::string_view key, size_t max_items, F&& visit) {
    auto el = member(key, false, false);
    if (!el)
      return;
    simdjson::dom::array items;
    if (el->get_array().get(items)) {
      type_issue(key, "array", *el);
      return;
    }
    if (items.size() > max_items) {
      add_size_issue(key, "too_big", "array", max_items,
                     "Array must contain at most " + std::to_string(max_items) + " element(s)");
      return;
    }
    size_t index = 0;
    for (auto item : items)
      visit(item, path_to(key, index++));
  }

  /// An object member, as a nested reader (nullopt when absent or null).
  std::optional<object_reader>
  object(std::string_view key, std::initializer_list<std::string_view> keys, bool nullable = false);

  /// Records an issue at a member of this object.
  void add_issue(std::string_view key, std::string code, std::string message,
                 std::string extra_json = {});
  void add_issue_at(std::vector<path_element> path, std::string code, std::string message,
                    std::string extra_json = {});

  std::vector<path_element> path_to(std::string_view key) const;
  std::vector<path_element> path_to(std::string_view key, size_t index) const;

private:
  std::optional<simdjson::dom::element> member(std::string_view key, bool required, bool nullable);
  void type_issue(std::string_view key, std::string_view expected, simdjson::dom::element got);
  void add_size_issue(std::string_view key, std::string_view code, std::string_view type,
                      size_t bound, std::string message);

  simdjson::dom::object object_;
  std::vector<path_element> path_;
  std::vector<validation_issue>* issues_;
  bool is_object_ = false;
};

/// Name of a JSON value's type as zod reports it ("string", "null", ...).
std::string_view json_type_name(simdjson::dom::element element);

/// A zod `invalid_enum_value` issue for `received` at `path`.
validation_issue enum_issue(std::vector<path_element> path, std::string_view received,
                            const std::vector<std::string_view>& options);

} // namespace certmint
