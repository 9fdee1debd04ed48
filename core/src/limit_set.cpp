#include "dbclone/core/limit_set.hpp"

#include <cctype>
#include <charconv>
#include <limits>

#include "dbclone/core/error.hpp"
#include "dbclone/core/json.hpp"
#include "text.hpp"

namespace dbclone {

namespace {

enum class Unit { count, ms, kb };

struct LimitDef {
    const char* name;      // as users write it (--limit NAME=...)
    const char* key;       // in limits_json
    Unit unit;             // of the key's value
    const char* fallback;  // the built-in default, as users write it
};

// Only grows; the order is the order `status` shows.
constexpr LimitDef defs[] = {
    {"connections", "connections", Unit::count, "20"},
    {"statement_timeout", "statement_timeout_ms", Unit::ms, "30s"},
    {"idle_in_transaction_timeout", "idle_in_transaction_timeout_ms", Unit::ms, "60s"},
    {"lock_timeout", "lock_timeout_ms", Unit::ms, "10s"},
    {"work_mem", "work_mem_kb", Unit::kb, "16MB"},
    {"temp_file_limit", "temp_file_limit_kb", Unit::kb, "1GB"},
    {"queries_per_hour", "queries_per_hour", Unit::count, "off"},
    {"disk", "disk_kb", Unit::kb, "10GB"},
};

const LimitDef* find_def(const std::string& name) {
    for (const auto& d : defs)
        if (name == d.name) return &d;
    return nullptr;
}

std::string names() {
    std::string out;
    for (const auto& d : defs) out += std::string(out.empty() ? "" : ", ") + d.name;
    return out;
}

const char* allowed(Unit unit) {
    switch (unit) {
        case Unit::count:
            return "a whole number, or off";
        case Unit::ms:
            return "a duration such as 500ms, 30s, 5m or 1h, or off";
        case Unit::kb:
            return "a size such as 64kB, 16MB or 1GB, or off";
    }
    return "";
}

// The value of `text` in `unit`, or nullopt when it is not one.
std::optional<uint64_t> parse(Unit unit, const std::string& text) {
    if (text == "off" || text == "0") return 0;
    uint64_t number = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (ec != std::errc() || end == text.data()) return std::nullopt;
    std::string suffix(end, text.data() + text.size());
    uint64_t scale = 0;
    if (unit == Unit::count && suffix.empty()) scale = 1;
    if (unit == Unit::ms) {
        if (suffix == "ms") scale = 1;
        if (suffix == "s") scale = 1000;
        if (suffix == "m" || suffix == "min") scale = 60'000;
        if (suffix == "h") scale = 3'600'000;
    }
    if (unit == Unit::kb) {
        if (suffix == "kB" || suffix == "KB" || suffix == "k") scale = 1;
        if (suffix == "MB" || suffix == "M") scale = 1024;
        if (suffix == "GB" || suffix == "G") scale = 1024 * 1024;
        if (suffix == "TB" || suffix == "T") scale = 1024ull * 1024 * 1024;
    }
    // Servers take these as 32-bit integers (ms, kB, sessions).
    if (scale == 0 || number > std::numeric_limits<int32_t>::max() / scale) return std::nullopt;
    return number * scale;
}

std::string format(Unit unit, uint64_t value) {
    if (value == 0) return "off";
    auto in = [&](uint64_t step, const char* suffix) -> std::optional<std::string> {
        if (value % step != 0) return std::nullopt;
        return std::to_string(value / step) + suffix;
    };
    if (unit == Unit::ms) {
        for (auto [step, suffix] :
             {std::pair<uint64_t, const char*>{3'600'000, "h"}, {60'000, "m"}, {1000, "s"}})
            if (auto s = in(step, suffix)) return *s;
        return std::to_string(value) + "ms";
    }
    if (unit == Unit::kb) {
        for (auto [step, suffix] :
             {std::pair<uint64_t, const char*>{1024 * 1024, "GB"}, {1024, "MB"}})
            if (auto s = in(step, suffix)) return *s;
        return std::to_string(value) + "kB";
    }
    return std::to_string(value);
}

}  // namespace

LimitSet::LimitSet() {
    for (const auto& d : defs) set(d.name, d.fallback);
}

void LimitSet::set(const std::string& name, const std::string& value) {
    const LimitDef* def = find_def(name);
    if (def == nullptr)
        throw Error(ErrorKind::InvalidInput,
                    "unknown limit " + in_quotes(name) + "; allowed: " + names());
    auto parsed = parse(def->unit, value);
    if (!parsed)
        throw Error(ErrorKind::InvalidInput, "invalid value " + in_quotes(value) + " for limit " +
                                                 name + "; allowed: " + allowed(def->unit) +
                                                 " (at most 2147483647 " +
                                                 (def->unit == Unit::ms   ? "ms"
                                                  : def->unit == Unit::kb ? "kB"
                                                                          : "") +
                                                 ")");
    values_[name] = *parsed;
}

void LimitSet::assign(const std::string& assignment) {
    auto eq = assignment.find('=');
    if (eq == std::string::npos || eq == 0)
        throw Error(ErrorKind::InvalidInput, "invalid limit " + in_quotes(assignment) +
                                                 "; write NAME=VALUE, NAME one of: " + names());
    set(assignment.substr(0, eq), assignment.substr(eq + 1));
}

std::vector<std::string> LimitSet::assignments_of(const rapidjson::Value& object,
                                                  const std::string& where) {
    std::vector<std::string> out;
    for (const auto& m : object.GetObject()) {
        std::string name = m.name.GetString();
        if (m.value.IsString())
            out.push_back(name + "=" + m.value.GetString());
        else if (m.value.IsUint64())
            out.push_back(name + "=" + std::to_string(m.value.GetUint64()));
        else
            throw Error(ErrorKind::InvalidInput,
                        where + "." + name + " must be a string or a whole number");
    }
    return out;
}

std::string LimitSet::to_json() const {
    std::string out;
    for (const auto& d : defs) {
        uint64_t value = values_.at(d.name);
        if (value == 0) continue;
        out += std::string(out.empty() ? "" : ",") + "\"" + d.key + "\":" + std::to_string(value);
    }
    return "{" + out + "}";
}

LimitSet LimitSet::from_json(const std::string& text) {
    LimitSet limits;
    auto doc = json::parse(text.empty() ? "{}" : text, "a tenant's limits");
    if (!doc.IsObject()) throw Error(ErrorKind::Failed, "a tenant's limits are not an object");
    for (const auto& d : defs) {
        auto it = doc.FindMember(d.key);
        limits.values_[d.name] =
            it != doc.MemberEnd() && it->value.IsUint64() ? it->value.GetUint64() : 0;
    }
    return limits;
}

uint64_t LimitSet::value(const std::string& name) const {
    auto it = values_.find(name);
    return it != values_.end() ? it->second : 0;
}

std::vector<LimitSet::Described> LimitSet::described() const {
    std::vector<Described> out;
    for (const auto& d : defs) out.push_back({d.name, d.key, format(d.unit, values_.at(d.name))});
    return out;
}

}  // namespace dbclone
