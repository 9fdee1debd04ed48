#include "api_server.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <functional>
#include <iostream>
#include <memory>
#include <thread>
#include <vector>

namespace dbclone::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr size_t body_limit = 1 << 20;  // 1 MiB

// Requests between "read" and "answer written": a graceful stop waits for
// these, not for idle keep-alive connections.
std::atomic<int> requests_in_flight{0};

// One connection: read a request, answer it, repeat while kept alive. The
// route runs on the pool thread that read the request.
class Session : public std::enable_shared_from_this<Session> {
  public:
    Session(tcp::socket socket, Routes& routes, const std::atomic<bool>& stopping)
        : stream_(std::move(socket)), routes_(routes), stopping_(stopping) {}

    void start() { read(); }

  private:
    void read() {
        parser_.emplace();
        parser_->body_limit(body_limit);
        stream_.expires_after(std::chrono::seconds(30));
        http::async_read(
            stream_, buffer_, *parser_,
            [self = shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
    }

    void on_read(beast::error_code ec) {
        if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
            ec == asio::error::operation_aborted)
            return close();
        ++requests_in_flight;
        Response response;
        bool keep_alive = false;
        unsigned version = 11;
        std::string method = "?", target = "?";
        linger_ = static_cast<bool>(ec);  // unread request bytes may follow
        if (ec == http::error::body_limit) {
            response =
                error_response(413, "payload_too_large", "request bodies are limited to 1 MiB");
        } else if (ec) {
            response =
                error_response(400, "bad_request", "malformed HTTP request: " + ec.message());
        } else {
            auto& req = parser_->get();
            method = std::string(req.method_string());
            target = std::string(req.target());
            keep_alive = req.keep_alive() && !stopping_;
            version = req.version();
            auto auth = req.find(http::field::authorization);
            response = routes_.handle(
                method, target, auth != req.end() ? std::string(auth->value()) : "", req.body());
        }
        // An access log line; never the body or the Authorization header.
        spdlog::info("{} {} {}", method, target, response.status);
        auto res = std::make_shared<http::response<http::string_body>>(
            static_cast<http::status>(response.status), version);
        res->set(http::field::server, "dbclone");
        res->set(http::field::content_type, response.content_type);
        for (const auto& [name, value] : response.headers) res->set(name, value);
        res->keep_alive(keep_alive);
        res->body() = std::move(response.body);
        res->prepare_payload();
        http::async_write(
            stream_, *res,
            [self = shared_from_this(), res, keep_alive](beast::error_code e, size_t) {
                --requests_in_flight;
                if (!e && self->linger_) return self->linger();
                if (e || !keep_alive) return self->close();
                self->read();
            });
    }

    void close() {
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    }

    // After a refused request (a 413 is answered as soon as the headers
    // announce too big a body) the client may still be sending. Closing at
    // once would reset the connection before it reads the answer, so the rest
    // is read and dropped, for at most 5 s, after our side is shut.
    void linger() {
        close();
        stream_.expires_after(std::chrono::seconds(5));
        drain();
    }
    void drain() {
        stream_.async_read_some(asio::buffer(scratch_),
                                [self = shared_from_this()](beast::error_code ec, size_t) {
                                    if (!ec) self->drain();
                                });
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    Routes& routes_;
    const std::atomic<bool>& stopping_;
    bool linger_ = false;
    std::array<char, 16384> scratch_;
};

class Listener : public std::enable_shared_from_this<Listener> {
  public:
    Listener(asio::io_context& io, tcp::endpoint endpoint, Routes& routes,
             const std::atomic<bool>& stopping)
        : io_(io), acceptor_(asio::make_strand(io)), routes_(routes), stopping_(stopping) {
        acceptor_.open(endpoint.protocol());
        acceptor_.set_option(asio::socket_base::reuse_address(true));
        acceptor_.bind(endpoint);
        acceptor_.listen(asio::socket_base::max_listen_connections);
    }
    uint16_t port() const { return acceptor_.local_endpoint().port(); }
    void accept() {
        acceptor_.async_accept(asio::make_strand(io_), [self = shared_from_this()](
                                                           beast::error_code ec, tcp::socket s) {
            if (ec) return;  // closed: shutting down
            // Answers go out at once, not held back to be merged with more.
            s.set_option(tcp::no_delay(true), ec);
            std::make_shared<Session>(std::move(s), self->routes_, self->stopping_)->start();
            self->accept();
        });
    }
    void close() {
        beast::error_code ec;
        acceptor_.close(ec);
    }

  private:
    asio::io_context& io_;
    tcp::acceptor acceptor_;
    Routes& routes_;
    const std::atomic<bool>& stopping_;
};

}  // namespace

void serve(Routes& routes, const ServerOptions& options) {
    asio::io_context io(options.threads);
    std::atomic<bool> stopping{false};
    auto listener = std::make_shared<Listener>(
        io, tcp::endpoint(asio::ip::make_address(options.address), options.port), routes, stopping);
    listener->accept();
    // SIGTERM/SIGINT: stop accepting, let the requests in flight answer (for
    // at most 5 s), then stop; idle keep-alive connections are simply closed.
    asio::signal_set signals(io, SIGINT, SIGTERM);
    asio::steady_timer poll(io);
    auto deadline = std::chrono::steady_clock::now();
    std::function<void()> wait_for_requests = [&] {
        if (requests_in_flight == 0 || std::chrono::steady_clock::now() >= deadline)
            return io.stop();
        poll.expires_after(std::chrono::milliseconds(20));
        poll.async_wait([&](beast::error_code) { wait_for_requests(); });
    };
    signals.async_wait([&](beast::error_code, int) {
        stopping = true;
        listener->close();
        deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        wait_for_requests();
    });
    std::cout << "listening on " << options.address << ":" << listener->port() << std::endl;
    std::vector<std::thread> pool;
    for (int i = 1; i < options.threads; ++i) pool.emplace_back([&] { io.run(); });
    io.run();
    for (auto& t : pool) t.join();
}

}  // namespace dbclone::api
