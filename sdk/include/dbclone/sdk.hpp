// C++ helpers for writing dbclone plugins (header-only, C++20).
//
// They turn an ordinary C++ class into the C tables of <dbclone/plugin.h>: the
// thunks are noexcept and catch every exception into a dbc_error, and result
// strings are kept in the handle so they stay valid as the ABI promises.
//
// A minimal backend:
//
//     #include <dbclone/sdk.hpp>
//
//     class MyBackend {
//     public:
//         static constexpr const char* description = "My database";
//         static constexpr uint64_t capabilities = DBC_CAP_EMBEDDED;
//         MyBackend(const dbclone::sdk::Host& host, const dbc_plugin_init& init);
//         dbclone::sdk::GoldenResult ensure_golden(const dbc_golden_request& req);
//         dbclone::sdk::CloneResult clone(const dbc_clone_request& req);
//         void drop(const dbc_drop_request& req);
//         // Optional; detected with `requires`, left NULL in the table when absent:
//         std::string fingerprint(const dbc_target& target);
//         void probe(const dbc_target& target);
//         void list_artifacts(const dbclone::sdk::Sink& sink);
//         void attempt_access(const dbc_target& a, const dbc_target& b, const dbclone::sdk::Sink&
//         s);
//         std::string content(const dbc_target& target);  // the record, as JSON (1.1)
//         std::vector<std::string> export_root(std::string_view source,
//                                              std::string_view dir);  // files written (1.1)
//     };
//     DBC_DECLARE_BACKEND(MyBackend, "mydb", "0.1.0")
//
// Throw dbclone::sdk::Failure(DBC_DENIED, "...") to return a specific code; any other
// exception becomes DBC_ERROR with its what() as the message.
#ifndef DBCLONE_SDK_HPP
#define DBCLONE_SDK_HPP

#include <dbclone/plugin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dbclone::sdk {

// An error with the dbc_rc the thunk will return.
class Failure : public std::runtime_error {
  public:
    Failure(dbc_rc code, const std::string& message) : std::runtime_error(message), code_(code) {}
    dbc_rc code() const noexcept { return code_; }

  private:
    dbc_rc code_;
};

// Copies `message` (truncated) and `code` into a caller's dbc_error.
inline dbc_rc fill_error(dbc_error* err, dbc_rc code, const char* message) noexcept {
    if (err != nullptr) {
        err->code = code;
        std::strncpy(err->message, message != nullptr ? message : "", DBC_ERROR_MESSAGE_SIZE - 1);
        err->message[DBC_ERROR_MESSAGE_SIZE - 1] = '\0';
    }
    return code;
}

// Runs `body` and turns whatever it throws into a return code.
template <class Body>
dbc_rc guarded(dbc_error* err, Body&& body) noexcept {
    try {
        body();
        return DBC_OK;
    } catch (const Failure& e) {
        return fill_error(err, e.code(), e.what());
    } catch (const std::bad_alloc&) {
        return fill_error(err, DBC_ERROR, "out of memory");
    } catch (const std::exception& e) {
        return fill_error(err, DBC_ERROR, e.what());
    } catch (...) {
        return fill_error(err, DBC_ERROR, "unknown exception in plugin");
    }
}

// A borrowed C string as a string_view; NULL reads as empty.
inline std::string_view view(const char* s) noexcept {
    return s != nullptr ? s : "";
}

// The host's services, as the plugin sees them.
class Host {
  public:
    explicit Host(const dbc_host_api* api) : api_(api) {}
    void log(dbc_log_level level, const std::string& message) const {
        if (api_ != nullptr && api_->log != nullptr) api_->log(api_->ctx, level, message.c_str());
    }
    void debug(const std::string& message) const { log(DBC_LOG_DEBUG, message); }
    void info(const std::string& message) const { log(DBC_LOG_INFO, message); }
    void warn(const std::string& message) const { log(DBC_LOG_WARN, message); }

  private:
    const dbc_host_api* api_;
};

// A host-owned result stream; each write is one record.
class Sink {
  public:
    explicit Sink(const dbc_sink* sink) : sink_(sink) {}
    void write(std::string_view record) const {
        if (sink_ != nullptr && sink_->write != nullptr)
            sink_->write(sink_->ctx, record.data(), record.size());
    }

  private:
    const dbc_sink* sink_;
};

// A constructor rather than an aggregate: a plugin's `{location, fingerprint}`
// keeps compiling, warning-free, as fields are added.
struct GoldenResult {
    GoldenResult(std::string location_ = "", std::string fingerprint_ = "",
                 std::string content_json_ = "", uint64_t size_bytes_ = 0)
        : location(std::move(location_)),
          fingerprint(std::move(fingerprint_)),
          content_json(std::move(content_json_)),
          size_bytes(size_bytes_) {}
    std::string location;
    std::string fingerprint;
    std::string content_json;  // the golden copy's `content` record; "" if none
    uint64_t size_bytes = 0;   // 0 if unknown
};

struct CloneResult {
    std::string location;
    std::string host;
    uint32_t port = 0;
    std::string user;
    std::string options_json;
    std::string query_user = {};   // 1.2: the query login made; "" if none
    std::string limits_json = {};  // 1.2: how each limit is held (LimitsReport)
};

namespace detail {

inline const char* c_str_or_null(const std::string& s) {
    return s.empty() ? nullptr : s.c_str();
}

// What a backend handle holds: the user's object and the last results it returned.
template <class Impl>
struct BackendHandle {
    BackendHandle(const dbc_host_api* api, const dbc_plugin_init& init)
        : host(api), impl(host, init) {}
    Host host;
    Impl impl;
    GoldenResult golden;
    CloneResult cloned;
    std::string fingerprint;
};

template <class Impl>
BackendHandle<Impl>* handle(void* self) {
    return static_cast<BackendHandle<Impl>*>(self);
}

template <class Impl>
struct BackendThunks {
    static dbc_rc create(const dbc_host_api* host, const dbc_plugin_init* init, void** out,
                         dbc_error* err) noexcept {
        return guarded(err, [&] {
            if (init == nullptr || out == nullptr)
                throw Failure(DBC_INVALID_ARGUMENT, "create: init and out are required");
            *out = new BackendHandle<Impl>(host, *init);
        });
    }
    static void destroy(void* self) noexcept { delete handle<Impl>(self); }
    static dbc_rc ensure_golden(void* self, const dbc_golden_request* req, dbc_golden_result* out,
                                dbc_error* err) noexcept {
        return guarded(err, [&] {
            auto* h = handle<Impl>(self);
            h->golden = h->impl.ensure_golden(*req);
            out->location = h->golden.location.c_str();
            out->fingerprint = c_str_or_null(h->golden.fingerprint);
            if (out->struct_size >= offsetof(dbc_golden_result, content_json) + sizeof(char*))
                out->content_json = c_str_or_null(h->golden.content_json);
            if (out->struct_size >= offsetof(dbc_golden_result, size_bytes) + sizeof(uint64_t))
                out->size_bytes = h->golden.size_bytes;
        });
    }
    static dbc_rc clone(void* self, const dbc_clone_request* req, dbc_clone_result* out,
                        dbc_error* err) noexcept {
        return guarded(err, [&] {
            auto* h = handle<Impl>(self);
            h->cloned = h->impl.clone(*req);
            out->location = h->cloned.location.c_str();
            out->host = c_str_or_null(h->cloned.host);
            out->port = h->cloned.port;
            out->user = c_str_or_null(h->cloned.user);
            out->options_json = c_str_or_null(h->cloned.options_json);
            if (out->struct_size >= offsetof(dbc_clone_result, limits_json) + sizeof(char*)) {
                out->query_user = c_str_or_null(h->cloned.query_user);
                out->limits_json = c_str_or_null(h->cloned.limits_json);
            }
        });
    }
    static dbc_rc drop(void* self, const dbc_drop_request* req, dbc_error* err) noexcept {
        return guarded(err, [&] { handle<Impl>(self)->impl.drop(*req); });
    }
    static dbc_rc fingerprint(void* self, const dbc_target* target, const char** out,
                              dbc_error* err) noexcept {
        return guarded(err, [&] {
            auto* h = handle<Impl>(self);
            h->fingerprint = h->impl.fingerprint(*target);
            *out = h->fingerprint.c_str();
        });
    }
    static dbc_rc probe(void* self, const dbc_target* target, dbc_error* err) noexcept {
        return guarded(err, [&] { handle<Impl>(self)->impl.probe(*target); });
    }
    static dbc_rc list_artifacts(void* self, const dbc_sink* sink, dbc_error* err) noexcept {
        return guarded(err, [&] { handle<Impl>(self)->impl.list_artifacts(Sink(sink)); });
    }
    static dbc_rc canary(void* self, const dbc_target* target, dbc_canary_op op, const char* token,
                         int32_t* found, dbc_error* err) noexcept {
        return guarded(err, [&] {
            bool present = handle<Impl>(self)->impl.canary(*target, op, view(token));
            if (found != nullptr) *found = present ? 1 : 0;
        });
    }
    static dbc_rc run_queries(void* self, const dbc_target* target, uint32_t count,
                              const dbc_sink* sink, dbc_error* err) noexcept {
        return guarded(err,
                       [&] { handle<Impl>(self)->impl.run_queries(*target, count, Sink(sink)); });
    }
    static dbc_rc content(void* self, const dbc_target* target, const dbc_sink* sink,
                          dbc_error* err) noexcept {
        return guarded(err, [&] { Sink(sink).write(handle<Impl>(self)->impl.content(*target)); });
    }
    static dbc_rc export_root(void* self, const char* source, const char* dir, const dbc_sink* sink,
                              dbc_error* err) noexcept {
        return guarded(err, [&] {
            for (const auto& file : handle<Impl>(self)->impl.export_root(view(source), view(dir))) {
                if (file.find_first_of("\"\\/") != std::string::npos || file.empty())
                    throw Failure(DBC_ERROR, "export_root named a file that is not a plain name");
                Sink(sink).write("{\"file\":\"" + file + "\"}");
            }
        });
    }
    static dbc_rc attempt_access(void* self, const dbc_target* attacker, const dbc_target* victim,
                                 const dbc_sink* sink, dbc_error* err) noexcept {
        return guarded(
            err, [&] { handle<Impl>(self)->impl.attempt_access(*attacker, *victim, Sink(sink)); });
    }
    static dbc_rc measure_size(void* self, const dbc_target* target, uint64_t* bytes,
                               dbc_error* err) noexcept {
        return guarded(err, [&] { *bytes = handle<Impl>(self)->impl.measure_size(*target); });
    }
    static dbc_rc set_password(void* self, const char* tenant_id, const char* user,
                               const char* password, const char* options_json,
                               dbc_error* err) noexcept {
        return guarded(err, [&] {
            handle<Impl>(self)->impl.set_password(view(tenant_id), view(user), view(password),
                                                  options_json);
        });
    }
    static dbc_rc attempt_guardrails(void* self, const dbc_target* owner, const dbc_target* query,
                                     const char* limits_json, const dbc_sink* sink,
                                     dbc_error* err) noexcept {
        return guarded(err, [&] {
            handle<Impl>(self)->impl.attempt_guardrails(*owner, query, view(limits_json),
                                                        Sink(sink));
        });
    }
};

template <class Impl>
constexpr dbc_backend_vtable backend_vtable() {
    using T = BackendThunks<Impl>;
    dbc_backend_vtable v{};
    v.struct_size = sizeof(dbc_backend_vtable);
    v.create = &T::create;
    v.destroy = &T::destroy;
    v.ensure_golden = &T::ensure_golden;
    v.clone = &T::clone;
    v.drop = &T::drop;
    if constexpr (requires(Impl & b, const dbc_target& t) { b.fingerprint(t); })
        v.fingerprint = &T::fingerprint;
    if constexpr (requires(Impl & b, const dbc_target& t) { b.probe(t); }) v.probe = &T::probe;
    if constexpr (requires(Impl & b, const Sink& s) { b.list_artifacts(s); })
        v.list_artifacts = &T::list_artifacts;
    if constexpr (requires(Impl & b, const dbc_target& t, const Sink& s) {
                      b.attempt_access(t, t, s);
                  })
        v.attempt_access = &T::attempt_access;
    if constexpr (requires(Impl & b, const dbc_target& t, std::string_view token) {
                      b.canary(t, DBC_CANARY_FIND, token);
                  })
        v.canary = &T::canary;
    if constexpr (requires(Impl & b, const dbc_target& t) { b.content(t); })
        v.content = &T::content;
    if constexpr (requires(Impl & b, std::string_view s) { b.export_root(s, s); })
        v.export_root = &T::export_root;
    if constexpr (requires(Impl & b, const dbc_target& t, const Sink& s) {
                      b.run_queries(t, 1u, s);
                  })
        v.run_queries = &T::run_queries;
    if constexpr (requires(Impl & b, const dbc_target& t, std::string_view s, const Sink& k) {
                      b.attempt_guardrails(t, &t, s, k);
                  })
        v.attempt_guardrails = &T::attempt_guardrails;
    if constexpr (requires(Impl & b, std::string_view s) { b.set_password(s, s, s, ""); })
        v.set_password = &T::set_password;
    if constexpr (requires(Impl & b, const dbc_target& t) { b.measure_size(t); })
        v.measure_size = &T::measure_size;
    return v;
}

template <class Impl>
inline constexpr dbc_backend_vtable backend_vtable_v = backend_vtable<Impl>();

// Optional static members of a plugin class, with their defaults.
template <class Impl>
constexpr const char* description_of() {
    if constexpr (requires { Impl::description; })
        return Impl::description;
    else
        return "";
}
template <class Impl>
constexpr uint64_t capabilities_of() {
    if constexpr (requires { Impl::capabilities; })
        return Impl::capabilities;
    else
        return 0;
}
template <class Impl>
constexpr const char* config_schema_of() {
    if constexpr (requires { Impl::config_schema; })
        return Impl::config_schema;
    else
        return "{}";
}

// What a runtime handle holds: the user's object.
template <class Impl>
struct RuntimeHandle {
    RuntimeHandle(const dbc_host_api* api, const dbc_plugin_init& init)
        : host(api), impl(host, init) {}
    Host host;
    Impl impl;
};

template <class Impl>
struct RuntimeThunks {
    static Impl& impl(void* self) { return static_cast<RuntimeHandle<Impl>*>(self)->impl; }
    static dbc_rc create(const dbc_host_api* host, const dbc_plugin_init* init, void** out,
                         dbc_error* err) noexcept {
        return guarded(err, [&] {
            if (init == nullptr || out == nullptr)
                throw Failure(DBC_INVALID_ARGUMENT, "create: init and out are required");
            *out = new RuntimeHandle<Impl>(host, *init);
        });
    }
    static void destroy(void* self) noexcept { delete static_cast<RuntimeHandle<Impl>*>(self); }
    static dbc_rc start_server(void* self, const dbc_server_spec* spec, dbc_error* err) noexcept {
        return guarded(err, [&] { impl(self).start_server(*spec); });
    }
    static dbc_rc stop_server(void* self, const char* name, uint32_t timeout_ms,
                              dbc_error* err) noexcept {
        return guarded(err, [&] { impl(self).stop_server(view(name), timeout_ms); });
    }
    static dbc_rc remove_server(void* self, const char* name, dbc_error* err) noexcept {
        return guarded(err, [&] { impl(self).remove_server(view(name)); });
    }
    static dbc_rc inspect(void* self, const char* name, const dbc_sink* sink,
                          dbc_error* err) noexcept {
        return guarded(err, [&] { impl(self).inspect(view(name), Sink(sink)); });
    }
    static dbc_rc list(void* self, const dbc_sink* sink, dbc_error* err) noexcept {
        return guarded(err, [&] { impl(self).list(Sink(sink)); });
    }
};

template <class Impl>
constexpr dbc_runtime_vtable runtime_vtable() {
    using T = RuntimeThunks<Impl>;
    dbc_runtime_vtable v{};
    v.struct_size = sizeof(dbc_runtime_vtable);
    v.create = &T::create;
    v.destroy = &T::destroy;
    v.start_server = &T::start_server;
    v.stop_server = &T::stop_server;
    v.remove_server = &T::remove_server;
    if constexpr (requires(Impl & r, std::string_view n, const Sink& s) { r.inspect(n, s); })
        v.inspect = &T::inspect;
    if constexpr (requires(Impl & r, const Sink& s) { r.list(s); }) v.list = &T::list;
    return v;
}

template <class Impl>
inline constexpr dbc_runtime_vtable runtime_vtable_v = runtime_vtable<Impl>();

template <class Impl>
struct CheckHandle {
    CheckHandle(const dbc_host_api* api, const dbc_plugin_init& init)
        : host(api), impl(host, init) {}
    Host host;
    Impl impl;
};

template <class Impl>
struct CheckThunks {
    static Impl& impl(void* self) { return static_cast<CheckHandle<Impl>*>(self)->impl; }
    static dbc_rc create(const dbc_host_api* host, const dbc_plugin_init* init, void** out,
                         dbc_error* err) noexcept {
        return guarded(err, [&] {
            if (init == nullptr || out == nullptr)
                throw Failure(DBC_INVALID_ARGUMENT, "create: init and out are required");
            *out = new CheckHandle<Impl>(host, *init);
        });
    }
    static void destroy(void* self) noexcept { delete static_cast<CheckHandle<Impl>*>(self); }
    static dbc_rc list_checks(void* self, const dbc_sink* sink, dbc_error* err) noexcept {
        return guarded(err, [&] { impl(self).list_checks(Sink(sink)); });
    }
    static dbc_rc run_check(void* self, const dbc_check_context* ctx, const dbc_sink* sink,
                            dbc_error* err) noexcept {
        return guarded(err, [&] { impl(self).run_check(*ctx, Sink(sink)); });
    }
};

template <class Impl>
constexpr dbc_check_vtable check_vtable() {
    using T = CheckThunks<Impl>;
    dbc_check_vtable v{};
    v.struct_size = sizeof(dbc_check_vtable);
    v.create = &T::create;
    v.destroy = &T::destroy;
    v.list_checks = &T::list_checks;
    v.run_check = &T::run_check;
    return v;
}

template <class Impl>
inline constexpr dbc_check_vtable check_vtable_v = check_vtable<Impl>();

}  // namespace detail

// The descriptor of a check plugin implemented by class Impl, whose methods are
// list_checks(const Sink&) and run_check(const dbc_check_context&, const Sink&).
template <class Impl>
constexpr dbc_plugin_descriptor check_descriptor(const char* name, const char* version) {
    dbc_plugin_descriptor d{};
    d.struct_size = sizeof(dbc_plugin_descriptor);
    d.abi_major = DBC_ABI_MAJOR;
    d.abi_minor = DBC_ABI_MINOR;
    d.kind = DBC_KIND_CHECK;
    d.name = name;
    d.version = version;
    d.description = detail::description_of<Impl>();
    d.capabilities = 0;
    d.config_schema = detail::config_schema_of<Impl>();
    d.vtable = &detail::check_vtable_v<Impl>;
    return d;
}

// The descriptor of a runtime implemented by class Impl, whose methods are
// start_server(const dbc_server_spec&), stop_server(std::string_view name,
// uint32_t timeout_ms), remove_server(std::string_view name) and, optionally,
// inspect(std::string_view name, const Sink&) and list(const Sink&).
template <class Impl>
constexpr dbc_plugin_descriptor runtime_descriptor(const char* name, const char* version) {
    dbc_plugin_descriptor d{};
    d.struct_size = sizeof(dbc_plugin_descriptor);
    d.abi_major = DBC_ABI_MAJOR;
    d.abi_minor = DBC_ABI_MINOR;
    d.kind = DBC_KIND_RUNTIME;
    d.name = name;
    d.version = version;
    d.description = detail::description_of<Impl>();
    d.capabilities = 0;
    d.config_schema = detail::config_schema_of<Impl>();
    d.vtable = &detail::runtime_vtable_v<Impl>;
    return d;
}

// The descriptor of a backend implemented by class Impl.
template <class Impl>
constexpr dbc_plugin_descriptor backend_descriptor(const char* name, const char* version) {
    dbc_plugin_descriptor d{};
    d.struct_size = sizeof(dbc_plugin_descriptor);
    d.abi_major = DBC_ABI_MAJOR;
    d.abi_minor = DBC_ABI_MINOR;
    d.kind = DBC_KIND_BACKEND;
    d.name = name;
    d.version = version;
    d.description = detail::description_of<Impl>();
    d.capabilities = detail::capabilities_of<Impl>();
    d.config_schema = detail::config_schema_of<Impl>();
    d.vtable = &detail::backend_vtable_v<Impl>;
    return d;
}

}  // namespace dbclone::sdk

// Emits the library's entry point for backend class `Class`.
#define DBC_DECLARE_BACKEND(Class, name, version)                                  \
    extern "C" DBC_EXPORT const dbc_plugin_descriptor* dbc_plugin_entry_v1(void) { \
        static constexpr dbc_plugin_descriptor descriptor =                        \
            ::dbclone::sdk::backend_descriptor<Class>(name, version);              \
        return &descriptor;                                                        \
    }

// Emits the library's entry point for runtime class `Class`.
#define DBC_DECLARE_RUNTIME(Class, name, version)                                  \
    extern "C" DBC_EXPORT const dbc_plugin_descriptor* dbc_plugin_entry_v1(void) { \
        static constexpr dbc_plugin_descriptor descriptor =                        \
            ::dbclone::sdk::runtime_descriptor<Class>(name, version);              \
        return &descriptor;                                                        \
    }

// Emits the library's entry point for check class `Class`.
#define DBC_DECLARE_CHECK(Class, name, version)                                    \
    extern "C" DBC_EXPORT const dbc_plugin_descriptor* dbc_plugin_entry_v1(void) { \
        static constexpr dbc_plugin_descriptor descriptor =                        \
            ::dbclone::sdk::check_descriptor<Class>(name, version);                \
        return &descriptor;                                                        \
    }

#endif  // DBCLONE_SDK_HPP
