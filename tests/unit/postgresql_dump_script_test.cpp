// The PostgreSQL backend's script splitter (plugins/backend-postgresql/
// dump_script.cpp), compiled in: what psql would run, piece by piece.
#include <gtest/gtest.h>
#include <dbclone/sdk.hpp>

#include "backend-postgresql/dump_script.hpp"

using dbclone::postgresql::ScriptPiece;
using dbclone::postgresql::split_script;
using Kind = ScriptPiece::Kind;

TEST(PostgresqlDumpScript, CutsAtSemicolonsOutsideQuotesCommentsAndParentheses) {
    auto pieces = split_script(
        "-- a comment; not a statement\n"
        "SELECT 'a;b', E'it\\'s;', \"semi;colon\" FROM t; /* block ; /* nested ; */ */\n"
        "CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;\n"
        "CREATE RULE r AS ON DELETE TO t DO INSTEAD (DELETE FROM u; DELETE FROM v);\n"
        "SELECT $1, a$b FROM t;\n"
        "SELECT 'no end'");
    ASSERT_EQ(pieces.size(), 5u);
    EXPECT_EQ(pieces[0].text, "SELECT 'a;b', E'it\\'s;', \"semi;colon\" FROM t;");
    EXPECT_EQ(pieces[0].line, 2u);
    EXPECT_EQ(pieces[1].line, 3u);
    EXPECT_NE(pieces[2].text.find("DELETE FROM v);"), std::string::npos);
    EXPECT_EQ(pieces[3].text, "SELECT $1, a$b FROM t;");
    EXPECT_EQ(pieces[4].text, "SELECT 'no end'");
    EXPECT_EQ(pieces[4].line, 6u);
}

TEST(PostgresqlDumpScript, KeepsABeginAtomicBodyWhole) {
    auto pieces = split_script(
        "CREATE FUNCTION f(c int) RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n"
        "  SELECT CASE WHEN c > 0 THEN 1 ELSE 0 END;\n  SELECT 2;\nEND;\nSELECT 3;");
    ASSERT_EQ(pieces.size(), 2u);
    EXPECT_NE(pieces[0].text.find("SELECT 2;\nEND;"), std::string::npos) << pieces[0].text;
    EXPECT_EQ(pieces[1].text, "SELECT 3;");
    EXPECT_EQ(pieces[1].line, 6u);
}

TEST(PostgresqlDumpScript, ReadsCopyDataAndMetaCommands) {
    auto pieces = split_script(
        "\\restrict abc\n"
        "COPY public.t (a, b) FROM stdin;\n1\tx;y\n2\t\\\\N\n\\.\n"
        "\\connect shop\n"
        "SELECT 1;\n");
    ASSERT_EQ(pieces.size(), 4u);
    EXPECT_EQ(pieces[0].kind, Kind::meta);
    EXPECT_EQ(pieces[0].text, "\\restrict abc");
    EXPECT_EQ(pieces[1].kind, Kind::copy);
    EXPECT_EQ(pieces[1].data, "1\tx;y\n2\t\\\\N\n");
    EXPECT_EQ(pieces[2].kind, Kind::meta);
    EXPECT_EQ(pieces[2].line, 6u);
    EXPECT_EQ(pieces[3].line, 7u);
}

TEST(PostgresqlDumpScript, NamesTheLineOfWhatIsNeverClosed) {
    for (const auto& [script, what] : std::vector<std::pair<std::string, std::string>>{
             {"SELECT 1;\nSELECT 'open", "a string that starts at line 2"},
             {"\n\nSELECT $$ body", "a $$ quote that starts at line 3"},
             {"/* open", "a /* comment that starts at line 1"},
             {"SELECT 1;\nCOPY t FROM stdin;\n1\n",
              "the data of the COPY that starts at line 2"}}) {
        try {
            split_script(script);
            ADD_FAILURE() << "accepted " << script;
        } catch (const dbclone::sdk::Failure& e) {
            EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
        }
    }
}
