// The HTTP/1.1 server (Boost.Beast, C++20 coroutines): accepts connections on a thread pool,
// reads requests (keep-alive, body capped per route: `max_body_bytes`), hands each to a handler, writes the answer.
// Only this translation unit includes Beast/Asio.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "api/http_message.hpp"

namespace trustlane::api {

class HttpServer {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;

  // Binds at once (throws std::runtime_error with a clear message if it cannot); port 0 picks one.
  HttpServer(const std::string& host, std::uint16_t port, Handler handler, unsigned threads = 0);
  ~HttpServer();

  std::uint16_t port() const;
  // Serves until stop() or, with stop_on_signals, SIGINT/SIGTERM. Blocks the caller.
  void run(bool stop_on_signals);
  void stop();  // thread-safe

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace trustlane::api
