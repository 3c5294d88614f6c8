#include "gateway/http_router.hpp"

namespace certmint {

namespace {

// The segments of "/a/b/c" are a, b, c; "/" has one empty segment.
template <class Visit> bool for_each_segment(std::string_view path, Visit&& visit) {
  if (path.empty() || path.front() != '/')
    return false;
  path.remove_prefix(1);
  for (;;) {
    auto slash = path.find('/');
    if (!visit(path.substr(0, slash)))
      return false;
    if (slash == std::string_view::npos)
      return true;
    path.remove_prefix(slash + 1);
  }
}

} // namespace

http_route& http_router::make(std::string_view method, std::string_view pattern, route_mode mode) {
  http_route route;
  route.method = std::string{method};
  route.pattern = std::string{pattern};
  route.mode = mode;
  for_each_segment(pattern, [&route](std::string_view segment) {
    bool capture = !segment.empty() && segment.front() == ':';
    route.segments.emplace_back(capture ? std::string_view{} : segment);
    route.captures.push_back(capture);
    return true;
  });
  return routes_.emplace_back(std::move(route));
}

void http_router::add(std::string_view method, std::string_view pattern, route_mode mode,
                      http_handler handler) {
  make(method, pattern, mode).handler = std::move(handler);
}

void http_router::add_deferred(std::string_view method, std::string_view pattern,
                               deferred_handler handler) {
  make(method, pattern, route_mode::deferred).deferred = std::move(handler);
}

http_router::lookup http_router::find(http_request& req, const http_route*& route) const {
  // Split once; compare against every route of the method.
  std::vector<std::string_view> parts;
  if (!for_each_segment(req.path, [&parts](std::string_view segment) {
        parts.push_back(segment);
        return true;
      }))
    return lookup::not_found;
  std::string_view method = req.method == "HEAD" ? std::string_view{"GET"} : req.method;
  for (const auto& candidate : routes_) {
    if (candidate.method != method || candidate.segments.size() != parts.size())
      continue;
    bool matches = true;
    for (size_t i = 0; i < parts.size() && matches; ++i)
      matches = candidate.captures[i] ? !parts[i].empty() : candidate.segments[i] == parts[i];
    if (!matches)
      continue;
    req.params.clear();
    for (size_t i = 0; i < parts.size(); ++i) {
      if (!candidate.captures[i])
        continue;
      std::string decoded;
      if (!percent_decode(parts[i], false, decoded))
        return lookup::bad_path;
      req.params.push_back(std::move(decoded));
    }
    route = &candidate;
    return lookup::found;
  }
  return lookup::not_found;
}

} // namespace certmint
