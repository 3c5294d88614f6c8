#include "gateway/schema.hpp"

#include "engine/identifiers.hpp"
#include "engine/text.hpp"
#include "gateway/json_writer.hpp"

namespace certmint {

namespace {

std::string json_quoted(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

} // namespace

std::optional<api_error> parse_json_body(std::string_view body, simdjson::dom::element& out) {
  thread_local simdjson::dom::parser parser;
  auto err = parser.parse(body.data(), body.size()).get(out);
  if (err)
    return api_error{errc::bad_request,
                     std::string{"Body is not valid JSON: "} + simdjson::error_message(err),
                     {}};
  return std::nullopt;
}

std::string_view json_type_name(simdjson::dom::element element) {
  switch (element.type()) {
    case simdjson::dom::element_type::ARRAY:
      return "array";
    case simdjson::dom::element_type::OBJECT:
      return "object";
    case simdjson::dom::element_type::INT64:
    case simdjson::dom::element_type::UINT64:
    case simdjson::dom::element_type::DOUBLE:
      return "number";
    case simdjson::dom::element_type::STRING:
      return "string";
    case simdjson::dom::element_type::BOOL:
      return "boolean";
    case simdjson::dom::element_type::NULL_VALUE:
      return "null";
  }
  return "unknown";
}

validation_issue enum_issue(std::vector<path_element> path, std::string_view received,
                            const std::vector<std::string_view>& options) {
  std::string expected;
  std::string options_json = "[";
  for (size_t i = 0; i < options.size(); ++i) {
    if (i > 0) {
      expected += " | ";
      options_json += ',';
    }
    expected += "'" + std::string{options[i]} + "'";
    options_json += json_quoted(options[i]);
  }
  options_json += ']';
  return validation_issue{"invalid_enum_value", std::move(path),
                          "Invalid enum value. Expected " + expected + ", received '"
                              + std::string{received} + "'",
                          "\"received\":" + json_quoted(received) + ",\"options\":" + options_json};
}

object_reader::object_reader(simdjson::dom::element element, std::vector<path_element> path,
                             std::vector<validation_issue>& issues,
                             std::initializer_list<std::string_view> keys)
    : path_(std::move(path)), issues_(&issues) {
  if (element.get_object().get(object_)) {
    issues.push_back(validation_issue{
        "invalid_type", path_, "Expected object, received " + std::string{json_type_name(element)},
        "\"expected\":\"object\",\"received\":" + json_quoted(json_type_name(element))});
    return;
  }
  is_object_ = true;
  std::vector<std::string> unknown;
  // Members seen, by their index in `keys`. A repeated member is refused:
  // simdjson would read the first, JSON.parse (Infisical) keeps the last,
  // and which one the client meant is not ours to guess (RFC 7493 §2.3).
  uint64_t seen = 0;
  for (auto field : object_) {
    bool known = false;
    size_t index = 0;
    for (auto key : keys) {
      if (field.key == key) {
        known = true;
        const uint64_t bit = index < 64 ? uint64_t{1} << index : 0;
        if ((seen & bit) != 0)
          issues.push_back(validation_issue{
              "custom", path_to(key),
              "Duplicate key '" + std::string{key} + "': a member may appear once", ""});
        seen |= bit;
        break;
      }
      ++index;
    }
    if (!known)
      unknown.emplace_back(field.key);
  }
  if (!unknown.empty()) {
    std::string names;
    std::string keys_json = "[";
    for (size_t i = 0; i < unknown.size(); ++i) {
      if (i > 0) {
        names += ", ";
        keys_json += ',';
      }
      names += "'" + unknown[i] + "'";
      keys_json += json_quoted(unknown[i]);
    }
    keys_json += ']';
    issues.push_back(validation_issue{"unrecognized_keys", path_,
                                      "Unrecognized key(s) in object: " + names,
                                      "\"keys\":" + keys_json});
  }
}

std::vector<path_element> object_reader::path_to(std::string_view key) const {
  auto out = path_;
  out.emplace_back(std::string{key});
  return out;
}

std::vector<path_element> object_reader::path_to(std::string_view key, size_t index) const {
  auto out = path_to(key);
  out.emplace_back(index);
  return out;
}

void object_reader::add_issue(std::string_view key, std::string code, std::string message,
                              std::string extra_json) {
  add_issue_at(key.empty() ? path_ : path_to(key), std::move(code), std::move(message),
               std::move(extra_json));
}

void object_reader::add_issue_at(std::vector<path_element> path, std::string code,
                                 std::string message, std::string extra_json) {
  issues_->push_back(validation_issue{std::move(code), std::move(path), std::move(message),
                                      std::move(extra_json)});
}

void object_reader::type_issue(std::string_view key, std::string_view expected,
                               simdjson::dom::element got) {
  auto received = json_type_name(got);
  add_issue(key, "invalid_type",
            "Expected " + std::string{expected} + ", received " + std::string{received},
            "\"expected\":" + json_quoted(expected) + ",\"received\":" + json_quoted(received));
}

void object_reader::add_size_issue(std::string_view key, std::string_view code,
                                   std::string_view type, size_t bound, std::string message) {
  auto bound_name = code == "too_big" ? "maximum" : "minimum";
  add_issue(key, std::string{code}, std::move(message),
            "\"" + std::string{bound_name} + "\":" + std::to_string(bound)
                + ",\"type\":" + json_quoted(type) + ",\"inclusive\":true,\"exact\":false");
}

std::optional<simdjson::dom::element> object_reader::member(std::string_view key, bool required,
                                                            bool nullable) {
  if (!is_object_)
    return std::nullopt;
  simdjson::dom::element el;
  if (object_.at_key(key).get(el)) {
    if (required)
      add_issue(key, "invalid_type", "Required",
                "\"expected\":\"string\",\"received\":\"undefined\"");
    return std::nullopt;
  }
  if (nullable && el.is_null())
    return std::nullopt;
  return el;
}

bool object_reader::is_null(std::string_view key) const {
  simdjson::dom::element el;
  return is_object_ && !object_.at_key(key).get(el) && el.is_null();
}

bool object_reader::has(std::string_view key) const {
  simdjson::dom::element el;
  return is_object_ && !object_.at_key(key).get(el);
}

bool object_reader::has_array(std::string_view key) const {
  simdjson::dom::element el;
  return is_object_ && !object_.at_key(key).get(el) && el.is_array();
}

std::optional<std::string> object_reader::string(std::string_view key, bool required,
                                                 size_t min_len, size_t max_len, bool nullable) {
  auto el = member(key, required, nullable);
  if (!el)
    return std::nullopt;
  std::string_view text;
  if (el->get_string().get(text)) {
    type_issue(key, "string", *el);
    return std::nullopt;
  }
  if (text.size() < min_len) {
    add_size_issue(key, "too_small", "string", min_len,
                   "String must contain at least " + std::to_string(min_len) + " character(s)");
    return std::nullopt;
  }
  if (text.size() > max_len) {
    add_size_issue(key, "too_big", "string", max_len,
                   "String must contain at most " + std::to_string(max_len) + " character(s)");
    return std::nullopt;
  }
  return std::string{text};
}

std::optional<std::string> object_reader::name(std::string_view key, bool required, size_t max_len,
                                               bool nullable) {
  auto text = string(key, required, 1, max_len, nullable);
  if (text && has_control_character(*text)) {
    add_issue(key, "custom", std::string{key} + " must not contain control characters");
    return std::nullopt;
  }
  return text;
}

std::optional<std::string> object_reader::uuid(std::string_view key, bool required) {
  auto text = string(key, required, 0, 64);
  if (!text)
    return std::nullopt;
  if (!is_uuid(*text)) {
    add_issue(key, "invalid_string", "Invalid uuid", "\"validation\":\"uuid\"");
    return std::nullopt;
  }
  for (auto& c : *text)
    if (c >= 'A' && c <= 'F')
      c = static_cast<char>(c - 'A' + 'a');
  return text;
}

std::optional<bool> object_reader::boolean(std::string_view key, bool required) {
  auto el = member(key, required, false);
  if (!el)
    return std::nullopt;
  bool flag = false;
  if (el->get_bool().get(flag)) {
    type_issue(key, "boolean", *el);
    return std::nullopt;
  }
  return flag;
}

std::optional<int64_t> object_reader::integer(std::string_view key, bool required, int64_t min,
                                              int64_t max) {
  auto el = member(key, required, false);
  if (!el)
    return std::nullopt;
  int64_t number = 0;
  if (el->get_int64().get(number)) {
    double real = 0;
    if (!el->get_double().get(real))
      add_issue(key, "invalid_type", "Expected integer, received float",
                "\"expected\":\"integer\",\"received\":\"float\"");
    else
      type_issue(key, "number", *el);
    return std::nullopt;
  }
  if (number < min) {
    add_issue(key, "too_small", "Number must be greater than or equal to " + std::to_string(min),
              "\"minimum\":" + std::to_string(min)
                  + ",\"type\":\"number\",\"inclusive\":true,\"exact\":false");
    return std::nullopt;
  }
  if (number > max) {
    add_issue(key, "too_big", "Number must be less than or equal to " + std::to_string(max),
              "\"maximum\":" + std::to_string(max)
                  + ",\"type\":\"number\",\"inclusive\":true,\"exact\":false");
    return std::nullopt;
  }
  return number;
}

std::optional<object_reader> object_reader::object(std::string_view key,
                                                   std::initializer_list<std::string_view> keys,
                                                   bool nullable) {
  auto el = member(key, false, nullable);
  if (!el)
    return std::nullopt;
  object_reader nested{*el, path_to(key), *issues_, keys};
  if (!nested.is_object())
    return std::nullopt;
  return nested;
}

} // namespace certmint
