// `dbclone serve`: an HTTP/1.1 server (Boost.Beast, asynchronous, on a small
// thread pool) in front of the API routes. SIGTERM or SIGINT stops accepting,
// lets requests in flight finish, and returns.
#pragma once

#include <cstdint>
#include <string>

#include "api_routes.hpp"

namespace dbclone::api {

struct ServerOptions {
    std::string address = "127.0.0.1";
    uint16_t port = 8000;  // 0: any free port (printed at start)
    int threads = 2;
};

// Serves until a stop signal; prints "listening on ADDRESS:PORT" once ready.
void serve(Routes& routes, const ServerOptions& options);

}  // namespace dbclone::api
