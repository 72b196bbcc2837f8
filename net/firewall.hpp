#pragma once
// Isolation between organizations, enforced where packets cross the gateway: an nftables table
// owned by sixpnd that drops every packet from a 6PN source whose destination is outside the
// source's own org /48 — forwarded to a machine or peer, or delivered to the gateway itself
// (another org's prefix::3 must not answer either). Pairs of the same org are one set, so the
// cost per packet does not grow with the number of orgs.
#include <cstdint>
#include <set>
#include <string>

namespace sixpn::net {

// "sixpnd_<interface>", with characters nft does not take in a name replaced by '_'.
std::string firewall_table_name(const std::string& interface);

// The whole table, for `nft -f -`. It first creates and deletes the table, so loading it
// replaces any earlier version in one transaction — there is never a moment without rules.
std::string render_firewall(const std::string& table, const std::set<std::uint32_t>& networks);

class Firewall {
 public:
  explicit Firewall(std::string table) : table_(std::move(table)) {}
  ~Firewall();
  Firewall(const Firewall&) = delete;
  Firewall& operator=(const Firewall&) = delete;

  const std::string& table() const { return table_; }
  // Loads the table for these networks; a no-op when they are what was loaded last, unless
  // `force` (the periodic resync uses it to put back a table deleted by hand). Throws
  // CommandError when nft refuses it.
  void apply(const std::set<std::uint32_t>& networks, bool force = false);
  // Deletes the table (only if this object loaded it).
  void remove();

 private:
  std::string table_;
  bool loaded_ = false;
  std::set<std::uint32_t> networks_;
};

}  // namespace sixpn::net
