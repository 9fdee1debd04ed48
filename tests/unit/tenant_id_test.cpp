#include <gtest/gtest.h>
#include <dbclone/core/error.hpp>
#include <dbclone/core/tenant_id.hpp>

using namespace dbclone;

TEST(TenantId, AcceptsEveryAllowedShape) {
    for (const char* id : {"a", "0", "t1", "tenant_001", "a_", "9lives", "abc_def_123"})
        EXPECT_NO_THROW(validate_tenant_id(id)) << id;
    EXPECT_NO_THROW(validate_tenant_id(std::string(48, 'a')));
}

TEST(TenantId, RefusesBadIdsNamingThemAndThePattern) {
    for (std::string id :
         {std::string("../x"), std::string("a;drop"), std::string("Tenant"), std::string(49, 'a'),
          std::string(""), std::string("_a"), std::string("a-b"), std::string("a b"),
          std::string("a\nb"), std::string("é")}) {
        try {
            validate_tenant_id(id);
            ADD_FAILURE() << "accepted " << id;
        } catch (const Error& e) {
            EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
            std::string message = e.what();
            EXPECT_NE(message.find("^[a-z0-9][a-z0-9_]{0,47}$"), std::string::npos) << message;
            EXPECT_EQ(message.find('\n'), std::string::npos) << "one line: " << message;
        }
    }
}

TEST(TenantId, DerivesNames) {
    EXPECT_EQ(tenant_database_name("t1"), "tenant_t1_db");
    EXPECT_EQ(tenant_user_name("t1"), "tenant_t1");
}
