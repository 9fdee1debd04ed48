#include "dbclone/core/plugin_loader.hpp"

#define BOOST_DLL_USE_STD_FS
#include <boost/dll/shared_library.hpp>

#include <cstddef>
#include <cstring>
#include <regex>
#include <vector>

#include "dbclone/core/json.hpp"
#include "dbclone/core/json_schema.hpp"
#include "elf_check.hpp"

namespace dbclone {

namespace {

[[noreturn]] void refuse(const std::filesystem::path& file, const std::string& reason) {
    throw PluginRefused(file.string() + ": " + reason);
}

// The host copies min(struct_size, sizeof) of a plugin's struct into a zeroed one:
// an older plugin's shorter struct reads as NULL/0 in fields it does not know.
template <class T>
T zero_extended(const void* from, uint32_t plugin_size) {
    T copy{};
    std::memcpy(&copy, from, std::min<size_t>(plugin_size, sizeof(T)));
    copy.struct_size = sizeof(T);
    return copy;
}

// The smallest struct_size a v1.0 plugin may declare: every field up to and
// including the last one ABI 1.0 defines.
constexpr uint32_t descriptor_v1_0_size =
    offsetof(dbc_plugin_descriptor, vtable) + sizeof(const void*);
constexpr uint32_t backend_v1_0_size = offsetof(dbc_backend_vtable, attempt_access) + sizeof(void*);
constexpr uint32_t runtime_v1_0_size = offsetof(dbc_runtime_vtable, list) + sizeof(void*);
constexpr uint32_t check_v1_0_size = offsetof(dbc_check_vtable, run_check) + sizeof(void*);

void check_descriptor(const std::filesystem::path& file, const dbc_plugin_descriptor* d) {
    if (d == nullptr) refuse(file, "entry function returned no descriptor");
    if (d->struct_size < descriptor_v1_0_size)
        refuse(file, "descriptor struct_size " + std::to_string(d->struct_size) +
                         " is smaller than ABI 1.0's " + std::to_string(descriptor_v1_0_size));
    static const std::regex name_pattern("^[a-z][a-z0-9_-]{0,31}$");
    if (d->name == nullptr || !std::regex_match(d->name, name_pattern))
        refuse(file, "descriptor name must match ^[a-z][a-z0-9_-]{0,31}$");
    if (d->version == nullptr || *d->version == '\0') refuse(file, "descriptor has no version");
    if (d->vtable == nullptr) refuse(file, "descriptor has no vtable");
}

void check_abi(const std::filesystem::path& file, const dbc_plugin_descriptor* d) {
    std::string versions = "plugin ABI " + std::to_string(d->abi_major) + "." +
                           std::to_string(d->abi_minor) + ", host ABI " +
                           std::to_string(DBC_ABI_MAJOR) + "." + std::to_string(DBC_ABI_MINOR);
    if (d->abi_major != DBC_ABI_MAJOR) refuse(file, "incompatible ABI major: " + versions);
    if (d->abi_minor > DBC_ABI_MINOR) refuse(file, "plugin needs a newer host: " + versions);
}

// The vtable's own struct_size, which every table starts with.
uint32_t vtable_size(const void* vtable) {
    uint32_t size = 0;
    std::memcpy(&size, vtable, sizeof size);
    return size;
}

void require(const std::filesystem::path& file, bool present, const char* entry) {
    if (!present) refuse(file, std::string("required entry '") + entry + "' is NULL");
}

void require_size(const std::filesystem::path& file, uint32_t size, uint32_t minimum) {
    if (size < minimum)
        refuse(file, "vtable struct_size " + std::to_string(size) + " is smaller than ABI 1.0's " +
                         std::to_string(minimum));
}

// The plugin's vtable of type T, zero-extended, after checking its size and that
// create, destroy and the kind's own required entries are present.
template <class T, class RequiredEntries>
T checked_vtable(const std::filesystem::path& file, const void* vtable, uint32_t minimum,
                 RequiredEntries required) {
    uint32_t size = vtable_size(vtable);
    require_size(file, size, minimum);
    auto v = zero_extended<T>(vtable, size);
    require(file, v.create != nullptr, "create");
    require(file, v.destroy != nullptr, "destroy");
    for (const auto& [name, present] : required(v)) require(file, present, name);
    return v;
}

using Entries = std::vector<std::pair<const char*, bool>>;

decltype(LoadedPlugin::vtable) copy_vtable(const std::filesystem::path& file,
                                           const dbc_plugin_descriptor* d) {
    switch (d->kind) {
        case DBC_KIND_BACKEND:
            return checked_vtable<dbc_backend_vtable>(
                file, d->vtable, backend_v1_0_size, [](const dbc_backend_vtable& v) {
                    return Entries{{"ensure_golden", v.ensure_golden != nullptr},
                                   {"clone", v.clone != nullptr},
                                   {"drop", v.drop != nullptr}};
                });
        case DBC_KIND_RUNTIME:
            return checked_vtable<dbc_runtime_vtable>(
                file, d->vtable, runtime_v1_0_size, [](const dbc_runtime_vtable& v) {
                    return Entries{{"start_server", v.start_server != nullptr},
                                   {"stop_server", v.stop_server != nullptr},
                                   {"remove_server", v.remove_server != nullptr}};
                });
        default:
            return checked_vtable<dbc_check_vtable>(
                file, d->vtable, check_v1_0_size, [](const dbc_check_vtable& v) {
                    return Entries{{"list_checks", v.list_checks != nullptr},
                                   {"run_check", v.run_check != nullptr}};
                });
    }
}

}  // namespace

std::string kind_name(dbc_plugin_kind kind) {
    switch (kind) {
        case DBC_KIND_BACKEND:
            return "backend";
        case DBC_KIND_RUNTIME:
            return "runtime";
        case DBC_KIND_CHECK:
            return "check";
    }
    return "unknown(" + std::to_string(kind) + ")";
}

PluginLoader::PluginLoader(std::function<std::string(const std::string&)> config_for)
    : config_for_(std::move(config_for)) {}

std::shared_ptr<LoadedPlugin> PluginLoader::load(const std::filesystem::path& file,
                                                 const std::set<std::string>& taken_names) const {
    if (auto problem = elf_problem(file); !problem.empty())
        refuse(file, "not a loadable library (" + problem + ")");
    auto library = std::make_shared<boost::dll::shared_library>();
    try {
        // rtld_local keeps each plugin's symbols to itself.
        library->load(file, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
    } catch (const std::exception& e) {
        refuse(file, std::string("not a loadable library (") + e.what() + ")");
    }
    // 1. The entry symbol.
    if (!library->has(DBC_ENTRY_SYMBOL_V1))
        refuse(file, "no entry symbol " DBC_ENTRY_SYMBOL_V1
                     " (not a dbclone plugin, or built "
                     "for another ABI major)");
    auto entry = library->get<const dbc_plugin_descriptor*()>(DBC_ENTRY_SYMBOL_V1);
    const dbc_plugin_descriptor* raw = entry();
    // 2. The descriptor, 3. the ABI, 4. the kind.
    check_descriptor(file, raw);
    check_abi(file, raw);
    if (raw->kind != DBC_KIND_BACKEND && raw->kind != DBC_KIND_RUNTIME &&
        raw->kind != DBC_KIND_CHECK)
        refuse(file, "unknown plugin kind " + std::to_string(raw->kind));
    auto d = zero_extended<dbc_plugin_descriptor>(raw, raw->struct_size);
    // 5. A unique name.
    if (taken_names.count(d.name) != 0)
        refuse(file, std::string("duplicate plugin name '") + d.name +
                         "' (a plugin of that name is already loaded)");
    // 6. Required entries.
    auto plugin = std::make_shared<LoadedPlugin>();
    plugin->vtable = copy_vtable(file, &d);
    // 7. Configuration against the plugin's schema.
    plugin->config_json = config_for_(d.name);
    try {
        auto schema =
            json::parse(d.config_schema != nullptr ? d.config_schema : "{}", "config_schema");
        auto config = json::parse(plugin->config_json, "configuration");
        if (auto violation = schema_violation(config, schema, d.name))
            refuse(file, "configuration rejected: " + *violation);
    } catch (const PluginRefused&) {
        throw;
    } catch (const std::exception& e) {
        refuse(file, e.what());
    }
    plugin->info = PluginInfo{d.name,
                              d.version,
                              d.description != nullptr ? d.description : "",
                              d.kind,
                              d.abi_major,
                              d.abi_minor,
                              d.capabilities,
                              std::filesystem::absolute(file)};
    plugin->library = std::move(library);
    return plugin;
}

}  // namespace dbclone
