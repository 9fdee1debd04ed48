// The `content` record of a database (dbc_backend_content_fn, ABI 1.1): each
// table's exact row count and a checksum of its rows, and what the engine's own
// consistency check found. A backend writes one for its golden copy when it
// builds it and one for a clone when asked; the data_integrity check compares
// the two.
#ifndef DBCLONE_CONTENT_RECORD_HPP
#define DBCLONE_CONTENT_RECORD_HPP

#include <dbclone/plugin_helpers.hpp>
#include <dbclone/sha256.hpp>

#include <rapidjson/document.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dbclone::sdk {

// Up to this many rows a checksum covers every row of a table; above it, every
// sample_stride(rows)-th row in the table's own order (about this many), and
// the table says "sampled". The row count is always exact.
constexpr uint64_t checksum_sample_rows = 100000;

inline uint64_t sample_stride(uint64_t rows) {
    return rows <= checksum_sample_rows ? 1
                                        : (rows + checksum_sample_rows - 1) / checksum_sample_rows;
}

struct TableContent {
    std::string name;  // qualified where the engine has schemas: "public.orders"
    uint64_t rows = 0;
    std::string checksum;  // hex; a function of the rows alone
    bool sampled = false;
};

// A checksum over rows read in a fixed order (the table's key order): the
// sha256 of each covered row's own digest, so that a row boundary cannot be
// shifted unnoticed.
class RowChecksum {
  public:
    explicit RowChecksum(uint64_t rows) : stride_(sample_stride(rows)) {}
    // Adds the next row in order; `row` is any unambiguous encoding of its values.
    void add(std::string_view row) {
        if (index_++ % stride_ == 0) all_.update(Sha256::of(row));
    }
    bool sampled() const { return stride_ > 1; }
    std::string hex() { return all_.hex(); }

  private:
    uint64_t stride_;
    uint64_t index_ = 0;
    Sha256 all_;
};

struct ContentRecord {
    // Bumped whenever what a record covers or how a checksum is made changes:
    // a golden copy whose record has another format is rebuilt (is_current),
    // since its checksums could not be compared with a clone's.
    static constexpr int format = 1;

    int record_format = format;
    std::vector<TableContent> tables;
    std::vector<std::string> problems;  // from the engine's consistency check
    std::string checked_by;  // that check ("PRAGMA integrity_check"), "" if none could run
    // What the engine calls a table and a row, for messages ("collection",
    // "document"); absent from records written before them.
    std::string table_noun = "table";
    std::string row_noun = "row";

    std::string json() const {
        std::vector<TableContent> sorted = tables;
        std::sort(sorted.begin(), sorted.end(),
                  [](const TableContent& a, const TableContent& b) { return a.name < b.name; });
        std::string out = "{\"format\":" + std::to_string(format) + ",\"tables\":[";
        for (size_t i = 0; i < sorted.size(); ++i)
            out += std::string(i ? "," : "") + "{\"name\":" + json_quote(sorted[i].name) +
                   ",\"rows\":" + std::to_string(sorted[i].rows) +
                   ",\"checksum\":" + json_quote(sorted[i].checksum) +
                   ",\"sampled\":" + (sorted[i].sampled ? "true" : "false") + "}";
        out += "],\"problems\":[";
        for (size_t i = 0; i < problems.size(); ++i)
            out += std::string(i ? "," : "") + json_quote(problems[i]);
        return out + "],\"checked_by\":" + json_quote(checked_by) +
               ",\"table_noun\":" + json_quote(table_noun) +
               ",\"row_noun\":" + json_quote(row_noun) + "}";
    }

    // Throws Failure(DBC_INVALID_ARGUMENT) naming `what` for a malformed record.
    static ContentRecord parse(std::string_view text, const std::string& what) {
        rapidjson::Document doc;
        doc.Parse<rapidjson::kParseIterativeFlag>(text.data(), text.size());
        auto bad = [&] { return Failure(DBC_INVALID_ARGUMENT, what + " is not a content record"); };
        if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("tables") ||
            !doc["tables"].IsArray())
            throw bad();
        ContentRecord out;
        out.record_format =
            doc.HasMember("format") && doc["format"].IsInt() ? doc["format"].GetInt() : 0;
        for (const auto& t : doc["tables"].GetArray()) {
            if (!t.IsObject() || !t.HasMember("name") || !t["name"].IsString() ||
                !t.HasMember("rows") || !t["rows"].IsUint64() || !t.HasMember("checksum") ||
                !t["checksum"].IsString())
                throw bad();
            out.tables.push_back({t["name"].GetString(), t["rows"].GetUint64(),
                                  t["checksum"].GetString(),
                                  t.HasMember("sampled") && t["sampled"].IsTrue()});
        }
        if (doc.HasMember("problems") && doc["problems"].IsArray())
            for (const auto& p : doc["problems"].GetArray())
                if (p.IsString()) out.problems.emplace_back(p.GetString());
        if (doc.HasMember("checked_by") && doc["checked_by"].IsString())
            out.checked_by = doc["checked_by"].GetString();
        for (auto [key, into] :
             {std::pair<const char*, std::string*>{"table_noun", &out.table_noun},
              {"row_noun", &out.row_noun}})
            if (doc.HasMember(key) && doc[key].IsString()) *into = doc[key].GetString();
        return out;
    }

    // True when `text` is a record of this format (json() writes it first).
    static bool is_current(std::string_view text) {
        return text.rfind("{\"format\":" + std::to_string(format) + ",", 0) == 0;
    }
};

}  // namespace dbclone::sdk

#endif  // DBCLONE_CONTENT_RECORD_HPP
