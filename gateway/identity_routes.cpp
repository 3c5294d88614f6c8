#include "gateway/identity_routes.hpp"

#include <algorithm>
#include <mutex>

#include "engine/identifiers.hpp"
#include "engine/time_format.hpp"
#include "gateway/actor_bridge.hpp"
#include "gateway/http_responder.hpp"
#include "gateway/json_writer.hpp"
#include "gateway/schema.hpp"
#include "storage/store.hpp"

namespace certmint {

namespace {

const std::vector<std::string_view> role_options = {"admin", "manage", "issue", "approve", "read"};
const std::vector<std::string_view> kind_options = {"machine", "user"};

void write_identity(json_writer& w, const identity_record& identity) {
  w.key("tokenId").value(identity.token_id);
  w.key("name").value(identity.name);
  w.key("roles").string_array(role_names(identity.roles));
  w.key("type").value(to_string(identity.kind));
  w.key("createdAt").value(format_iso8601(identity.created_at));
}

// Every stored token as (digest, identity).
result<std::vector<std::pair<std::string, identity_record>>> all_tokens(const store& db) {
  std::vector<std::pair<std::string, identity_record>> out;
  std::optional<failure> broken;
  auto scanned = db.scan_prefix(column::tokens, "", [&](std::string_view key, std::string_view v) {
    auto identity = decode_record<identity_record>(v);
    if (!identity) {
      broken = std::move(identity).error();
      return false;
    }
    out.emplace_back(std::string{key}, std::move(*identity));
    return true;
  });
  if (!scanned)
    return std::move(scanned).error();
  if (broken)
    return std::move(*broken);
  return out;
}

} // namespace

void add_identity_routes(http_router& router, http_responder& r,
                         const std::shared_ptr<const store>& db, actor_bridge& bridge) {
  const std::string base = "/api/v1/identities/tokens";
  // Revocation checks "not the last admin" and then deletes: serialize it
  // with creations so that two revocations cannot both pass the check.
  auto writes = std::make_shared<std::mutex>();
  router.add("POST", base, route_mode::blocking,
             r.authenticated(
                 0, "create", "Identities",
                 [&r, &bridge, writes](const http_request& req, http_response& res, auto&) {
                   simdjson::dom::element doc;
                   if (auto err = parse_json_body(req.body, doc))
                     return r.error(res, *err);
                   std::vector<validation_issue> issues;
                   object_reader root{doc, {}, issues, {"name", "roles", "type"}};
                   auto name = root.name("name", true, 64);
                   auto kind = identity_kind::machine;
                   if (auto type = root.string("type", false, 0, 16)) {
                     if (*type == "user")
                       kind = identity_kind::user;
                     else if (*type != "machine")
                       issues.push_back(enum_issue(root.path_to("type"), *type, kind_options));
                   }
                   uint8_t roles = 0;
                   if (!root.has_array("roles") && issues.empty())
                     root.add_issue("roles", "invalid_type", "Required",
                                    "\"expected\":\"array\",\"received\":\"undefined\"");
                   root.array("roles", 5,
                              [&](simdjson::dom::element item, std::vector<path_element> path) {
                                std::string_view text;
                                std::optional<role_bit> role;
                                if (!item.get_string().get(text))
                                  role = parse_role(text);
                                if (!role)
                                  issues.push_back(enum_issue(std::move(path), text, role_options));
                                else
                                  roles = static_cast<uint8_t>(roles | *role);
                              });
                   if (issues.empty() && roles == 0)
                     root.add_issue(
                         "roles", "too_small", "Array must contain at least 1 element(s)",
                         "\"minimum\":1,\"type\":\"array\",\"inclusive\":true,\"exact\":false");
                   if (!issues.empty())
                     return r.error(res, api_error{errc::validation_failed, {}, std::move(issues)});
                   auto token = make_api_token();
                   identity_record identity{*name, roles, unix_now(), make_uuid_v7(), kind};
                   transaction tx;
                   tx.put(column::tokens, token_digest(token), identity);
                   std::lock_guard<std::mutex> guard{*writes};
                   if (auto ok = bridge.commit(std::move(tx)); !ok)
                     return r.fail(res, std::move(ok).error());
                   json_writer w;
                   w.begin_object().key("token").value(token);
                   write_identity(w, identity);
                   w.end_object();
                   r.json(res, 200, w.take());
                 }));
  router.add("GET", base, route_mode::blocking,
             r.authenticated(0, "read", "Identities",
                             [&r, db](const http_request&, http_response& res, auto&) {
                               auto tokens = all_tokens(*db);
                               if (!tokens)
                                 return r.fail(res, std::move(tokens).error());
                               json_writer w;
                               w.begin_object().key("tokens").begin_array();
                               for (const auto& [digest, identity] : *tokens) {
                                 w.begin_object();
                                 write_identity(w, identity);
                                 w.end_object();
                               }
                               w.end_array().end_object();
                               r.json(res, 200, w.take());
                             }));
  router.add(
      "DELETE", base + "/:id", route_mode::blocking,
      r.authenticated(
          0, "delete", "Identities",
          [&r, db, &bridge, writes](const http_request& req, http_response& res, auto&) {
            const auto& id = req.param(0);
            if (!r.uuid_param(res, id, "tokenId"))
              return;
            std::lock_guard<std::mutex> guard{*writes};
            auto tokens = all_tokens(*db);
            if (!tokens)
              return r.fail(res, std::move(tokens).error());
            auto it = std::find_if(tokens->begin(), tokens->end(), [&id](const auto& entry) {
              return entry.second.token_id == id;
            });
            if (it == tokens->end())
              return r.fail(res,
                            make_failure(errc::not_found, "Token with ID '" + id + "' not found"));
            auto admins = std::count_if(tokens->begin(), tokens->end(), [](const auto& entry) {
              return (entry.second.roles & role_admin) != 0;
            });
            if ((it->second.roles & role_admin) && admins == 1)
              return r.fail(
                  res, make_failure(errc::bad_request,
                                    "Cannot revoke the last admin token; create another first"));
            transaction tx;
            tx.mutations.push_back({column::tokens, it->first, std::nullopt});
            if (auto ok = bridge.commit(std::move(tx)); !ok)
              return r.fail(res, std::move(ok).error());
            json_writer w;
            w.begin_object().key("tokenId").value(id).key("revoked").value(true).end_object();
            r.json(res, 200, w.take());
          }));
}

} // namespace certmint
