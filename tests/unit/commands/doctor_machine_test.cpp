#include "commands/doctor_machine.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

namespace sixpn::commands::doctor {
namespace {

namespace fs = std::filesystem;

MachineIdentity self() {
  return {"0e286e5d2c3a47", "my-app", "ams", "fdaa:0:1:0:c000:1:0:2"};
}

// A file in a fresh directory, removed with it.
class TempFile {
 public:
  explicit TempFile(const std::string& text) {
    dir_ = fs::temp_directory_path() / ("sixpn-doctor-" + std::to_string(::getpid()) + "-" +
                                        std::to_string(counter_++));
    fs::create_directories(dir_);
    std::ofstream(path()) << text;
  }
  ~TempFile() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string path() const { return (dir_ / "file").string(); }
  std::string missing() const { return (dir_ / "missing").string(); }

 private:
  static inline int counter_ = 0;
  fs::path dir_;
};

TEST(MachineIdentity, ComesFromTheFlyVariablesAndOnlyInsideAMachine) {
  std::map<std::string, std::string> env = {{"FLY_MACHINE_ID", "0e286e5d2c3a47"},
                                            {"FLY_APP_NAME", "my-app"},
                                            {"FLY_REGION", "ams"},
                                            {"FLY_PRIVATE_IP", "fdaa:0:1:0:c000:1:0:2"}};
  auto get = [&](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  auto id = machine_identity(get);
  ASSERT_TRUE(id);
  EXPECT_EQ(id->machine_id, "0e286e5d2c3a47");
  EXPECT_EQ(id->app, "my-app");
  EXPECT_EQ(id->region, "ams");
  EXPECT_EQ(id->private_ip, "fdaa:0:1:0:c000:1:0:2");
  env["FLY_MACHINE_ID"] = "";
  EXPECT_FALSE(machine_identity(get));
  env.erase("FLY_MACHINE_ID");
  EXPECT_FALSE(machine_identity(get));
}

TEST(ResolvConf, ListsNameserversInOrderIgnoringComments) {
  EXPECT_EQ(resolv_nameservers("# made by sixpnd\nnameserver fdaa::3\nsearch x\n"
                               "nameserver 1.1.1.1 # fallback\n;x\n  nameserver   ::1\n"),
            (std::vector<std::string>{"fdaa::3", "1.1.1.1", "::1"}));
  EXPECT_TRUE(resolv_nameservers("").empty());
}

TEST(HostsFile, FindsANamesAddressesAmongAliases) {
  const char* text =
      "127.0.0.1 localhost\n# fly-local-6pn commented\nfdaa:0:1:0:c000:1:0:2\tfly-local-6pn "
      "0e286e5d2c3a47\n::1 localhost ip6-localhost\n";
  EXPECT_EQ(hosts_addresses(text, "fly-local-6pn"),
            (std::vector<std::string>{"fdaa:0:1:0:c000:1:0:2"}));
  EXPECT_EQ(hosts_addresses(text, "localhost"), (std::vector<std::string>{"127.0.0.1", "::1"}));
  EXPECT_TRUE(hosts_addresses(text, "fly-local").empty());
}

TEST(Instances, ParsesTheInstancesTxtRecord) {
  auto list = parse_instances(
      "instance=0e286e5d2c3a47,app=web,ip=fdaa:0:1:0:c000:1:0:2,region=ams;"
      "instance=1f397f6e3d4b58,app=db,ip=fdaa:0:1:0:c000:2:0:2,region=fra");
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[1].id, "1f397f6e3d4b58");
  EXPECT_EQ(list[1].app, "db");
  EXPECT_EQ(list[1].ip, "fdaa:0:1:0:c000:2:0:2");
  EXPECT_EQ(list[1].region, "fra");
  EXPECT_TRUE(parse_instances("").empty());
}

TEST(CheckResolvConf, PassesWithFdaa3FirstAndSaysWhenOthersComeFirst) {
  TempFile good("nameserver fdaa::3\n");
  EXPECT_EQ(check_resolv_conf(good.path()).status, Status::pass);
  TempFile later("nameserver 9.9.9.9\nnameserver fdaa::3\n");
  auto c = check_resolv_conf(later.path());
  EXPECT_EQ(c.status, Status::pass);
  EXPECT_NE(c.detail.find("after 9.9.9.9"), std::string::npos) << c.detail;
  TempFile bad("nameserver 9.9.9.9\n");
  c = check_resolv_conf(bad.path());
  EXPECT_EQ(c.status, Status::fail);
  EXPECT_EQ(c.detail, bad.path() + " does not list nameserver fdaa::3 (it lists 9.9.9.9)");
  EXPECT_EQ(check_resolv_conf(bad.missing()).status, Status::fail);
}

TEST(CheckHostsFile, ComparesFlyLocal6pnWithFlyPrivateIp) {
  TempFile same("fdaa:0:1:0:c000:1:0:2 fly-local-6pn\n");
  EXPECT_EQ(check_hosts_file(same.path(), self()).status, Status::pass);
  TempFile other("fdaa:0:1:0:c000:9:0:2 fly-local-6pn\n");
  auto c = check_hosts_file(other.path(), self());
  EXPECT_EQ(c.status, Status::fail);
  EXPECT_EQ(c.detail,
            "fly-local-6pn is fdaa:0:1:0:c000:9:0:2 but FLY_PRIVATE_IP is fdaa:0:1:0:c000:1:0:2");
  TempFile none("127.0.0.1 localhost\n");
  EXPECT_EQ(check_hosts_file(none.path(), self()).detail,
            none.path() + " has no fly-local-6pn entry");
}

TEST(CheckAddress, FindsThePrivateIpOnAnInterface) {
  InterfaceAddresses addresses = {{"lo", *core::Ipv6::parse("::1")},
                                  {"eth0", *core::Ipv6::parse("fdaa:0:1:0:c000:1:0:2")}};
  auto c = check_address(self(), addresses);
  EXPECT_EQ(c.status, Status::pass);
  EXPECT_EQ(c.detail, "fdaa:0:1:0:c000:1:0:2 is on eth0");
  addresses.pop_back();
  EXPECT_EQ(check_address(self(), addresses).status, Status::fail);
  auto broken = self();
  broken.private_ip = "nope";
  EXPECT_EQ(check_address(broken, addresses).status, Status::fail);
}

// A listening socket on ::1 and an unused port next to it.
struct Listener {
  Listener() {
    fd = ::socket(AF_INET6, SOCK_STREAM, 0);
    sockaddr_in6 sa{};
    sa.sin6_family = AF_INET6;
    sa.sin6_addr = in6addr_loopback;
    ok = fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0 &&
         ::listen(fd, 4) == 0;
    socklen_t len = sizeof sa;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
    port = ntohs(sa.sin6_port);
  }
  ~Listener() {
    if (fd >= 0) ::close(fd);
  }
  int fd = -1;
  bool ok = false;
  std::uint16_t port = 0;
};

TEST(TcpProbe, TellsAConnectionFromARefusal) {
  Listener open;
  if (!open.ok) GTEST_SKIP() << "no IPv6 loopback here";
  auto loopback = *core::Ipv6::parse("::1");
  EXPECT_EQ(tcp_probe(loopback, open.port, std::chrono::seconds(5)).reach, Reach::connected);
  // A port just released by a socket of our own: nothing listens there.
  std::uint16_t closed;
  {
    Listener gone;
    closed = gone.port;
  }
  auto p = tcp_probe(loopback, closed, std::chrono::seconds(5));
  EXPECT_EQ(p.reach, Reach::refused) << p.detail;
}

}  // namespace
}  // namespace sixpn::commands::doctor
