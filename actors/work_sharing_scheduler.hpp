#pragma once

namespace caf {
class actor_system_config;
}

namespace certmint {

/// Installs certmint's scheduler: CAF's work-sharing coordinator with an
/// actor clock that is not woken when an actor that never set a timeout
/// terminates.
///
/// Why: in CAF 0.17 every terminating actor calls
/// `clock().cancel_timeouts(self)`, and the default clock turns that into
/// an event pushed through a mutex-and-condition-variable queue that wakes
/// the clock thread. certmint runs one actor per request, so that is a
/// thread wake-up per issuance for nothing (its request actors set no
/// timeouts). The clock below remembers which actors set one and forwards
/// only their cancellations; everything else is CAF's own code.
void use_work_sharing_scheduler(caf::actor_system_config& cfg);

} // namespace certmint
