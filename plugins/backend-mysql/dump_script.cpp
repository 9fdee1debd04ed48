#include "dump_script.hpp"

#include <dbclone/sdk.hpp>

#include <cctype>

#include "sql_rewriter.hpp"

namespace dbclone::mysql {

namespace {

[[noreturn]] void never_closed(const std::string& what, size_t line) {
    throw sdk::Failure(DBC_INVALID_ARGUMENT,
                       what + " that starts at line " + std::to_string(line) + " is never closed");
}

size_t lines_in(const std::string& s, size_t from, size_t to) {
    size_t n = 0;
    for (size_t i = from; i < to && i < s.size(); ++i) n += s[i] == '\n';
    return n;
}

// Past the end of the quoted run at `i`; backslash escapes except in ``.
size_t past_quote(const std::string& s, size_t i, size_t line) {
    size_t end = quoted_end(s, i, s[i], s[i] != '`');
    if (end == std::string::npos) never_closed(s[i] == '`' ? "a quoted name" : "a string", line);
    return end;
}

bool line_comment_at(const std::string& s, size_t i) {
    return s[i] == '#' ||
           (s.compare(i, 2, "--") == 0 &&
            (i + 2 >= s.size() || std::isspace(static_cast<unsigned char>(s[i + 2]))));
}

}  // namespace

std::vector<ScriptStatement> split_script(const std::string& s) {
    std::vector<ScriptStatement> out;
    std::string delimiter = ";";
    size_t i = 0, line = 1;
    auto advance_to = [&](size_t to) {
        line += lines_in(s, i, to);
        i = to;
    };
    for (;;) {
        // Between statements: blanks and comments.
        while (i < s.size()) {
            if (std::isspace(static_cast<unsigned char>(s[i]))) {
                advance_to(i + 1);
            } else if (line_comment_at(s, i)) {
                size_t end = s.find('\n', i);
                advance_to(end == std::string::npos ? s.size() : end);
            } else if (s.compare(i, 2, "/*") == 0 && s.compare(i, 3, "/*!") != 0 &&
                       s.compare(i, 4, "/*M!") != 0) {
                size_t end = s.find("*/", i + 2);
                if (end == std::string::npos) never_closed("a /* comment", line);
                advance_to(end + 2);
            } else {
                break;
            }
        }
        if (i >= s.size()) break;
        // DELIMITER x: the client's own command, to the end of the line.
        if (s.size() - i > 10 && (s[i] == 'D' || s[i] == 'd')) {
            std::string word = s.substr(i, 10);
            for (auto& c : word) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            if (word == "DELIMITER " || word == "DELIMITER\t") {
                size_t end = s.find('\n', i);
                if (end == std::string::npos) end = s.size();
                std::string rest = s.substr(i + 10, end - i - 10);
                size_t a = rest.find_first_not_of(" \t\r"), b = rest.find_last_not_of(" \t\r");
                if (a == std::string::npos)
                    throw sdk::Failure(DBC_INVALID_ARGUMENT, "line " + std::to_string(line) +
                                                                 ": DELIMITER without a delimiter");
                delimiter = rest.substr(a, b - a + 1);
                advance_to(end);
                continue;
            }
        }
        ScriptStatement statement;
        statement.line = line;
        size_t start = i, j = i;
        for (;;) {
            if (j >= s.size()) {
                statement.text = s.substr(start);
                break;
            }
            char c = s[j];
            if (c == '\'' || c == '"' || c == '`') {
                j = past_quote(s, j, line + lines_in(s, start, j));
            } else if (line_comment_at(s, j)) {
                size_t end = s.find('\n', j);
                j = end == std::string::npos ? s.size() : end;
            } else if (s.compare(j, 2, "/*") == 0 && s.compare(j, 3, "/*!") != 0 &&
                       s.compare(j, 4, "/*M!") != 0) {
                size_t end = s.find("*/", j + 2);
                if (end == std::string::npos)
                    never_closed("a /* comment", line + lines_in(s, start, j));
                j = end + 2;
            } else if (s.compare(j, delimiter.size(), delimiter) == 0) {
                statement.text = s.substr(start, j - start);
                j += delimiter.size();
                break;
            } else {
                ++j;
            }
        }
        advance_to(j);
        while (!statement.text.empty() &&
               std::isspace(static_cast<unsigned char>(statement.text.back())))
            statement.text.pop_back();
        if (!statement.text.empty()) out.push_back(std::move(statement));
    }
    return out;
}

}  // namespace dbclone::mysql
