// The smallest useful check plugin: one check, `answers_twice`, that logs in
// as the tenant twice through the host's services (so it needs no database
// driver) and passes when both logins work. It shows up in `dbclone verify`.
#include <dbclone/sdk.hpp>

#include <string>

class SkeletonCheck {
  public:
    static constexpr const char* description = "Example: a third-party check";

    SkeletonCheck(const dbclone::sdk::Host&, const dbc_plugin_init&) {}

    void list_checks(const dbclone::sdk::Sink& sink) {
        sink.write(
            R"({"name":"answers_twice","description":"the tenant answers two logins in a row"})");
    }

    void run_check(const dbc_check_context& context, const dbclone::sdk::Sink& sink) {
        dbc_error err{};
        err.struct_size = sizeof err;
        for (int attempt = 0; attempt < 2; ++attempt) {
            dbc_rc rc = context.services->probe(context.services->ctx, context.tenant, &err);
            if (rc == DBC_NOT_SUPPORTED) {
                sink.write(R"({"outcome":"not_applicable","details":"the backend cannot probe"})");
                return;
            }
            if (rc != DBC_OK) {
                sink.write(R"({"outcome":"failed","details":"a login failed"})");
                return;
            }
        }
        sink.write(R"({"outcome":"passed","details":"two logins in a row worked"})");
    }
};

DBC_DECLARE_CHECK(SkeletonCheck, "check-skeleton", "0.1.0")
