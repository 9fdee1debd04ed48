#include "sql_rewriter.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

namespace dbclone::mysql {

namespace {

enum class Kind { Blank, String, QuotedName, Word, Symbol };

struct Token {
    Kind kind;
    size_t begin, end;  // [begin, end) in the source
};

std::vector<Token> tokenize(const std::string& s) {
    std::vector<Token> out;
    for (size_t i = 0; i < s.size();) {
        char c = s[i];
        size_t end;
        Kind kind;
        if (std::isspace(static_cast<unsigned char>(c))) {
            end = i + 1;
            while (end < s.size() && std::isspace(static_cast<unsigned char>(s[end]))) ++end;
            kind = Kind::Blank;
        } else if (c == '#' || (c == '-' && i + 2 < s.size() && s[i + 1] == '-' &&
                                std::isspace(static_cast<unsigned char>(s[i + 2])))) {
            end = s.find('\n', i);
            end = end == std::string::npos ? s.size() : end;
            kind = Kind::Blank;
        } else if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
            end = s.find("*/", i + 2);
            end = end == std::string::npos ? s.size() : end + 2;
            kind = Kind::Blank;
        } else if (c == '\'' || c == '"') {
            end = std::min(quoted_end(s, i, c, true), s.size());
            kind = Kind::String;
        } else if (c == '`') {
            end = std::min(quoted_end(s, i, c, false), s.size());
            kind = Kind::QuotedName;
        } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' ||
                   static_cast<unsigned char>(c) >= 0x80) {
            end = i + 1;
            while (end < s.size() &&
                   (std::isalnum(static_cast<unsigned char>(s[end])) || s[end] == '_' ||
                    s[end] == '$' || static_cast<unsigned char>(s[end]) >= 0x80))
                ++end;
            kind = Kind::Word;
        } else {
            end = i + 1;
            kind = Kind::Symbol;
        }
        out.push_back({kind, i, end});
        i = end;
    }
    return out;
}

// The name a QuotedName or Word token stands for.
std::string name_of(const std::string& s, const Token& t) {
    if (t.kind == Kind::Word) return s.substr(t.begin, t.end - t.begin);
    std::string inner = s.substr(t.begin + 1, t.end - t.begin - 2), out;
    for (size_t i = 0; i < inner.size(); ++i) {
        out += inner[i];
        if (inner[i] == '`' && i + 1 < inner.size() && inner[i + 1] == '`') ++i;
    }
    return out;
}

bool is_name(const Token& t) {
    return t.kind == Kind::QuotedName || t.kind == Kind::Word;
}

bool is_symbol(const std::string& s, const Token& t, char c) {
    return t.kind == Kind::Symbol && s[t.begin] == c;
}

}  // namespace

size_t quoted_end(const std::string& s, size_t i, char quote, bool backslash) {
    for (size_t j = i + 1; j < s.size(); ++j) {
        if (backslash && s[j] == '\\') {
            ++j;
        } else if (s[j] == quote) {
            if (j + 1 < s.size() && s[j + 1] == quote) {
                ++j;
                continue;
            }
            return j + 1;
        }
    }
    return std::string::npos;
}

std::string rewrite_schema(const std::string& sql, const std::string& from, const std::string& to) {
    auto tokens = tokenize(sql);
    std::string out;
    for (size_t i = 0; i < tokens.size(); ++i) {
        const Token& t = tokens[i];
        bool qualifier = is_name(t) && i + 1 < tokens.size() &&
                         is_symbol(sql, tokens[i + 1], '.') && name_of(sql, t) == from;
        out += qualifier ? to : sql.substr(t.begin, t.end - t.begin);
    }
    return out;
}

std::string replace_definer(const std::string& sql, const std::string& definer) {
    auto tokens = tokenize(sql);
    auto next = [&](size_t i) {
        do ++i;
        while (i < tokens.size() && tokens[i].kind == Kind::Blank);
        return i;
    };
    for (size_t i = 0; i < tokens.size(); ++i) {
        const Token& t = tokens[i];
        if (t.kind != Kind::Word) continue;
        std::string word = name_of(sql, t);
        for (char& c : word) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        if (word != "DEFINER") continue;
        size_t eq = next(i);
        if (eq >= tokens.size() || !is_symbol(sql, tokens[eq], '=')) continue;
        // user, or user@host (each a name or a string), or CURRENT_USER[()]
        size_t last = next(eq);
        if (last >= tokens.size()) break;
        size_t at = next(last);
        if (at < tokens.size() && is_symbol(sql, tokens[at], '@')) last = next(at);
        size_t after = next(last);
        if (after + 1 < tokens.size() && is_symbol(sql, tokens[after], '(') &&
            is_symbol(sql, tokens[after + 1], ')'))
            last = after + 1;
        return sql.substr(0, tokens[eq].end) + definer + sql.substr(tokens[last].end);
    }
    return sql;
}

}  // namespace dbclone::mysql
