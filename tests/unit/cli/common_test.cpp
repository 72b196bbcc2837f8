#include "commands/common.hpp"

#include <gtest/gtest.h>

#include "cli/errors.hpp"
#include "commands/machine_args.hpp"

namespace sixpn::commands {
namespace {

std::vector<std::string> keys(const nlohmann::json& j) {
  std::vector<std::string> out;
  for (const auto& [k, v] : j.items()) out.push_back(k);
  return out;
}

TEST(JsonViews, KeysAreTheDocumentedOnes) {
  EXPECT_EQ(keys(peer_json({})),
            (std::vector<std::string>{"created_at", "endpoint", "name", "peer_ip", "region"}));
  EXPECT_EQ(keys(machine_json({})),
            (std::vector<std::string>{"app", "config", "created_at", "exit_code", "host",
                                      "host_id", "id", "message", "metadata", "name",
                                      "private_ip", "process_group", "region", "state",
                                      "updated_at"}));
  EXPECT_EQ(keys(ip_json({})),
            (std::vector<std::string>{"address", "created_at", "org", "region", "type"}));
  EXPECT_EQ(keys(region_json({})), (std::vector<std::string>{"code", "gateway_available",
                                                             "latitude", "longitude", "name"}));
}

TEST(JsonViews, PeerViewNeverCarriesKeys) {
  api::Peer p;
  p.pubkey = "PUB";
  p.gateway_pubkey = "GW";
  auto text = peer_json(p).dump();
  EXPECT_EQ(text.find("PUB"), std::string::npos);
  EXPECT_EQ(text.find("GW"), std::string::npos);
}

TEST(Times, ParsesRfc3339InUtcAndWithOffsets) {
  EXPECT_EQ(parse_time("1970-01-01T00:01:00Z"), 60);
  EXPECT_EQ(parse_time("1970-01-01T01:00:00+01:00"), 0);
  EXPECT_EQ(parse_time("1970-01-01T00:00:01.250Z"), 1);
  EXPECT_FALSE(parse_time("yesterday"));
  EXPECT_FALSE(parse_time("1970-01-01T00:00:00"));
  EXPECT_FALSE(parse_time("1970-13-01T00:00:00Z"));
}

TEST(Times, AgoIsShortAndFallsBackToTheText) {
  const std::time_t now = 1000000;
  auto at = [](std::time_t t) {
    char buf[32];
    std::tm tm;
    gmtime_r(&t, &tm);
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return std::string(buf);
  };
  EXPECT_EQ(ago(at(now - 5), now), "just now");
  EXPECT_EQ(ago(at(now - 300), now), "5m ago");
  EXPECT_EQ(ago(at(now - 7200), now), "2h ago");
  EXPECT_EQ(ago(at(now - 3 * 86400), now), "3d ago");
  EXPECT_EQ(ago("not a time", now), "not a time");
}

TEST(IpRow, SplitsTheTypeLikeFlyctl) {
  api::IpAssignment ip{"fdaa:0:1:0:1::3", "private_v6", "global", "acme", "web", "bad time"};
  EXPECT_EQ(ip_row(ip, 0), (std::vector<std::string>{"v6", "fdaa:0:1:0:1::3", "private", "global",
                                                     "acme", "bad time"}));
}

TEST(Metadata, PairsBecomeAMap) {
  auto m = parse_metadata({"role=db", "tier=1", "empty=", "eq=a=b"});
  EXPECT_EQ(m.at("role"), "db");
  EXPECT_EQ(m.at("tier"), "1");
  EXPECT_EQ(m.at("empty"), "");
  EXPECT_EQ(m.at("eq"), "a=b");
  EXPECT_THROW(parse_metadata({"nokey"}), cli::UsageError);
  EXPECT_THROW(parse_metadata({"=value"}), cli::UsageError);
}

}  // namespace
}  // namespace sixpn::commands
