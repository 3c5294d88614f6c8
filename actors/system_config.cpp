#include "actors/system_config.hpp"

#include <string>
#include <thread>

#include <caf/atom.hpp>
#include <caf/message.hpp>

#include "actors/work_sharing_scheduler.hpp"
#include "engine/error.hpp"

namespace certmint {

system_config::system_config(size_t scheduler_threads) {
  if (scheduler_threads == 0)
    scheduler_threads = std::max(2u, std::thread::hardware_concurrency());
  set("scheduler.max-threads", scheduler_threads);
  // Work sharing: the HTTP loops hand work to idle workers through a
  // condition variable (work stealing polls with sleeps, see
  // docs/architecture.md); the scheduler's clock skips wake-ups per request.
  set("scheduler.policy", caf::atom("sharing"));
  use_work_sharing_scheduler(*this);
  add_error_category(caf::atom("certmint"),
                     [](uint8_t code, caf::atom_value, const caf::message& ctx) -> std::string {
                       std::string out = "certmint:";
                       out += to_string(static_cast<errc>(code));
                       if (ctx.match_elements<std::string>()) {
                         out += ' ';
                         out += ctx.get_as<std::string>(0);
                       }
                       return out;
                     });
}

} // namespace certmint
