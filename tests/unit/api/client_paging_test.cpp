// Paged lists: every page, in order, one at a time, and the ways a server can break paging.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "api/client.hpp"
#include "client_fixture.hpp"

namespace sixpn::api {
namespace {

using testing::FakeApi;
using testing::kPeer;
using testing::options_for;

TEST(Client, ListsFetchEveryPage) {
  FakeApi api;
  std::mutex mu;
  std::vector<std::string> cursors;
  api.server.Get(
      "/v1/orgs/acme/wireguard_peers", [&](const httplib::Request& req, httplib::Response& res) {
        std::lock_guard lock(mu);
        cursors.push_back(req.get_param_value("cursor"));
        std::string peer = kPeer;
        if (!req.has_param("cursor")) {
          res.set_content(R"({"items":[)" + peer + R"(],"next_cursor":"c 1"})", "application/json");
        } else {
          res.set_content(R"({"items":[)" + peer + "," + peer + R"(],"next_cursor":null})",
                          "application/json");
        }
      });
  api.start();
  Client client(options_for(api));
  EXPECT_EQ(client.peers("acme").size(), 3u);
  std::lock_guard lock(mu);
  EXPECT_EQ(cursors, (std::vector<std::string>{"", "c 1"}));
}

// Pages are decoded on a second thread while the next is fetched; what the caller sees must
// still be every page, in the server's order, one at a time.
TEST(Client, EachPeerPageHandsOverEveryPageInOrder) {
  FakeApi api;
  api.server.Get("/v1/orgs/acme/wireguard_peers",
                 [&](const httplib::Request& req, httplib::Response& res) {
                   int at = req.has_param("cursor") ? std::stoi(req.get_param_value("cursor")) : 0;
                   std::string peer = kPeer;
                   peer.replace(peer.find("\"p1\""), 4, "\"p" + std::to_string(at) + "\"");
                   std::string next = at < 9 ? "\"" + std::to_string(at + 1) + "\"" : "null";
                   res.set_content(R"({"items":[)" + peer + R"(],"next_cursor":)" + next + "}",
                                   "application/json");
                 });
  api.start();
  Client client(options_for(api));
  std::vector<std::string> names;
  std::atomic<int> inside{0};
  client.each_peer_page("acme", [&](std::vector<Peer>&& page) {
    EXPECT_EQ(inside.fetch_add(1), 0) << "two pages were consumed at once";
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    for (const auto& p : page) names.push_back(p.name);
    inside.fetch_sub(1);
  });
  EXPECT_EQ(names, (std::vector<std::string>{"p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7",
                                             "p8", "p9"}));
}

TEST(Client, ABadItemOnAnEarlyPageFailsTheWholeList) {
  FakeApi api;
  api.server.Get("/v1/orgs/acme/wireguard_peers",
                 [&](const httplib::Request& req, httplib::Response& res) {
                   if (!req.has_param("cursor")) {
                     res.set_content(R"({"items":[{"name":"p1","region":7}],"next_cursor":"2"})",
                                     "application/json");
                   } else {
                     res.set_content(R"({"items":[)" + std::string(kPeer) +
                                         R"(],"next_cursor":null})",
                                     "application/json");
                   }
                 });
  api.start();
  Client client(options_for(api));
  try {
    client.peers("acme");
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("\"region\""), std::string::npos) << e.what();
  }
}

TEST(Client, ARepeatedCursorStopsPaging) {
  FakeApi api;
  api.server.Get("/v1/orgs", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"items":[],"next_cursor":"same"})", "application/json");
  });
  api.start();
  Client client(options_for(api));
  EXPECT_THROW(client.orgs(), ShapeError);
}

}  // namespace
}  // namespace sixpn::api
