// ApiServer::stop() with long-poll waiters parked on Services::changes: they are woken, so the
// stop does not wait out their polls.
#include <gtest/gtest.h>

#include <future>
#include <thread>
#include <vector>

#include "server/change_waiter.hpp"
#include "server/http/server.hpp"
#include "server/store/sqlite_store.hpp"
#include "temp_db.hpp"

namespace sixpn::server::http {
namespace {

using namespace std::chrono_literals;

TEST(ApiServerStop, WakesTheWaitersOfTheChangeWaiter) {
  testing::TempDb db;
  auto catalog = RegionCatalog::builtin();
  store::SqliteStore store(db.path(), catalog);
  ChangeWaiter changes;
  Services services{store, catalog, HostPort{"127.0.0.1", 51820}, "key"};
  services.changes = &changes;
  ServerOptions options;
  options.log = false;
  ApiServer server(std::move(services), std::move(options));
  std::string error;
  ASSERT_TRUE(server.bind(HostPort{"127.0.0.1", 0}, error)) << error;
  std::thread serving([&] { server.run(); });

  const auto seen = changes.version();
  std::vector<std::future<std::uint64_t>> parked;
  for (int i = 0; i < 100; ++i) {
    parked.push_back(
        std::async(std::launch::async, [&] { return changes.wait_for_change(seen, 2min); }));
  }
  server.stop();
  for (auto& p : parked) {
    ASSERT_EQ(p.wait_for(30s), std::future_status::ready) << "a waiter was not woken";
    EXPECT_EQ(p.get(), seen);  // woken by the stop, not by a change
  }
  serving.join();
}

}  // namespace
}  // namespace sixpn::server::http
