// The data_integrity check: is the clone's data its root's? It compares the
// backend's content record of the tenant (row counts and checksums per table,
// and the engine's own consistency check) with the one recorded when the golden
// copy was built. A clone that lost a row, a table or an index's contents fails.
// So does a tenant whose own writes changed its data: the check answers "equal
// to the root", which a fresh clone must be and a used one no longer is.
#include <dbclone/content_record.hpp>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <map>

#include "check_support.hpp"

namespace dbclone::checks {

namespace {

// At most this many differences are named; the rest are counted.
constexpr size_t named_differences = 5;

std::vector<std::string> differences(const sdk::ContentRecord& golden,
                                     const sdk::ContentRecord& clone) {
    std::map<std::string, const sdk::TableContent*> theirs;
    for (const auto& t : clone.tables) theirs[t.name] = &t;
    const std::string &table = clone.table_noun, rows = clone.row_noun + "s";
    std::vector<std::string> out;
    for (const auto& g : golden.tables) {
        auto it = theirs.find(g.name);
        if (it == theirs.end()) {
            out.push_back(table + " " + g.name + " is missing");
            continue;
        }
        const sdk::TableContent& c = *it->second;
        if (c.rows != g.rows)
            out.push_back(table + " " + g.name + " has " + std::to_string(c.rows) + " " + rows +
                          ", the root " + std::to_string(g.rows));
        else if (c.checksum != g.checksum)
            out.push_back(table + " " + g.name + ": the " + rows +
                          "' checksum differs from the root's" + (g.sampled ? " (sampled)" : ""));
        theirs.erase(it);
    }
    for (const auto& [name, t] : theirs)
        out.push_back(table + " " + name + " is not in the root (" + std::to_string(t->rows) + " " +
                      rows + ")");
    return out;
}

}  // namespace

Result check_data_integrity(const dbc_check_context& c, const Services& s) {
    std::string recorded;
    rapidjson::Document options;
    options.Parse(c.options_json != nullptr ? c.options_json : "{}");
    if (!options.HasParseError() && options.IsObject() && options.HasMember("golden_content")) {
        rapidjson::StringBuffer buffer;
        rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
        options["golden_content"].Accept(writer);
        recorded = buffer.GetString();
    }
    if (recorded.empty())
        return {"not_applicable",
                "no content was recorded for the golden copy this tenant was made from (built "
                "by an older dbclone, or rebuilt since); `dbclone roots gc` and a new clone "
                "record one",
                {}};
    auto golden = sdk::ContentRecord::parse(recorded, "the golden copy's content record");
    auto clone = sdk::ContentRecord::parse(s.content(*c.tenant), "the tenant's content record");
    if (golden.record_format != clone.record_format)
        return {"not_applicable",
                "the golden copy's content record has format " +
                    std::to_string(golden.record_format) + " and the backend's " +
                    std::to_string(clone.record_format) + " (different dbclone versions)",
                {}};
    std::vector<std::string> found = differences(golden, clone);
    for (const auto& p : clone.problems) found.push_back("consistency check: " + p);
    if (!found.empty()) {
        std::string details;
        for (size_t i = 0; i < found.size() && i < named_differences; ++i)
            details += (i ? "; " : "") + found[i];
        if (found.size() > named_differences)
            details += "; and " + std::to_string(found.size() - named_differences) + " more";
        return {"failed", details, {}};
    }
    uint64_t rows = 0;
    size_t sampled = 0;
    for (const auto& t : golden.tables) {
        rows += t.rows;
        sampled += t.sampled ? 1 : 0;
    }
    const std::string tables = clone.table_noun + "s";
    return {"passed",
            std::to_string(golden.tables.size()) + " " + tables + ", " + std::to_string(rows) +
                " " + clone.row_noun + "s: counts and checksums equal the golden copy's" +
                (sampled ? " (" + std::to_string(sampled) + " " + tables + " sampled)" : "") +
                "; " +
                (clone.checked_by.empty()
                     ? std::string("no consistency check of the engine could run for this login")
                     : clone.checked_by + " found nothing"),
            {}};
}

}  // namespace dbclone::checks
