#include "dbclone/core/disk_meter.hpp"

namespace dbclone {

std::optional<uint64_t> measure_disk(Engine& engine, const CloneRecord& record) {
    Target owner{record.tenant_id, record.location,  record.host,
                 record.port,      record.user_name, record.password};
    auto bytes = engine.backend(record.db_type).measure_size(owner);
    if (bytes) engine.registry().record_disk(record.tenant_id, *bytes);
    return bytes;
}

}  // namespace dbclone
