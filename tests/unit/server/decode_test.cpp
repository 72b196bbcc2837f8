#include "server/http/decode.hpp"

#include <gtest/gtest.h>

#include <random>

#include "core/keys.hpp"

namespace sixpn::server::http {
namespace {

const std::string kKey = "HIqd8C7kx7uJ7N4QJv0gCz9SHy0sS5H8XKJRFTyWvHE=";

std::string peer_body(const std::string& name, const std::string& region,
                      const std::string& pubkey) {
  return api::Json{{"name", name}, {"region", region}, {"pubkey", pubkey}}.dump();
}

TEST(DecodePeerCreate, AcceptsAWellFormedRequest) {
  auto r = decode_peer_create(peer_body("laptop", "ams", kKey));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.value().name, "laptop");
  EXPECT_EQ(r.value().region, "ams");
  EXPECT_EQ(r.value().pubkey, kKey);
}

TEST(DecodePeerCreate, MalformedJsonIs400) {
  for (std::string body : {"", "{", "nul", "{\"name\":}", "\xff\xfe", "{\"a\":\"\xc3\x28\"}"}) {
    auto r = decode_peer_create(body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().status, 400) << body;
    EXPECT_EQ(r.error().code, "invalid_json");
  }
}

TEST(DecodePeerCreate, NonObjectIs400) {
  for (const char* body : {"[]", "1", "\"s\"", "null", "true"}) {
    auto r = decode_peer_create(body);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().status, 400) << body;
  }
}

TEST(DecodePeerCreate, MissingOrWronglyTypedFieldsAre422) {
  for (const char* body : {R"({"region":"ams","pubkey":"x"})", R"({"name":1,"region":"ams"})",
                           R"({"name":"a","region":["ams"],"pubkey":"k"})",
                           R"({"name":null,"region":"ams","pubkey":"k"})"}) {
    auto r = decode_peer_create(body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().status, 422) << body;
    EXPECT_EQ(r.error().code, "invalid_field") << body;
  }
}

TEST(DecodePeerCreate, UnknownFieldIs422NamingIt) {
  auto r = decode_peer_create(R"({"name":"a","region":"ams","pubkey":"k","public_key":"k"})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "unknown_field");
  EXPECT_NE(r.error().message.find("public_key"), std::string::npos);
}

TEST(DecodePeerCreate, BadNameIs422) {
  for (const char* name : {"", "-x", "a b", "under_score", "dot.ted"}) {
    auto r = decode_peer_create(peer_body(name, "ams", kKey));
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_EQ(r.error().code, "invalid_name") << name;
  }
  EXPECT_FALSE(decode_peer_create(peer_body(std::string(64, 'a'), "ams", kKey)).ok());
}

TEST(DecodePeerCreate, NonCanonicalPublicKeyIs422) {
  auto not_canonical = kKey;
  not_canonical[42] = 'F';  // non-zero padding bits
  for (const std::string& key : {std::string("short"), kKey.substr(0, 43), kKey + "=",
                                 not_canonical, std::string(44, '=')}) {
    auto r = decode_peer_create(peer_body("a", "ams", key));
    ASSERT_FALSE(r.ok()) << key;
    EXPECT_EQ(r.error().status, 422) << key;
    EXPECT_EQ(r.error().code, "invalid_pubkey") << key;
  }
}

TEST(DecodePeerCreate, DeepNestingIsRefusedNotRecursedInto) {
  std::string deep = "{\"name\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
  auto r = decode_peer_create(deep);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 400);
}

TEST(DecodeAppCreate, NameMustBeALowerCaseDnsLabel) {
  EXPECT_TRUE(decode_app_create(R"({"app_name":"web-1","org_slug":"acme"})").ok());
  auto upper = decode_app_create(R"({"app_name":"Web","org_slug":"acme"})");
  ASSERT_FALSE(upper.ok());
  EXPECT_EQ(upper.error().code, "invalid_name");
  EXPECT_FALSE(decode_app_create(R"({"app_name":"web","org_slug":""})").ok());
  EXPECT_FALSE(decode_app_create(R"({"app_name":"web"})").ok());
}

TEST(DecodeMachineCreate, OptionalFieldsAndMetadataRules) {
  auto r = decode_machine_create(R"({"region":"fra"})");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r.value().name.has_value());
  EXPECT_TRUE(r.value().metadata.empty());
  auto full = decode_machine_create(
      R"({"region":"fra","name":"db-1","process_group":"worker","metadata":{"role":"primary"}})");
  ASSERT_TRUE(full.ok()) << full.error().message;
  EXPECT_EQ(full.value().metadata.at("role"), "primary");
  EXPECT_EQ(decode_machine_create(R"({"region":"fra","metadata":{"bad key":"v"}})").error().code,
            "invalid_metadata");
  EXPECT_EQ(decode_machine_create(R"({"region":"fra","metadata":{"k":1}})").error().code,
            "invalid_field");
  EXPECT_EQ(decode_machine_create(R"({"region":"fra","metadata":{"k":"a\nb"}})").error().code,
            "invalid_metadata");
  EXPECT_EQ(decode_machine_create(R"({"region":"fra","process_group":"Web"})").error().code,
            "invalid_process_group");
  EXPECT_EQ(decode_machine_create(R"({"region":""})").error().code, "invalid_region");
}

TEST(DecodeIpAssignmentCreate, OnlyPrivateV6IsSupported) {
  auto r = decode_ip_assignment_create(R"({"type":"private_v6","org_slug":"other"})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r.value().org_slug, "other");
  EXPECT_FALSE(decode_ip_assignment_create(R"({"type":"private_v6"})").value().org_slug);
  EXPECT_EQ(decode_ip_assignment_create(R"({"type":"v4"})").error().code, "unsupported_type");
  EXPECT_EQ(decode_ip_assignment_create(R"({})").error().status, 422);
}

TEST(DecodePage, DefaultsBoundsAndCursorRoundTrip) {
  auto d = decode_page(std::nullopt, std::nullopt);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d.value().limit, kDefaultPageLimit);
  EXPECT_EQ(d.value().after, 0);
  EXPECT_EQ(decode_page("1000", std::nullopt).value().limit, 1000);
  for (const char* bad : {"0", "1001", "-1", "ten", "5x", "", "99999999999999999999"}) {
    EXPECT_EQ(decode_page(bad, std::nullopt).error().code, "invalid_limit") << bad;
  }
  auto cursor = encode_cursor(42);
  EXPECT_EQ(decode_page(std::nullopt, cursor).value().after, 42);
  for (const char* bad : {"zz", "!!", "YzE", "c1-4"}) {
    EXPECT_EQ(decode_page(std::nullopt, bad).error().code, "invalid_cursor") << bad;
  }
}

TEST(DecodeBearer, AcceptsTheBearerSchemeOnly) {
  EXPECT_EQ(decode_bearer("Bearer sixpn_abc").value(), "sixpn_abc");
  EXPECT_EQ(decode_bearer("bearer   sixpn_abc ").value(), "sixpn_abc");
  for (std::optional<std::string_view> bad :
       {std::optional<std::string_view>{}, std::optional<std::string_view>{""},
        std::optional<std::string_view>{"Basic abc"}, std::optional<std::string_view>{"Bearer "},
        std::optional<std::string_view>{"sixpn_abc"}}) {
    auto r = decode_bearer(bad);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().status, 401);
  }
}

TEST(DecodeIdempotencyKey, PrintableAsciiUpTo255) {
  EXPECT_TRUE(decode_idempotency_key("a-b_c.1").ok());
  EXPECT_FALSE(decode_idempotency_key("").ok());
  EXPECT_FALSE(decode_idempotency_key(std::string(256, 'k')).ok());
  EXPECT_FALSE(decode_idempotency_key("has space").ok());
  EXPECT_FALSE(decode_idempotency_key("tab\t").ok());
}

TEST(DecodeIp, AnySpellingOfIpv6) {
  EXPECT_EQ(decode_ip("FDAA:0:1:0:1:0:0:3").value().str(), "fdaa:0:1:0:1::3");
  EXPECT_EQ(decode_ip("1.2.3.4").error().code, "invalid_ip");
}

// Whatever the bytes, every decoder answers with a value or an error; it never throws or
// crashes. A cheap stand-in for the libFuzzer target, run on every test pass.
TEST(DecodeHostileInput, RandomAndMutatedBodiesNeverThrow) {
  std::mt19937 rng(1234);
  std::vector<std::string> seeds = {
      peer_body("laptop", "ams", kKey), R"({"app_name":"web","org_slug":"acme"})",
      R"({"region":"fra","metadata":{"k":"v"},"name":"n","process_group":"app"})",
      R"({"type":"private_v6","org_slug":"o"})"};
  for (int i = 0; i < 20000; ++i) {
    std::string body = seeds[i % seeds.size()];
    int edits = 1 + static_cast<int>(rng() % 8);
    for (int e = 0; e < edits && !body.empty(); ++e) {
      auto at = rng() % body.size();
      switch (rng() % 3) {
        case 0:
          body[at] = static_cast<char>(rng() % 256);
          break;
        case 1:
          body.erase(at, 1 + rng() % 4);
          break;
        default:
          body.insert(at, 1, "{}[]\":,\\0u"[rng() % 10]);
      }
    }
    EXPECT_NO_THROW({
      (void)decode_peer_create(body);
      (void)decode_app_create(body);
      (void)decode_machine_create(body);
      (void)decode_ip_assignment_create(body);
      (void)decode_page(body, body);
      (void)decode_bearer(body);
      (void)decode_idempotency_key(body);
      (void)decode_ip(body);
    });
  }
}

TEST(DecodeMachineStop, NoBodyIsTheMachinesOwnStopConfig) {
  for (const char* body : {"", " \n", "{}"}) {
    auto r = decode_machine_stop(body);
    ASSERT_TRUE(r.ok()) << body << ": " << r.error().message;
    EXPECT_TRUE(r.value().empty()) << body;
  }
}

TEST(DecodeMachineStop, TakesFlysSignalAndTimeout) {
  auto r = decode_machine_stop(R"({"signal":"SIGTERM","timeout":"10s"})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.value(), (api::MachineStop{"SIGTERM", 10}));
  auto zero = decode_machine_stop(R"({"timeout":0})");
  ASSERT_TRUE(zero.ok()) << zero.error().message;
  EXPECT_EQ(zero.value().timeout_seconds, 0);
  EXPECT_FALSE(zero.value().signal);
}

TEST(DecodeMachineStop, ABadSignalTimeoutOrFieldIs400WithOneSentence) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"signal":"SIGSEGV"})",
       "signal must be one of SIGINT, SIGTERM, SIGQUIT, SIGHUP, "
       "SIGUSR1, SIGUSR2, SIGKILL, not \"SIGSEGV\""},
      {R"({"signal":15})", "field \"signal\" must be a string such as \"SIGTERM\""},
      {R"({"timeout":"3601s"})", "timeout must be from 0s to 3600s"},
      {R"({"timeout":"soon"})",
       "field \"timeout\" must be a duration such as \"5s\", not \"soon\""},
      {R"({"timeout":-1})", "field \"timeout\" must be a duration of at most 3600s"},
      {R"({"sig":"SIGTERM"})", "unknown field \"sig\""},
      {R"([1])", "the request body must be a JSON object"},
  };
  for (const auto& [body, sentence] : cases) {
    auto r = decode_machine_stop(body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().status, 400) << body;
    EXPECT_EQ(r.error().code, "invalid_stop") << body;
    EXPECT_EQ(r.error().message, sentence) << body;
  }
}

}  // namespace
}  // namespace sixpn::server::http
