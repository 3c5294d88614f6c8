#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace certmint {

/// A small streaming JSON writer: the gateway's responses are flat and few,
/// so this is faster and clearer than building a DOM.
///
///   json_writer w;
///   w.begin_object().key("a").value("x").key("b").null().end_object();
class json_writer {
public:
  json_writer() = default;
  /// Reserves the expected size of the document once: growing a string of
  /// certificate PEMs step by step copies it several times over.
  explicit json_writer(size_t expected_size) { out_.reserve(expected_size); }

  json_writer& begin_object();
  json_writer& end_object();
  json_writer& begin_array();
  json_writer& end_array();
  json_writer& key(std::string_view name);
  json_writer& value(std::string_view text);
  json_writer& value(const char* text) { return value(std::string_view{text}); }
  json_writer& value(const std::string& text) { return value(std::string_view{text}); }
  json_writer& value(int64_t number);
  json_writer& value(int number) { return value(static_cast<int64_t>(number)); }
  json_writer& value(bool flag);
  /// A finite number with up to 6 significant digits.
  json_writer& value(double number);
  json_writer& null();
  /// A string, or null when empty.
  json_writer& string_or_null(std::string_view text);
  /// Inserts already-serialized JSON: a value, or (inside an object)
  /// complete "name":value members.
  json_writer& raw(std::string_view json);
  json_writer& string_array(const std::vector<std::string_view>& items);
  /// The first `count` of `parts` as one JSON string (a PEM chain, say),
  /// escaped where they lie instead of joined first.
  json_writer& concatenation(const std::vector<std::string>& parts, size_t count);
  /// The PEM block of `der` as a JSON string, encoded straight into the
  /// output (no PEM text to build and escape first).
  json_writer& pem(std::string_view label, std::string_view der);

  const std::string& str() const { return out_; }
  std::string take() { return std::move(out_); }

private:
  void separate();
  std::string out_;
  // Per open container: 1 while no element is written yet (bytes, not
  // std::vector<bool>: every value asks, and a bit's access costs more).
  std::vector<uint8_t> first_;
  bool after_key_ = false;
};

/// Appends `text` as a quoted, escaped JSON string.
void append_json_string(std::string& out, std::string_view text);

} // namespace certmint
