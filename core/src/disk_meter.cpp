#include "dbclone/core/disk_meter.hpp"

namespace dbclone {

Target owner_target(const CloneRecord& r) {
    return {r.tenant_id, r.location, r.host, r.port, r.user_name, r.password};
}

std::optional<uint64_t> measure_disk(Engine& engine, const CloneRecord& record) {
    auto bytes = engine.backend(record.db_type).measure_size(owner_target(record));
    if (bytes) engine.registry().record_disk(record.tenant_id, *bytes);
    return bytes;
}

}  // namespace dbclone
