// The TLS settings: where --ca-file, the pinned fingerprint and --insecure-http come from.
#include <gtest/gtest.h>

#include "cli/config.hpp"
#include "cli/errors.hpp"
#include "env.hpp"

namespace sixpn::cli {
namespace {

TEST(TlsSettings, CaFileComesFromFlagThenEnvThenFile) {
  testing::ScopedEnv env;
  ConfigFile file;
  file.ca_file = "/file/ca.pem";
  save_config_file(config_file_path(), file);
  EXPECT_EQ(resolve_settings({}).ca_file, "/file/ca.pem");
  env.set("SIXPN_CA_FILE", "/env/ca.pem");
  EXPECT_EQ(resolve_settings({}).ca_file, "/env/ca.pem");
  SettingFlags flags;
  flags.ca_file = "/flag/ca.pem";
  EXPECT_EQ(resolve_settings(flags).ca_file, "/flag/ca.pem");
}

TEST(TlsSettings, ASavedPinCountsOnlyForTheUrlSavedWithIt) {
  testing::ScopedEnv env;
  ConfigFile file;
  file.api_url = "https://cp:4280";
  file.fingerprint = "sha256:" + std::string(64, 'a');
  save_config_file(config_file_path(), file);
  EXPECT_EQ(resolve_settings({}).fingerprint, *file.fingerprint);
  env.set("SIXPN_API_URL", "https://other:4280");
  EXPECT_EQ(resolve_settings({}).fingerprint, "");
  SettingFlags flags;
  flags.fingerprint = "sha256:" + std::string(64, 'b');
  EXPECT_EQ(resolve_settings(flags).fingerprint, flags.fingerprint);
}

TEST(TlsSettings, InsecureHttpFromFlagEnvOrFile) {
  testing::ScopedEnv env;
  EXPECT_FALSE(resolve_settings({}).insecure_http);
  env.set("SIXPN_INSECURE_HTTP", "1");
  EXPECT_TRUE(resolve_settings({}).insecure_http);
  env.set("SIXPN_INSECURE_HTTP", "0");
  EXPECT_FALSE(resolve_settings({}).insecure_http);
  env.set("SIXPN_INSECURE_HTTP", "maybe");
  EXPECT_THROW(resolve_settings({}), UsageError);
  env.set("SIXPN_INSECURE_HTTP", "");
  ConfigFile file;
  file.insecure_http = true;
  save_config_file(config_file_path(), file);
  EXPECT_TRUE(resolve_settings({}).insecure_http);
}

TEST(TlsSettings, ConfigTextRoundTripsTheTlsKeys) {
  ConfigFile file;
  file.api_url = "https://cp:4280";
  file.ca_file = "/etc/sixpn/ca.pem";
  file.fingerprint = "sha256:" + std::string(64, 'c');
  file.insecure_http = true;
  auto back = parse_config_text(config_text(file), "test");
  EXPECT_EQ(back.ca_file, file.ca_file);
  EXPECT_EQ(back.fingerprint, file.fingerprint);
  EXPECT_EQ(back.insecure_http, true);
}

TEST(TlsSettings, InsecureHttpThatIsNotABooleanIsAUsageError) {
  EXPECT_THROW(parse_config_text("insecure_http = \"yes\"\n", "test"), UsageError);
}

}  // namespace
}  // namespace sixpn::cli
