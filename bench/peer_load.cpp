// Load generator for POST /v1/orgs/{org}/wireguard_peers: CLIENTS threads, each with its own
// libcurl handle (one kept-alive connection, as a CLI or a script reusing a session would),
// create TOTAL peers between them with fresh keys and unique names. Prints creates per second
// and latency percentiles. Used by bench/peer_creates.sh.
//
//   bench_peer_load URL ORG TOKEN TOTAL CLIENTS [REGION]
#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/keys.hpp"

namespace {
using Clock = std::chrono::steady_clock;

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

size_t discard(char*, size_t size, size_t n, void*) { return size * n; }
}  // namespace

int main(int argc, char** argv) {
  if (argc < 6) {
    std::fprintf(stderr, "usage: %s URL ORG TOKEN TOTAL CLIENTS [REGION]\n", argv[0]);
    return 2;
  }
  const std::string url = std::string(argv[1]) + "/v1/orgs/" + argv[2] + "/wireguard_peers";
  const std::string auth = std::string("Authorization: Bearer ") + argv[3];
  const int total = std::stoi(argv[4]);
  const int clients = std::stoi(argv[5]);
  const std::string region = argc > 6 ? argv[6] : "ams";
  curl_global_init(CURL_GLOBAL_DEFAULT);

  std::atomic<int> next{0};
  std::atomic<int> failures{0};
  std::vector<std::vector<double>> latencies(clients);
  auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < clients; ++t) {
    threads.emplace_back([&, t] {
      std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
      std::unique_ptr<curl_slist, SlistDeleter> headers(
          curl_slist_append(nullptr, "Content-Type: application/json"));
      curl_slist_append(headers.get(), auth.c_str());
      curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
      curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
      curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, discard);
      curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, 30L);
      for (int i = next++; i < total; i = next++) {
        auto key = sixpn::core::PrivateKey::generate().public_key().base64();
        std::string body = "{\"name\":\"load-" + std::to_string(i) + "\",\"region\":\"" + region +
                           "\",\"pubkey\":\"" + key + "\"}";
        curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, body.c_str());
        auto t0 = Clock::now();
        long status = 0;
        if (curl_easy_perform(curl.get()) != CURLE_OK ||
            curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status) != CURLE_OK ||
            status != 201) {
          ++failures;
          continue;
        }
        latencies[t].push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      }
    });
  }
  for (auto& th : threads) th.join();
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) { return all.empty() ? 0.0 : all[static_cast<size_t>(p * (all.size() - 1))]; };
  std::printf("%zu peers created by %d clients in %.2f s: %.0f creates/s "
              "(latency p50 %.1f ms, p99 %.1f ms), %d failed\n",
              all.size(), clients, seconds, all.size() / seconds, pct(0.5), pct(0.99),
              failures.load());
  curl_global_cleanup();
  return failures.load() == 0 ? 0 : 1;
}
