#include "host/image_layout.hpp"

#include <gtest/gtest.h>

namespace sixpn::host {
namespace {

const std::string kHex = "c274defb6a64050463179ee8521c10b5fbc00d1a86a34176a863b62f28ca8732";
const std::string kDigest = "sha256:" + kHex;

std::string index_with(const std::string& tags_json) {
  return R"({"schemaVersion":2,"manifests":[)" + tags_json + "]}";
}
std::string manifest_entry(const std::string& tag, const std::string& digest) {
  return R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" + digest +
         R"(","size":349,"annotations":{"org.opencontainers.image.ref.name":")" + tag + R"("}})";
}

TEST(ImageRef, TheTagFollowsTheLastColonAfterTheLastSlash) {
  EXPECT_EQ(parse_image_ref("/srv/images/web:v2"), (ImageRef{"/srv/images/web", "v2"}));
  EXPECT_EQ(parse_image_ref("/srv/images/web"), (ImageRef{"/srv/images/web", "latest"}));
  EXPECT_EQ(parse_image_ref("/srv/a:b/web"), (ImageRef{"/srv/a:b/web", "latest"}));
  EXPECT_EQ(parse_image_ref("/srv/a:b/web:1.0"), (ImageRef{"/srv/a:b/web", "1.0"}));
}

TEST(ManifestDigest, FindsTheTagsManifest) {
  auto index = index_with(manifest_entry("v1", "sha256:" + std::string(64, 'a')) + "," +
                          manifest_entry("latest", kDigest));
  auto found = manifest_digest(index, "latest");
  EXPECT_EQ(found.problem, "");
  EXPECT_EQ(found.digest, kDigest);
}

TEST(ManifestDigest, AMissingTagNamesTheTagsThereAre) {
  auto index = index_with(manifest_entry("v2", kDigest) + "," + manifest_entry("v1", kDigest));
  EXPECT_EQ(manifest_digest(index, "latest").problem,
            "it has no tag \"latest\" (its tags: v1, v2)");
  EXPECT_EQ(manifest_digest(index_with(""), "latest").problem,
            "it has no tag \"latest\" (it has no tags)");
}

TEST(ManifestDigest, WhatIsNoIndexOrNoSafeDigestIsSaid) {
  for (const char* text : {"", "{", "[]", R"({"manifests":{}})"}) {
    EXPECT_EQ(manifest_digest(text, "latest").problem, "its index.json is not an OCI image index")
        << text;
  }
  EXPECT_EQ(
      manifest_digest(index_with(manifest_entry("latest", "sha256:../../etc/passwd")), "latest")
          .problem,
      "its tag \"latest\" names no sha256 manifest digest");
}

TEST(BlobPath, OnlyWellFormedSha256DigestsNameABlob) {
  EXPECT_EQ(blob_path(kDigest), "sha256/" + kHex);
  EXPECT_EQ(blob_path("sha512:" + kHex), std::nullopt);
  EXPECT_EQ(blob_path("sha256:" + kHex.substr(1)), std::nullopt);
  EXPECT_EQ(blob_path("sha256:../" + kHex.substr(3)), std::nullopt);
  EXPECT_EQ(blob_path("sha256:" + std::string(64, 'A')), std::nullopt);
}

TEST(ConfigDigest, ComesFromTheManifestsConfigDescriptor) {
  auto found = config_digest(R"({"schemaVersion":2,"config":{"digest":")" + kDigest + R"("}})");
  EXPECT_EQ(found.problem, "");
  EXPECT_EQ(found.digest, kDigest);
  EXPECT_EQ(config_digest("{}").problem, "its manifest is not an OCI image manifest");
  EXPECT_EQ(config_digest(R"({"config":{"digest":"md5:1"}})").problem,
            "its manifest names no sha256 config digest");
}

TEST(ImageConfig, ReadsEntrypointCmdEnvAndWorkingDir) {
  auto d = parse_image_config(
      R"({"architecture":"amd64","config":{"Entrypoint":["/init"],"Cmd":["serve","-v"],)"
      R"("Env":["PATH=/bin","MODE=image"],"WorkingDir":"/srv"}})");
  EXPECT_EQ(d.entrypoint, std::vector<std::string>{"/init"});
  EXPECT_EQ(d.cmd, (std::vector<std::string>{"serve", "-v"}));
  EXPECT_EQ(d.env, (std::vector<std::string>{"PATH=/bin", "MODE=image"}));
  EXPECT_EQ(d.working_dir, "/srv");
  EXPECT_EQ(parse_image_config(R"({"architecture":"amd64"})"), ImageDefaults{});
  EXPECT_THROW(parse_image_config("nope"), std::invalid_argument);
  EXPECT_THROW(parse_image_config(R"({"config":{"Cmd":"serve"}})"), std::invalid_argument);
}

TEST(ImageCommand, InitCmdReplacesCmdAndKeepsTheEntrypointAsFlyDoes) {
  ImageDefaults image{{"/init"}, {"serve"}, {}, ""};
  EXPECT_EQ(image_command(image, {}), (std::vector<std::string>{"/init", "serve"}));
  EXPECT_EQ(image_command(image, {"debug", "-x"}),
            (std::vector<std::string>{"/init", "debug", "-x"}));
  EXPECT_EQ(image_command(ImageDefaults{{}, {"/bin/sh"}, {}, ""}, {}),
            std::vector<std::string>{"/bin/sh"});
  EXPECT_TRUE(image_command(ImageDefaults{}, {}).empty());
}

TEST(PlanImage, ACachedManifestIsUsedAsItIs) {
  auto plan = plan_image({"/srv/web", "v2"}, kDigest, "/var/lib/h/images", true, "1");
  EXPECT_EQ(plan.kind, ImagePlan::Kind::UseCache);
  EXPECT_EQ(plan.rootfs, "/var/lib/h/images/" + kHex + "/rootfs");
  EXPECT_TRUE(plan.umoci_argv.empty());
}

TEST(PlanImage, AnotherIsUnpackedBesideTheCacheAndThenMovedIn) {
  auto plan = plan_image({"/srv/web", "v2"}, kDigest, "/var/lib/h/images", false, "77-1");
  EXPECT_EQ(plan.kind, ImagePlan::Kind::Unpack);
  EXPECT_EQ(plan.cache_dir, "/var/lib/h/images/" + kHex);
  EXPECT_EQ(plan.unpack_dir, "/var/lib/h/images/.unpack-" + kHex + "-77-1");
  EXPECT_EQ(plan.umoci_argv, (std::vector<std::string>{"umoci", "unpack", "--image", "/srv/web:v2",
                                                       plan.unpack_dir}));
  EXPECT_EQ(plan.unpacked_marker, "sha256_" + kHex + ".mtree");
  EXPECT_EQ(plan.rootfs, plan.cache_dir + "/rootfs");
}

}  // namespace
}  // namespace sixpn::host
