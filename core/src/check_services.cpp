#include "check_services.hpp"

#include <dbclone/sdk.hpp>
#include <dbclone/sha256.hpp>

#include <cstring>

#include "dbclone/core/record_json.hpp"

namespace dbclone {

namespace {

CheckServices& self(void* ctx) {
    return *static_cast<CheckServices*>(ctx);
}

}  // namespace

CheckServices::CheckServices(Engine& engine, Backend& backend)
    : engine_(engine), backend_(backend) {
    table_.struct_size = sizeof table_;
    table_.ctx = this;
    table_.probe = [](void* ctx, const dbc_target* t, dbc_error* err) {
        return self(ctx).backend_.probe_raw(*t, err);
    };
    table_.fingerprint = [](void* ctx, const dbc_target* t, const dbc_sink* sink, dbc_error* err) {
        const char* out = nullptr;
        dbc_rc rc = self(ctx).backend_.fingerprint_raw(*t, &out, err);
        if (rc == DBC_OK && out != nullptr) sink->write(sink->ctx, out, std::strlen(out));
        return rc;
    };
    table_.attempt_access = [](void* ctx, const dbc_target* a, const dbc_target* b,
                               const dbc_sink* sink, dbc_error* err) {
        return self(ctx).backend_.attempt_access_raw(*a, *b, sink, err);
    };
    table_.canary = [](void* ctx, const dbc_target* t, dbc_canary_op op, const char* token,
                       int32_t* found, dbc_error* err) {
        return self(ctx).backend_.canary(*t, op, token, found, err);
    };
    table_.run_queries = [](void* ctx, const dbc_target* t, uint32_t count, const dbc_sink* sink,
                            dbc_error* err) {
        return self(ctx).backend_.run_queries(*t, count, sink, err);
    };
    table_.content = [](void* ctx, const dbc_target* t, const dbc_sink* sink, dbc_error* err) {
        return self(ctx).backend_.content(*t, sink, err);
    };
    table_.attempt_guardrails = [](void* ctx, const dbc_target* owner, const dbc_target* query,
                                   const char* limits, const dbc_sink* sink, dbc_error* err) {
        return self(ctx).backend_.attempt_guardrails(*owner, query, limits, sink, err);
    };
    table_.tenants = [](void* ctx, const dbc_sink* sink, dbc_error* err) {
        return sdk::guarded(err, [&] {
            for (const auto& r : self(ctx).engine_.registry().clones()) {
                rapidjson::StringBuffer buffer;
                json::Writer w(buffer);
                w.StartObject();
                for (const auto& [k, v] :
                     std::initializer_list<std::pair<const char*, std::string>>{
                         {"tenant_id", r.tenant_id},
                         {"database_type", r.db_type},
                         {"database", r.database_name},
                         {"user", r.user_name},
                         {"location", r.location},
                         {"host", r.host},
                         {"placement", r.placement},
                         {"server", r.server},
                         {"password_sha256", sdk::Sha256::of(r.password)}}) {
                    w.Key(k);
                    w.String(v.c_str());
                }
                w.Key("port");
                w.Uint(r.port);
                w.EndObject();
                sink->write(sink->ctx, buffer.GetString(), buffer.GetSize());
            }
        });
    };
    table_.server = [](void* ctx, const char* tenant, const dbc_sink* sink, dbc_error* err) {
        return sdk::guarded(err, [&] {
            auto row = self(ctx).engine_.registry().find_clone(tenant);
            if (!row || row->server.empty())
                throw sdk::Failure(DBC_NOT_FOUND, "no dedicated server");
            auto record = self(ctx).engine_.runtime(row->placement).inspect(row->server);
            if (!record)
                throw sdk::Failure(DBC_NOT_FOUND, "the runtime knows no server " + row->server);
            sink->write(sink->ctx, record->data(), record->size());
        });
    };
}

}  // namespace dbclone
