#include "dump_script.hpp"

#include <dbclone/sdk.hpp>

#include <cctype>
#include <regex>

namespace dbclone::postgresql {

namespace {

bool word_start(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_' ||
           (static_cast<unsigned char>(c) & 0x80) != 0;
}

bool word_char(char c) {
    return word_start(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '$';
}

[[noreturn]] void never_closed(const std::string& what, size_t line) {
    throw sdk::Failure(DBC_INVALID_ARGUMENT,
                       what + " that starts at line " + std::to_string(line) + " is never closed");
}

// Walks a script, counting lines.
class Cursor {
  public:
    explicit Cursor(const std::string& s) : s_(s) {}
    bool done() const { return i_ >= s_.size(); }
    char at(size_t ahead = 0) const { return i_ + ahead < s_.size() ? s_[i_ + ahead] : '\0'; }
    size_t pos() const { return i_; }
    size_t line() const { return line_; }
    void step(size_t count = 1) {
        for (; count > 0 && i_ < s_.size(); --count)
            if (s_[i_++] == '\n') ++line_;
    }
    // To just past `needle` (searched from here); false when it never comes.
    bool skip_past(const std::string& needle) {
        size_t found = s_.find(needle, i_);
        if (found == std::string::npos) return false;
        step(found + needle.size() - i_);
        return true;
    }
    void skip_line_comment() {
        while (!done() && at() != '\n') step();
    }
    // At "/*": to just past its (nested) end.
    void skip_block_comment() {
        size_t start = line_;
        int depth = 0;
        do {
            if (done()) never_closed("a /* comment", start);
            if (at() == '/' && at(1) == '*') {
                ++depth;
                step(2);
            } else if (at() == '*' && at(1) == '/') {
                --depth;
                step(2);
            } else {
                step();
            }
        } while (depth > 0);
    }
    // At a quote: to just past the closing one. `backslashes`: an E'' string.
    void skip_quoted(char quote, bool backslashes) {
        size_t start = line_;
        step();
        for (;;) {
            if (done()) never_closed(quote == '"' ? "a quoted identifier" : "a string", start);
            char c = at();
            if (backslashes && c == '\\') {
                step(2);
            } else if (c == quote) {
                step();
                if (at() != quote) return;  // a doubled quote stands for itself
                step();
            } else {
                step();
            }
        }
    }
    // At '$': a dollar quote's tag ("$$", "$body$"), or "" when this is not one
    // (a parameter $1, a '$' inside a word).
    std::string dollar_tag() const {
        size_t j = i_ + 1;
        if (j < s_.size() && std::isdigit(static_cast<unsigned char>(s_[j]))) return "";
        while (j < s_.size() &&
               (word_start(s_[j]) || std::isdigit(static_cast<unsigned char>(s_[j]))))
            ++j;
        return j < s_.size() && s_[j] == '$' ? s_.substr(i_, j - i_ + 1) : "";
    }
    std::string word() const {
        size_t j = i_;
        while (j < s_.size() && word_char(s_[j])) ++j;
        std::string w = s_.substr(i_, j - i_);
        for (auto& c : w) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return w;
    }

  private:
    const std::string& s_;
    size_t i_ = 0;
    size_t line_ = 1;
};

bool is_copy_from_stdin(const std::string& statement) {
    static const std::regex pattern(R"(^COPY\s[\s\S]*\sFROM\s+STDIN\b[\s\S]*$)", std::regex::icase);
    return std::regex_match(statement, pattern);
}

bool is_routine(const std::string& statement) {
    static const std::regex pattern(R"(^CREATE\s+(OR\s+REPLACE\s+)?(FUNCTION|PROCEDURE)\s[\s\S]*$)",
                                    std::regex::icase);
    return std::regex_match(statement, pattern);
}

// From the start of a statement to just past its ';' (or the end).
void skip_statement(const std::string& script, Cursor& c) {
    size_t start = c.pos();
    int parens = 0, atomic = 0;
    std::string previous;
    while (!c.done()) {
        char ch = c.at();
        if (ch == '\'') {
            bool escape = c.pos() > start &&
                          (script[c.pos() - 1] == 'E' || script[c.pos() - 1] == 'e') &&
                          (c.pos() - 1 == start || !word_char(script[c.pos() - 2]));
            c.skip_quoted('\'', escape);
        } else if (ch == '"') {
            c.skip_quoted('"', false);
        } else if (ch == '$' && (c.pos() == start || !word_char(script[c.pos() - 1])) &&
                   !c.dollar_tag().empty()) {
            std::string tag = c.dollar_tag();
            size_t line = c.line();
            c.step(tag.size());
            if (!c.skip_past(tag)) never_closed("a " + tag + " quote", line);
        } else if (ch == '-' && c.at(1) == '-') {
            c.skip_line_comment();
        } else if (ch == '/' && c.at(1) == '*') {
            c.skip_block_comment();
        } else if (word_start(ch) && (c.pos() == start || !word_char(script[c.pos() - 1]))) {
            std::string w = c.word();
            // BEGIN ATOMIC ... END: the body of a SQL-standard routine, whose
            // statements end in ';' too; CASE ... END nests inside it.
            if (atomic == 0 && w == "atomic" && previous == "begin" &&
                is_routine(script.substr(start, c.pos() - start)))
                atomic = 1;
            else if (atomic > 0 && w == "case")
                ++atomic;
            else if (atomic > 0 && w == "end")
                --atomic;
            previous = w;
            c.step(w.size());
        } else {
            if (ch == '(') ++parens;
            if (ch == ')') --parens;
            c.step();
            if (ch == ';' && parens <= 0 && atomic == 0) return;
        }
    }
}

}  // namespace

std::vector<ScriptPiece> split_script(const std::string& script) {
    std::vector<ScriptPiece> pieces;
    Cursor c(script);
    for (;;) {
        // Between pieces: blanks and comments.
        while (!c.done()) {
            if (std::isspace(static_cast<unsigned char>(c.at())))
                c.step();
            else if (c.at() == '-' && c.at(1) == '-')
                c.skip_line_comment();
            else if (c.at() == '/' && c.at(1) == '*')
                c.skip_block_comment();
            else
                break;
        }
        if (c.done()) break;
        ScriptPiece piece;
        piece.line = c.line();
        size_t start = c.pos();
        if (c.at() == '\\') {
            piece.kind = ScriptPiece::Kind::meta;
            c.skip_line_comment();  // to the end of the line
            piece.text = script.substr(start, c.pos() - start);
            if (!piece.text.empty() && piece.text.back() == '\r') piece.text.pop_back();
            pieces.push_back(std::move(piece));
            continue;
        }
        skip_statement(script, c);
        piece.text = script.substr(start, c.pos() - start);
        if (is_copy_from_stdin(piece.text)) {
            // The data starts on the next line and ends at a line "\.".
            piece.kind = ScriptPiece::Kind::copy;
            c.skip_line_comment();
            c.step();
            size_t data_start = c.pos();
            for (;;) {
                if (c.done()) never_closed("the data of the COPY", piece.line);
                size_t line_start = c.pos();
                c.skip_line_comment();
                std::string row = script.substr(line_start, c.pos() - line_start);
                c.step();
                if (row == "\\." || row == "\\.\r") {
                    piece.data = script.substr(data_start, line_start - data_start);
                    break;
                }
            }
        }
        pieces.push_back(std::move(piece));
    }
    return pieces;
}

}  // namespace dbclone::postgresql
