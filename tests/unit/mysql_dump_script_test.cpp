// The MySQL backend's script splitter (plugins/backend-mysql/dump_script.cpp),
// compiled in: the statements the mysql client would send.
#include <gtest/gtest.h>
#include <dbclone/sdk.hpp>

#include "backend-mysql/dump_script.hpp"

using dbclone::mysql::split_script;

TEST(MysqlDumpScript, FollowsDelimiterLinesAndKeepsExecutableComments) {
    auto statements = split_script(
        "-- MariaDB dump\n"
        "/*!40101 SET NAMES utf8mb4 */;\n"
        "/* plain ; comment */ INSERT INTO t VALUES ('a;b', \"c;d\", `e;f`); # tail ;\n"
        "DELIMITER ;;\n"
        "CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END ;;\n"
        "DELIMITER ;\n"
        "INSERT INTO t VALUES ('it\\'s');\n"
        "SELECT 'no end'");
    ASSERT_EQ(statements.size(), 5u);
    EXPECT_EQ(statements[0].text, "/*!40101 SET NAMES utf8mb4 */");
    EXPECT_EQ(statements[0].line, 2u);
    EXPECT_EQ(statements[1].text, "INSERT INTO t VALUES ('a;b', \"c;d\", `e;f`)");
    EXPECT_EQ(statements[1].line, 3u);
    EXPECT_EQ(statements[2].text, "CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END");
    EXPECT_EQ(statements[2].line, 5u);
    EXPECT_EQ(statements[3].text, "INSERT INTO t VALUES ('it\\'s')");
    EXPECT_EQ(statements[3].line, 7u);
    EXPECT_EQ(statements[4].text, "SELECT 'no end'");
}

TEST(MysqlDumpScript, NamesTheLineOfWhatIsNeverClosed) {
    for (const auto& [script, what] : std::vector<std::pair<std::string, std::string>>{
             {"SELECT 1;\nSELECT 'open", "a string that starts at line 2"},
             {"\n/* open", "a /* comment that starts at line 2"},
             {"SELECT 1;\nDELIMITER \n", "line 2: DELIMITER without a delimiter"}}) {
        try {
            split_script(script);
            ADD_FAILURE() << "accepted " << script;
        } catch (const dbclone::sdk::Failure& e) {
            EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
        }
    }
}
