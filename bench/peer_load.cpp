// A load generator for POST /v1/orgs/{org}/wireguard_peers: N client threads, each with its own
// keep-alive connection, create peers with fresh keys and unique names as fast as the server
// answers. Prints one summary line; with --record, appends "name address" for every 2xx the
// moment it arrives, so a test can kill the server mid-load and know exactly what was promised.
//
//   bench_peer_load --url URL --token TOKEN --org ORG [--region ams] [--clients 8]
//                   [--count 1000] [--seconds 10] [--prefix p] [--record FILE] [--max-failures 20]
#include <curl/curl.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/keys.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string url;
  std::string token;
  std::string org;
  std::string region = "ams";
  std::string prefix = "p";
  std::string record;
  int clients = 1;
  long count = 1000;
  double seconds = 10;
  int max_failures = 20;  // consecutive transport failures before a client gives up
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "bench_peer_load: %s\nusage: bench_peer_load --url URL --token TOKEN --org ORG "
               "[--region R] [--clients N] [--count TOTAL] [--seconds S] [--prefix P] "
               "[--record FILE] [--max-failures K]\n",
               why);
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  auto text = [](std::string& field) { return [&field](const char* v) { field = v; }; };
  const std::map<std::string, std::function<void(const char*)>> flags = {
      {"--url", text(o.url)},
      {"--token", text(o.token)},
      {"--org", text(o.org)},
      {"--region", text(o.region)},
      {"--prefix", text(o.prefix)},
      {"--record", text(o.record)},
      {"--clients", [&](const char* v) { o.clients = std::atoi(v); }},
      {"--count", [&](const char* v) { o.count = std::atol(v); }},
      {"--seconds", [&](const char* v) { o.seconds = std::atof(v); }},
      {"--max-failures", [&](const char* v) { o.max_failures = std::atoi(v); }},
  };
  for (int i = 1; i < argc; i += 2) {
    auto it = flags.find(argv[i]);
    if (it == flags.end()) usage((std::string("unknown flag ") + argv[i]).c_str());
    if (i + 1 >= argc) usage((std::string("missing value for ") + argv[i]).c_str());
    it->second(argv[i + 1]);
  }
  if (o.url.empty() || o.token.empty() || o.org.empty()) usage("--url, --token, --org are needed");
  if (o.clients < 1 || o.count < 1 || o.seconds <= 0) usage("--clients, --count, --seconds > 0");
  return o;
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

std::size_t collect(char* data, std::size_t size, std::size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

struct Shared {
  explicit Shared(const Options& o) : options(o) {}
  const Options& options;
  std::atomic<long> next{0};  // the next request number to take
  std::atomic<long> ok{0};
  std::atomic<long> http_errors{0};
  std::atomic<long> transport_errors{0};
  int record_fd = -1;
  Clock::time_point deadline;
  std::mutex latencies_mu;
  std::vector<double> latencies_ms;
};

void client(Shared& s, int index) {
  const Options& o = s.options;
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  std::unique_ptr<curl_slist, SlistDeleter> headers;
  const std::string auth = "Authorization: Bearer " + o.token;
  for (const char* h :
       {"Content-Type: application/json", "Accept: application/json", auth.c_str()}) {
    headers.reset(curl_slist_append(headers.release(), h));
  }

  const std::string url = o.url + "/v1/orgs/" + o.org + "/wireguard_peers";
  std::vector<double> mine;
  int failures_in_a_row = 0;
  while (Clock::now() < s.deadline) {
    long n = s.next.fetch_add(1);
    if (n >= o.count) break;
    std::string name = o.prefix + "-" + std::to_string(index) + "-" + std::to_string(n);
    auto key = sixpn::core::PrivateKey::generate();
    std::string body =
        nlohmann::json{{"name", name}, {"region", o.region}, {"pubkey", key.public_key().base64()}}
            .dump();
    std::string response;
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &response);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    auto start = Clock::now();
    CURLcode rc = curl_easy_perform(c);
    double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    if (rc != CURLE_OK) {
      s.transport_errors.fetch_add(1);
      if (++failures_in_a_row >= o.max_failures) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    failures_in_a_row = 0;
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (status < 200 || status > 299) {
      s.http_errors.fetch_add(1);
      std::fprintf(stderr, "bench_peer_load: HTTP %ld for %s: %.200s\n", status, name.c_str(),
                   response.c_str());
      continue;
    }
    auto j = nlohmann::json::parse(response, nullptr, false);
    std::string ip = j.is_object() && j.contains("peer_ip") && j["peer_ip"].is_string()
                         ? j["peer_ip"].get<std::string>()
                         : "?";
    if (s.record_fd >= 0) {
      // One write(2) per line on an O_APPEND file: lines from threads never interleave.
      std::string line = name + " " + ip + "\n";
      if (::write(s.record_fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
        std::perror("bench_peer_load: record");
        std::exit(1);
      }
    }
    s.ok.fetch_add(1);
    mine.push_back(ms);
  }
  std::lock_guard lock(s.latencies_mu);
  s.latencies_ms.insert(s.latencies_ms.end(), mine.begin(), mine.end());
}

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  return v[i];
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse(argc, argv);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  Shared s(o);
  if (!o.record.empty()) {
    s.record_fd = ::open(o.record.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (s.record_fd < 0) {
      std::perror(o.record.c_str());
      return 1;
    }
  }
  auto start = Clock::now();
  s.deadline =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.seconds));
  std::vector<std::thread> threads;
  for (int i = 0; i < o.clients; ++i) threads.emplace_back(client, std::ref(s), i);
  for (auto& t : threads) t.join();
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  if (s.record_fd >= 0) ::close(s.record_fd);
  std::printf(
      "clients=%d ok=%ld http_errors=%ld transport_errors=%ld seconds=%.3f per_second=%.1f "
      "p50_ms=%.2f p99_ms=%.2f\n",
      o.clients, s.ok.load(), s.http_errors.load(), s.transport_errors.load(), elapsed,
      static_cast<double>(s.ok.load()) / elapsed, percentile(s.latencies_ms, 0.5),
      percentile(s.latencies_ms, 0.99));
  curl_global_cleanup();
  return s.http_errors.load() == 0 ? 0 : 1;
}
