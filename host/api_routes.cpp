#include "api_routes.hpp"
#include <spdlog/spdlog.h>

#include <dbclone/core/cloner.hpp>
#include <dbclone/core/disk_meter.hpp>
#include <dbclone/core/error.hpp>
#include <dbclone/core/json.hpp>
#include <dbclone/core/limit_set.hpp>
#include <dbclone/core/password.hpp>
#include <dbclone/core/record_json.hpp>
#include <dbclone/core/tenant_id.hpp>
#include <dbclone/core/verifier.hpp>

#include <chrono>
#include <set>

#include "comma_list.hpp"
#include "openapi.hpp"
#include "operation_store.hpp"

namespace dbclone::api {

namespace {

unsigned status_for(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::InvalidInput:
            return 400;
        case ErrorKind::NotFound:
            return 404;
        case ErrorKind::Conflict:
            return 409;
        case ErrorKind::Unavailable:
            return 503;
        case ErrorKind::Failed:
            break;
    }
    return 500;
}

const char* error_name(unsigned status) {
    switch (status) {
        case 400:
            return "bad_request";
        case 401:
            return "unauthorized";
        case 404:
            return "not_found";
        case 405:
            return "method_not_allowed";
        case 409:
            return "conflict";
        case 413:
            return "payload_too_large";
        case 503:
            return "unavailable";
    }
    return "internal_error";
}

// Compares without an early exit, so the time taken says nothing about the token.
// The value of `name` in the target's query string ("" when absent). Values
// are taken as they are (no percent-decoding): the parameters that exist take
// tenant ids and check names, which are validated and never need encoding.
std::string query_param(const std::string& target, const std::string& name) {
    auto question = target.find('?');
    if (question == std::string::npos) return "";
    std::string query = target.substr(question + 1);
    for (size_t start = 0; start <= query.size();) {
        size_t end = std::min(query.find('&', start), query.size());
        std::string pair = query.substr(start, end - start);
        if (pair.rfind(name + "=", 0) == 0) return pair.substr(name.size() + 1);
        start = end + 1;
    }
    return "";
}

bool same_secret(const std::string& a, const std::string& b) {
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    for (size_t i = 0; i < a.size() && i < b.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

// A route exists, but not for this method.
struct MethodNotAllowed : std::runtime_error {
    MethodNotAllowed(const std::string& message, std::string allowed_method)
        : std::runtime_error(message), allowed(std::move(allowed_method)) {}
    std::string allowed;  // for the Allow header RFC 9110 asks of a 405
};

// "/api/v1/cloning/status/t1" with prefix "/api/v1/cloning/status/" gives "t1".
bool tail_after(const std::string& path, const std::string& prefix, std::string& tail) {
    if (path.rfind(prefix, 0) != 0) return false;
    tail = path.substr(prefix.size());
    return true;
}

Response json_ok(unsigned status, std::string body) {
    return {status, std::move(body), "application/json", {}};
}

template <class Write>
std::string render(Write&& write) {
    rapidjson::StringBuffer buffer;
    json::Writer w(buffer);
    write(w);
    return buffer.GetString();
}

// The create request, checked field by field: unknown fields and wrong types are
// refused with the field's name.
CreateRequest parse_create(const std::string& body, bool& async) {
    auto doc = json::parse(body, "the request body");
    if (!doc.IsObject())
        throw Error(ErrorKind::InvalidInput, "the request body must be a JSON object");
    static const std::set<std::string> known{
        "tenant_id", "database_type", "root_version", "placement", "strategy", "async", "limits"};
    for (const auto& m : doc.GetObject())
        if (!known.count(m.name.GetString()))
            throw Error(ErrorKind::InvalidInput,
                        std::string("unknown field \"") + m.name.GetString() +
                            "\"; allowed: tenant_id, database_type, root_version, "
                            "placement, strategy, async, limits");
    auto text = [&](const char* key, bool required) {
        auto v = json::optional_string(doc, key, "the request body");
        if (!v && required)
            throw Error(ErrorKind::InvalidInput, std::string("field \"") + key + "\" is required");
        return v.value_or("");
    };
    async = false;
    if (doc.HasMember("async")) {
        if (!doc["async"].IsBool())
            throw Error(ErrorKind::InvalidInput, "field \"async\" must be a boolean");
        async = doc["async"].GetBool();
    }
    CreateRequest r{text("tenant_id", true), text("database_type", true),
                    text("root_version", false), text("placement", false), text("strategy", false)};
    validate_tenant_id(r.tenant_id);
    if (doc.HasMember("limits")) {
        if (!doc["limits"].IsObject())
            throw Error(ErrorKind::InvalidInput,
                        "field \"limits\" must be an object of limit names and values");
        r.limits = LimitSet::assignments_of(doc["limits"], "limits");
        LimitSet checked;  // refuses a bad one now, before an async create is queued
        for (const auto& item : r.limits) checked.assign(item);
    }
    return r;
}

}  // namespace

Response error_response(unsigned status, const std::string& error, const std::string& detail) {
    return json_ok(status, render([&](json::Writer& w) {
                       w.StartObject();
                       w.Key("error");
                       w.String(error.c_str());
                       w.Key("detail");
                       w.String(detail.c_str());
                       w.EndObject();
                   }));
}

namespace {

// The answer to an exception out of a route: its error kind's 4xx or 503, or
// a 500 for anything dbclone did not classify.
Response failure_response(const std::exception& e) {
    if (const auto* error = dynamic_cast<const Error*>(&e)) {
        unsigned status = status_for(error->kind());
        return error_response(status, error_name(status), e.what());
    }
    return error_response(500, "internal_error", e.what());
}

}  // namespace

Routes::Routes(Engine& engine, std::string token, OperationQueue::Limits limits)
    : engine_(engine),
      token_(std::move(token)),
      operations_(limits, std::make_unique<RegistryOperationStore>(engine.registry().file(),
                                                                   limits.keep_finished)) {}

void Routes::record_create_seconds(double seconds) {
    std::lock_guard lock(metrics_mutex_);
    ++create_count_;
    create_sum_ += seconds;
    for (size_t i = 0; i < bucket_bounds_.size(); ++i)
        if (seconds <= bucket_bounds_[i]) ++bucket_counts_[i];
}

Response Routes::create(const std::string& body) {
    bool async = false;
    CreateRequest request = parse_create(body, async);
    auto run = [this, request]() -> Response {
        auto start = std::chrono::steady_clock::now();
        std::lock_guard lock(engine_mutex_);
        auto row = Cloner(engine_).create(request);
        record_create_seconds(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
        return json_ok(201, json::clone_json(row, true));
    };
    if (!async) return run();
    auto id = operations_.submit([run]() -> OperationQueue::Outcome {
        try {
            Response r = run();
            return {r.status, std::move(r.body)};
        } catch (const std::exception& e) {
            Response r = failure_response(e);
            return {r.status, std::move(r.body)};
        }
    });
    if (!id) {
        Response busy = error_response(
            429, "too_many_operations",
            std::to_string(operations_.limits().max_waiting) +
                " background creates are already waiting; retry later or create synchronously");
        busy.headers.emplace_back("Retry-After", "1");
        return busy;
    }
    return json_ok(202, R"({"operation_id":")" + *id + R"(","state":"queued"})");
}

Response Routes::operation(const std::string& id) {
    auto report = operations_.find(id);
    if (!report)
        throw Error(ErrorKind::NotFound,
                    "no operation \"" + id + "\" (finished ones are kept for " +
                        std::to_string(operations_.limits().keep_finished.count() / 60) +
                        " minutes)");
    std::string body = R"({"operation_id":")" + id + R"(","state":")" + report->state + "\"";
    if (report->state == "succeeded" || report->state == "failed")
        body += ",\"status\":" + std::to_string(report->outcome.status) +
                ",\"result\":" + report->outcome.body;
    return json_ok(200, body + "}");
}

Response Routes::metrics() {
    std::string out;
    std::map<std::pair<std::string, std::string>, int> clones;
    auto rows = registry_reader().clones();
    for (const auto& r : rows) ++clones[{r.db_type, r.state}];
    out += "# HELP dbclone_clones Tenants in the registry.\n# TYPE dbclone_clones gauge\n";
    for (const auto& [key, n] : clones)
        out += "dbclone_clones{database_type=\"" + key.first + "\",state=\"" + key.second + "\"} " +
               std::to_string(n) + "\n";
    out +=
        "# HELP dbclone_tenant_disk_bytes A tenant's disk at its last measure (status, verify, "
        "serve's own).\n"
        "# TYPE dbclone_tenant_disk_bytes gauge\n";
    int over = 0;
    for (const auto& r : rows) {
        if (r.disk_measured_at.empty()) continue;
        out += "dbclone_tenant_disk_bytes{tenant_id=\"" + r.tenant_id + "\",database_type=\"" +
               r.db_type + "\"} " + std::to_string(r.disk_bytes) + "\n";
        over += json::over_disk_limit(r) ? 1 : 0;
    }
    out +=
        "# HELP dbclone_tenants_over_disk_limit Tenants whose last measure was over their disk "
        "limit.\n# TYPE dbclone_tenants_over_disk_limit gauge\ndbclone_tenants_over_disk_limit " +
        std::to_string(over) + "\n";
    out +=
        "# HELP dbclone_port_utilization Allocated share of each port range.\n"
        "# TYPE dbclone_port_utilization gauge\n";
    for (const auto& u : port_utilization())
        out += "dbclone_port_utilization{database_type=\"" + u.db_type + "\"} " +
               std::to_string(u.capacity ? static_cast<double>(u.allocated) /
                                               static_cast<double>(u.capacity)
                                         : 0) +
               "\n";
    out +=
        "# HELP dbclone_operations Background creates by state (finished ones while kept).\n"
        "# TYPE dbclone_operations gauge\n";
    for (const auto& [state, n] : operations_.count_by_state())
        out += "dbclone_operations{state=\"" + state + "\"} " + std::to_string(n) + "\n";
    std::lock_guard lock(metrics_mutex_);
    out +=
        "# HELP dbclone_create_seconds Time to create a tenant through the API.\n"
        "# TYPE dbclone_create_seconds histogram\n";
    for (size_t i = 0; i < bucket_bounds_.size(); ++i) {
        char le[32];
        std::snprintf(le, sizeof le, "%g", bucket_bounds_[i]);
        out += std::string("dbclone_create_seconds_bucket{le=\"") + le + "\"} " +
               std::to_string(bucket_counts_[i]) + "\n";
    }
    out += "dbclone_create_seconds_bucket{le=\"+Inf\"} " + std::to_string(create_count_) + "\n";
    out += "dbclone_create_seconds_sum " + std::to_string(create_sum_) + "\n";
    out += "dbclone_create_seconds_count " + std::to_string(create_count_) + "\n";
    return {200, out, "text/plain; version=0.0.4", {}};
}

// A registry connection of the calling worker thread's own, for reads outside
// the engine lock: they never wait behind a create (a Docker tenant's takes a
// third of a second), and two workers read at once. With the shared connection
// under the lock, two workers took turns: 14 000 status requests/s with two
// threads, 18 000 with one (bench/api-bench.sh).
Registry& Routes::registry_reader() {
    thread_local std::unique_ptr<Registry> reader;
    if (!reader)
        reader = std::make_unique<Registry>(engine_.registry().file(), Registry::Open::existing);
    return *reader;
}

void Routes::measure_disks(const std::stop_token& stop) {
    for (const auto& row : registry_reader().clones()) {
        if (stop.stop_requested()) return;
        if (row.state != "ready") continue;
        std::lock_guard lock(engine_mutex_);
        try {
            measure_disk(engine_, row);
        } catch (const std::exception& e) {
            spdlog::debug("could not measure the disk of {}: {}", row.tenant_id, e.what());
        }
    }
}

std::vector<RangeUsage> Routes::port_utilization() {
    return PortAllocator(registry_reader(), engine_.ports().config()).utilization();
}

Response Routes::ports() {
    return json_ok(200, render([&](json::Writer& w) {
                       w.StartObject();
                       w.Key("allocations");
                       w.StartArray();
                       for (const auto& a : registry_reader().ports()) {
                           w.StartObject();
                           w.Key("port");
                           w.Uint(a.port);
                           w.Key("database_type");
                           w.String(a.db_type.c_str());
                           w.Key("tenant_id");
                           w.String(a.tenant_id.c_str());
                           w.EndObject();
                       }
                       w.EndArray();
                       w.Key("ranges");
                       w.StartArray();
                       for (const auto& u : port_utilization()) {
                           w.StartObject();
                           w.Key("database_type");
                           w.String(u.db_type.c_str());
                           w.Key("first");
                           w.Uint(u.first);
                           w.Key("last");
                           w.Uint(u.last);
                           w.Key("capacity");
                           w.Uint64(u.capacity);
                           w.Key("allocated");
                           w.Uint64(u.allocated);
                           w.EndObject();
                       }
                       w.EndArray();
                       w.EndObject();
                   }));
}

Response Routes::system_status() {
    return json_ok(200, render([&](json::Writer& w) {
                       w.StartObject();
                       w.Key("backends");
                       w.StartArray();
                       for (const auto& b : engine_.backend_types()) w.String(b.c_str());
                       w.EndArray();
                       w.Key("runtimes");
                       w.StartArray();
                       for (const auto& r : engine_.runtime_names()) w.String(r.c_str());
                       w.EndArray();
                       w.Key("clones");
                       w.Uint64(registry_reader().clones().size());
                       w.Key("registry_schema_version");
                       w.Int(registry_reader().stored_schema_version());
                       w.EndObject();
                   }));
}

Response Routes::handle(const std::string& method, const std::string& target,
                        const std::string& authorization, const std::string& body) {
    std::string path = target.substr(0, target.find('?'));
    try {
        auto only = [&](const char* allowed) {
            if (method != allowed)
                throw MethodNotAllowed(method + " " + path + " takes only " + allowed, allowed);
        };
        if (path == "/healthz") {
            only("GET");
            return json_ok(200, R"({"status":"ok"})");
        }
        if (!same_secret(authorization, "Bearer " + token_))
            return error_response(401, "unauthorized",
                                  "missing or wrong bearer token (Authorization: Bearer ...)");
        std::string tail;
        if (path == "/metrics") {
            only("GET");
            return metrics();
        }
        if (path == "/api/v1/openapi.json") {
            only("GET");
            return json_ok(200, openapi_document());
        }
        if (path == "/api/v1/cloning/create") {
            only("POST");
            return create(body);
        }
        if (tail_after(path, "/api/v1/cloning/operations/", tail)) {
            only("GET");
            return operation(tail);
        }
        // Reads need neither the engine nor its lock (see registry_reader).
        if (tail_after(path, "/api/v1/cloning/status/", tail)) {
            only("GET");
            validate_tenant_id(tail);
            auto row = registry_reader().find_clone(tail);
            if (!row) throw Error(ErrorKind::NotFound, "unknown tenant \"" + tail + "\"");
            return json_ok(200, json::clone_json(*row, false));
        }
        if (path == "/api/v1/cloning/list") {
            only("GET");
            return json_ok(200, render([&](json::Writer& w) {
                               w.StartArray();
                               for (const auto& r : registry_reader().clones())
                                   json::write_clone(w, r, false);
                               w.EndArray();
                           }));
        }
        if (path == "/api/v1/cloning/ports") {
            only("GET");
            return ports();
        }
        if (path == "/api/v1/cloning/system/status") {
            only("GET");
            return system_status();
        }
        std::lock_guard lock(engine_mutex_);
        if (tail_after(path, "/api/v1/cloning/verify/", tail)) {
            only("GET");
            return json_ok(200, json::report_json(Verifier(engine_).verify(
                                    tail, split_commas(query_param(target, "checks")),
                                    query_param(target, "against"))));
        }
        if (tail_after(path, "/api/v1/cloning/credentials/rotate/", tail)) {
            only("POST");
            std::string login = query_param(target, "login");
            return json_ok(200, json::clone_json(Cloner(engine_).rotate_password(
                                                     tail, login.empty() ? "owner" : login),
                                                 true));
        }
        if (tail_after(path, "/api/v1/cloning/start/", tail)) {
            only("POST");
            Cloner(engine_).start(tail);
            return json_ok(200, R"({"tenant_id":")" + tail + R"(","state":"running"})");
        }
        if (tail_after(path, "/api/v1/cloning/stop/", tail)) {
            only("POST");
            Cloner(engine_).stop(tail);
            return json_ok(200, R"({"tenant_id":")" + tail + R"(","state":"stopped"})");
        }
        if (tail_after(path, "/api/v1/cloning/remove/", tail)) {
            only("DELETE");
            Cloner(engine_).remove(tail);
            return json_ok(200, R"({"tenant_id":")" + tail + R"(","removed":true})");
        }
        return error_response(404, "not_found", "no route " + method + " " + path);
    } catch (const MethodNotAllowed& e) {
        Response response = error_response(405, "method_not_allowed", e.what());
        response.headers.emplace_back("Allow", e.allowed);
        return response;
    } catch (const std::exception& e) {
        return failure_response(e);
    }
}

}  // namespace dbclone::api
