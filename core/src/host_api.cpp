#include "host_api.hpp"

#include <spdlog/spdlog.h>
#include <dbclone/sdk.hpp>

namespace dbclone {

namespace {

void log(void* ctx, dbc_log_level level, const char* msg) {
    const auto& prefix = *static_cast<const std::string*>(ctx);
    auto spd = level >= DBC_LOG_ERROR  ? spdlog::level::err
               : level == DBC_LOG_WARN ? spdlog::level::warn
               : level == DBC_LOG_INFO ? spdlog::level::info
                                       : spdlog::level::debug;
    spdlog::log(spd, "[{}] {}", prefix, msg != nullptr ? msg : "");
}

dbc_rc set_error(dbc_error* err, dbc_rc code, const char* msg) {
    return sdk::fill_error(err, code, msg);
}

void append_record(void* ctx, const char* data, size_t len) {
    static_cast<std::vector<std::string>*>(ctx)->emplace_back(data, len);
}

}  // namespace

ErrorKind error_kind_for(dbc_rc rc) {
    switch (rc) {
        case DBC_INVALID_ARGUMENT:
            return ErrorKind::InvalidInput;
        case DBC_NOT_FOUND:
            return ErrorKind::NotFound;
        case DBC_CONFLICT:
            return ErrorKind::Conflict;
        case DBC_UNAVAILABLE:
        case DBC_TIMEOUT:
            return ErrorKind::Unavailable;
        default:
            return ErrorKind::Failed;
    }
}

dbc_host_api make_host_api(const std::string* log_prefix) {
    dbc_host_api api{};
    api.struct_size = sizeof api;
    api.abi_major = DBC_ABI_MAJOR;
    api.abi_minor = DBC_ABI_MINOR;
    api.ctx = const_cast<std::string*>(log_prefix);
    api.log = &log;
    api.set_error = &set_error;
    return api;
}

CallError::CallError() {
    error_.struct_size = sizeof error_;
}

std::string CallError::message() const {
    return error_.message[0] != '\0' ? error_.message
                                     : "plugin returned an error without a message";
}

RecordSink::RecordSink(std::vector<std::string>& records) {
    sink_.struct_size = sizeof sink_;
    sink_.ctx = &records;
    sink_.write = &append_record;
}

}  // namespace dbclone
