#include "server_url.hpp"

#include <dbclone/sdk.hpp>

#include <cctype>

namespace dbclone::mysql {

namespace {

[[noreturn]] void bad(const std::string& what) {
    throw sdk::Failure(DBC_INVALID_ARGUMENT, "server URL: " + what +
                                                 " (expected mysql://user:password@host:port/"
                                                 "database?socket=/path)");
}

std::string percent_decode(const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() &&
            std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
            std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
            out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

}  // namespace

ServerUrl ServerUrl::parse(const std::string& url) {
    ServerUrl u;
    auto scheme_end = url.find("://");
    if (scheme_end == std::string::npos) bad("no scheme");
    std::string scheme = url.substr(0, scheme_end);
    if (scheme != "mysql" && scheme != "mariadb")
        bad("scheme \"" + scheme + "\" is not mysql or mariadb");
    std::string rest = url.substr(scheme_end + 3);
    std::string query;
    if (auto q = rest.find('?'); q != std::string::npos) {
        query = rest.substr(q + 1);
        rest = rest.substr(0, q);
    }
    if (auto slash = rest.find('/'); slash != std::string::npos) {
        u.database = percent_decode(rest.substr(slash + 1));
        rest = rest.substr(0, slash);
    }
    if (auto at = rest.rfind('@'); at != std::string::npos) {
        std::string info = rest.substr(0, at);
        rest = rest.substr(at + 1);
        auto colon = info.find(':');
        u.user = percent_decode(info.substr(0, colon));
        if (colon != std::string::npos) u.password = percent_decode(info.substr(colon + 1));
    }
    if (auto colon = rest.rfind(':');
        colon != std::string::npos && rest.find(']') == std::string::npos) {
        std::string port = rest.substr(colon + 1);
        rest = rest.substr(0, colon);
        if (port.empty() || port.find_first_not_of("0123456789") != std::string::npos ||
            port.size() > 5 || std::stoul(port) == 0 || std::stoul(port) > 65535)
            bad("port \"" + port + "\" is not a number from 1 to 65535");
        u.port = static_cast<uint32_t>(std::stoul(port));
    }
    if (!rest.empty()) u.host = rest;
    for (size_t start = 0; start < query.size();) {
        size_t end = query.find('&', start);
        std::string pair =
            query.substr(start, end == std::string::npos ? std::string::npos : end - start);
        if (pair.rfind("socket=", 0) == 0)
            u.socket = percent_decode(pair.substr(7));
        else if (!pair.empty())
            bad("unknown parameter \"" + pair.substr(0, pair.find('=')) + "\"; allowed: socket");
        if (end == std::string::npos) break;
        start = end + 1;
    }
    if (u.user.empty()) bad("no user");
    return u;
}

bool ServerUrl::is_local() const {
    return !socket.empty() || host == "127.0.0.1" || host == "localhost" || host == "::1" ||
           host == "[::1]";
}

}  // namespace dbclone::mysql
