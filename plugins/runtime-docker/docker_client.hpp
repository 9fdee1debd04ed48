// A client of the Docker Engine API over its Unix socket: HTTP/1.1 with
// Boost.Beast on a local stream socket (not the docker CLI). The API version is
// negotiated once: the server's own (from GET /_ping), capped at the newest this
// client was written for.
#pragma once

#include <string>

namespace dbclone::docker_runtime {

struct Response {
    unsigned status = 0;
    std::string body;
};

class DockerClient {
  public:
    // Connects once to ping and negotiate; throws sdk::Failure(DBC_UNAVAILABLE)
    // naming the socket when no engine answers there.
    explicit DockerClient(std::string socket_path);

    // METHOD /v<version><path> with an optional JSON body. Throws on transport
    // errors only: HTTP errors come back in the status.
    Response request(const std::string& method, const std::string& path,
                     const std::string& json_body = "");
    // Like request, but throws sdk::Failure with the engine's message unless the
    // status is 2xx or listed in `accepted` (e.g. 304, 404).
    Response call(const std::string& method, const std::string& path,
                  const std::string& json_body = "", std::initializer_list<unsigned> accepted = {});

    const std::string& api_version() const { return version_; }

  private:
    Response raw(const std::string& method, const std::string& target,
                 const std::string& json_body);

    std::string socket_path_;
    std::string version_;
};

}  // namespace dbclone::docker_runtime
