#include "docker_client.hpp"

#include <dbclone/plugin_helpers.hpp>
#include <dbclone/sdk.hpp>

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>

namespace dbclone::docker_runtime {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {
// The newest API version this client was written against (Docker 20.10).
constexpr double newest_api = 1.41;
}  // namespace

DockerClient::DockerClient(std::string socket_path) : socket_path_(std::move(socket_path)) {
    Response ping = raw("GET", "/_ping", "");
    if (ping.status != 200)
        throw sdk::Failure(DBC_UNAVAILABLE, "the Docker engine at " + socket_path_ + " answered " +
                                                std::to_string(ping.status) + " to a ping");
}

Response DockerClient::raw(const std::string& method, const std::string& target,
                           const std::string& json_body) {
    try {
        asio::io_context io;
        asio::local::stream_protocol::socket socket(io);
        socket.connect(asio::local::stream_protocol::endpoint(socket_path_));
        http::request<http::string_body> req{http::string_to_verb(method), target, 11};
        req.set(http::field::host, "docker");
        req.set(http::field::user_agent, "dbclone");
        if (!json_body.empty()) {
            req.set(http::field::content_type, "application/json");
            req.body() = json_body;
        }
        req.prepare_payload();
        http::write(socket, req);
        beast::flat_buffer buffer;
        http::response_parser<http::string_body> parser;
        parser.body_limit(64 * 1024 * 1024);
        http::read(socket, buffer, parser);
        auto res = parser.release();
        if (version_.empty()) {
            // Every answer carries the engine's API version; use it, capped.
            auto it = res.find("Api-Version");
            double server =
                it != res.end() ? std::atof(std::string(it->value()).c_str()) : newest_api;
            char text[16];
            std::snprintf(text, sizeof text, "%.2f", server < newest_api ? server : newest_api);
            version_ = text;
        }
        beast::error_code ec;
        socket.shutdown(asio::local::stream_protocol::socket::shutdown_both, ec);
        return {res.result_int(), res.body()};
    } catch (const boost::system::system_error& e) {
        throw sdk::Failure(DBC_UNAVAILABLE,
                           "cannot reach the Docker engine at " + socket_path_ + ": " + e.what());
    }
}

Response DockerClient::request(const std::string& method, const std::string& path,
                               const std::string& json_body) {
    return raw(method, "/v" + version_ + path, json_body);
}

Response DockerClient::call(const std::string& method, const std::string& path,
                            const std::string& json_body,
                            std::initializer_list<unsigned> accepted) {
    Response r = request(method, path, json_body);
    bool ok = r.status / 100 == 2;
    for (unsigned a : accepted) ok = ok || r.status == a;
    if (!ok) {
        std::string message = sdk::option_string(r.body.c_str(), "message");
        dbc_rc rc = r.status == 404 ? DBC_NOT_FOUND : r.status == 409 ? DBC_CONFLICT : DBC_ERROR;
        throw sdk::Failure(rc, method + " " + path + ": " + std::to_string(r.status) + " " +
                                   (message.empty() ? r.body : message));
    }
    return r;
}

}  // namespace dbclone::docker_runtime
