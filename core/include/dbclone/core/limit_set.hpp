// A tenant's limits: where the server should stop a tenant's (model-written,
// possibly hostile) SQL. The built-in defaults, then the config file's "limits"
// object, then `create --limit NAME=VALUE` (or the API's "limits"), each
// overriding the one before. Backends receive them as dbc_clone_request.limits_json.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace dbclone {

class LimitSet {
  public:
    // Every limit at its built-in default (docs/configuration.md lists them).
    LimitSet();

    // Sets limit `name` from user text: a count ("20"), a duration ("500ms",
    // "30s", "5m", "1h") or a size ("64kB", "16MB", "1GB"); "0" or "off" is no
    // limit. Throws Error(InvalidInput) naming the bad name or value and what
    // is allowed.
    void set(const std::string& name, const std::string& value);
    // "NAME=VALUE", as --limit takes it.
    void assign(const std::string& assignment);
    // "NAME=VALUE" for each member of a JSON object of limits (the config's
    // "limits", the API's), each value a string or a whole number; throws
    // Error(InvalidInput) naming `where`.NAME for another type.
    static std::vector<std::string> assignments_of(const rapidjson::Value& object,
                                                   const std::string& where);

    // {"connections": 20, "statement_timeout_ms": 30000, ...}: the canonical
    // units (ms, kB) the ABI documents; limits at 0 are left out.
    std::string to_json() const;
    // The inverse of to_json, for a registry row.
    static LimitSet from_json(const std::string& json);

    // The value of `name` in its canonical unit (ms, kB, a count); 0: no limit.
    uint64_t value(const std::string& name) const;

    struct Described {
        std::string name;  // "statement_timeout"
        std::string key;   // "statement_timeout_ms", as in limits_json and its report
        std::string text;  // "30s", "1GB", "20" or "off", as a user writes it
    };
    // Every limit, in the order `status` shows them.
    std::vector<Described> described() const;

  private:
    std::map<std::string, uint64_t> values_;  // name -> value in its canonical unit
};

}  // namespace dbclone
