#include <gtest/gtest.h>

#include "cli/errors.hpp"
#include "commands/dns_client.hpp"

namespace sixpn::commands {
namespace {

api::Org org(std::string slug, std::string dns) {
  api::Org o;
  o.slug = std::move(slug);
  o.dns_server = std::move(dns);
  return o;
}

TEST(DigDefaultServer, IsTheNamedOrgsPrefixColonColon3OnPort53) {
  std::vector<api::Org> orgs = {org("personal", "fdaa:0:18::3"), org("acme", "fdaa:0:2b::3")};
  EXPECT_EQ(org_dns_endpoint(orgs, "acme").str(), "[fdaa:0:2b::3]:53");
  EXPECT_EQ(org_dns_endpoint(orgs, "personal").str(), "[fdaa:0:18::3]:53");
}

TEST(DigDefaultServer, AnOrgTheTokenCannotSeeIsNotFound) {
  std::vector<api::Org> orgs = {org("personal", "fdaa:0:18::3")};
  EXPECT_THROW(org_dns_endpoint(orgs, "acme"), cli::NotFound);
  EXPECT_THROW(org_dns_endpoint({org("acme", "not-an-address")}, "acme"), cli::Failure);
}

}  // namespace
}  // namespace sixpn::commands
