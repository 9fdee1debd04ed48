#include "root_file.hpp"

#include <dbclone/plugin_helpers.hpp>

#include <filesystem>
#include <sstream>

#include "mongodump_reader.hpp"

namespace dbclone::mongodb {

namespace {

// {"collections": [{"name": `name`, "documents": `documents`}]}
BsonDocument one_collection(const std::string& name, const std::vector<BsonDocument>& documents) {
    BsonDocument root;
    bson_t collections, spec, array;
    bson_append_array_begin(root.get(), "collections", -1, &collections);
    bson_append_document_begin(&collections, "0", -1, &spec);
    BSON_APPEND_UTF8(&spec, "name", name.c_str());
    bson_append_array_begin(&spec, "documents", -1, &array);
    for (size_t i = 0; i < documents.size(); ++i) {
        std::string key = std::to_string(i);
        bson_append_document(&array, key.c_str(), -1, documents[i].get());
    }
    bson_append_array_end(&spec, &array);
    bson_append_document_end(&collections, &spec);
    bson_append_array_end(root.get(), &collections);
    return root;
}

bool has_array(const bson_t* doc, const char* key) {
    bson_iter_t it;
    return bson_iter_init_find(&it, doc, key) && BSON_ITER_HOLDS_ARRAY(&it);
}

// dbclone's format for what mongodump wrote.
BsonDocument from_mongodump(const std::vector<DumpedCollection>& dumped) {
    BsonDocument root;
    bson_t collections, views;
    bson_append_array_begin(root.get(), "collections", -1, &collections);
    size_t collection_count = 0;
    for (const auto& c : dumped) {
        if (c.is_view) continue;
        bson_t spec, indexes, documents;
        std::string key = std::to_string(collection_count++);
        bson_append_document_begin(&collections, key.c_str(), -1, &spec);
        BSON_APPEND_UTF8(&spec, "name", c.name.c_str());
        BSON_APPEND_DOCUMENT(&spec, "options", c.options.get());
        bson_append_array_begin(&spec, "indexes", -1, &indexes);
        for (size_t i = 0; i < c.indexes.size(); ++i)
            bson_append_document(&indexes, std::to_string(i).c_str(), -1, c.indexes[i].get());
        bson_append_array_end(&spec, &indexes);
        bson_append_array_begin(&spec, "documents", -1, &documents);
        for (size_t i = 0; i < c.documents.size(); ++i)
            bson_append_document(&documents, std::to_string(i).c_str(), -1, c.documents[i].get());
        bson_append_array_end(&spec, &documents);
        bson_append_document_end(&collections, &spec);
    }
    bson_append_array_end(root.get(), &collections);
    bson_append_array_begin(root.get(), "views", -1, &views);
    size_t view_count = 0;
    for (const auto& c : dumped) {
        if (!c.is_view) continue;
        // mongodump keeps a view's definition in its options.
        BsonDocument view = BsonDocument::copy_of(c.options.get());
        BSON_APPEND_UTF8(view.get(), "name", c.name.c_str());
        bson_append_document(&views, std::to_string(view_count++).c_str(), -1, view.get());
    }
    bson_append_array_end(root.get(), &views);
    return root;
}

// One file in dbclone's format or mongoexport's.
BsonDocument read_root_file(const std::string& path) {
    std::string text = sdk::read_text_file(path);
    size_t first = text.find_first_not_of(" \t\r\n");
    std::string collection = std::filesystem::path(path).stem().string();
    if (first != std::string::npos && text[first] == '[') {
        // mongoexport --jsonArray: an array is no BSON document; wrap it as one.
        BsonDocument wrapped = BsonDocument::from_json("{\"d\": " + text + "}", path);
        std::vector<BsonDocument> documents;
        bson_iter_t it, item;
        if (bson_iter_init_find(&it, wrapped.get(), "d") && bson_iter_recurse(&it, &item))
            while (bson_iter_next(&item)) {
                if (!BSON_ITER_HOLDS_DOCUMENT(&item))
                    throw sdk::Failure(DBC_INVALID_ARGUMENT,
                                       path + ": the array holds something that is no document");
                uint32_t length = 0;
                const uint8_t* data = nullptr;
                bson_iter_document(&item, &length, &data);
                documents.emplace_back(bson_new_from_data(data, length));
            }
        return one_collection(collection, documents);
    }
    // dbclone's format is one document with a "collections" array; anything
    // else is read as mongoexport's lines.
    bson_error_t error;
    if (bson_t* whole = bson_new_from_json(reinterpret_cast<const uint8_t*>(text.data()),
                                           static_cast<ssize_t>(text.size()), &error)) {
        BsonDocument root(whole);
        if (has_array(root.get(), "collections")) return root;
    }
    std::vector<BsonDocument> documents;
    std::istringstream lines(text);
    size_t number = 0;
    for (std::string line; std::getline(lines, line);) {
        ++number;
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        documents.push_back(
            BsonDocument::from_json(line, path + " line " + std::to_string(number)));
    }
    if (documents.empty())
        throw sdk::Failure(DBC_INVALID_ARGUMENT,
                           path +
                               " holds no document: give dbclone's format ({\"collections\": "
                               "[...]}) or mongoexport's output");
    return one_collection(collection, documents);
}

}  // namespace

std::vector<std::pair<std::string, BsonDocument>> read_root_files(
    const std::vector<std::string>& paths) {
    std::vector<std::pair<std::string, BsonDocument>> out;
    std::vector<std::string> dumped;
    size_t dump_at = 0;
    for (const auto& path : paths) {
        if (is_mongodump_file(path)) {
            if (dumped.empty()) dump_at = out.size();
            dumped.push_back(path);
        } else {
            out.emplace_back(path, read_root_file(path));
        }
    }
    if (!dumped.empty())
        out.emplace(out.begin() + static_cast<std::ptrdiff_t>(dump_at), dumped.front(),
                    from_mongodump(read_mongodump(dumped)));
    return out;
}

}  // namespace dbclone::mongodb
