#include "dns/zone.hpp"

#include <algorithm>
#include <functional>
#include <limits>
#include <set>

#include "core/dns/name.hpp"
#include "core/geo.hpp"

namespace sixpn::dns {

namespace {

using core::dns::iequals;
using Machines = std::vector<const MachineInfo*>;

const AppInfo* find_app(const OrgZone& org, std::string_view name, bool in_org_only) {
  for (const auto& app : org.apps) {
    if ((app.in_org || !in_org_only) && iequals(app.name, name)) return &app;
  }
  return nullptr;
}

Machines started_of(const OrgZone& org, const AppInfo& app,
                    const std::function<bool(const MachineInfo&)>& keep) {
  Machines out;
  for (const auto& m : org.machines) {
    if (m.started && m.app == app.name && keep(m)) out.push_back(&m);
  }
  return out;
}

NameData addresses(const Machines& machines) {
  NameData d{true, {}, std::nullopt};
  for (const auto* m : machines) d.aaaa.push_back(m->address);
  std::sort(d.aaaa.begin(), d.aaaa.end());
  d.aaaa.erase(std::unique(d.aaaa.begin(), d.aaaa.end()), d.aaaa.end());
  return d;
}

// A comma-separated list, always one TXT record: clients written for Fly read an empty string
// as "none" and fail on an answer with no record at all.
NameData txt_list(const std::vector<std::string>& items, std::string_view separator = ",") {
  NameData d{true, {}, std::nullopt};
  std::string joined;
  for (const auto& item : items) {
    if (!joined.empty()) joined += separator;
    joined += item;
  }
  d.txt = std::move(joined);
  return d;
}

const NameData kEmptyNonTerminal{true, {}, std::nullopt};
const NameData kNxdomain{false, {}, std::nullopt};

NameData apps_txt(const OrgZone& org) {
  std::vector<std::string> names;
  for (const auto& app : org.apps) {
    if (app.in_org) names.push_back(app.name);
  }
  std::sort(names.begin(), names.end());
  return txt_list(names);
}

NameData peers_txt(const OrgZone& org) {
  std::vector<std::string> names;
  for (const auto& p : org.peers) {
    // The seed: interactive-* peers are filtered out of the list because of their sheer number.
    bool interactive =
        p.name.size() >= kInteractivePrefix.size() &&
        iequals(std::string_view(p.name).substr(0, kInteractivePrefix.size()), kInteractivePrefix);
    if (!interactive) names.push_back(p.name);
  }
  std::sort(names.begin(), names.end());
  return txt_list(names);
}

NameData instances_txt(const OrgZone& org) {
  Machines started;
  for (const auto& m : org.machines) {
    if (m.started && find_app(org, m.app, true)) started.push_back(&m);
  }
  std::sort(started.begin(), started.end(), [](const auto* a, const auto* b) {
    return std::tie(a->app, a->id) < std::tie(b->app, b->id);
  });
  std::vector<std::string> items;
  for (const auto* m : started) {
    items.push_back("instance=" + m->id + ",app=" + m->app + ",ip=" + m->address.str() +
                    ",region=" + m->region);
  }
  return txt_list(items, ";");
}

NameData peer_aaaa(const OrgZone& org, std::string_view name) {
  for (const auto& p : org.peers) {
    if (iequals(p.name, name)) return NameData{true, {p.address}, std::nullopt};
  }
  return kNxdomain;
}

NameData nearest(const Snapshot& snapshot, const Machines& machines, std::size_t n,
                 const std::optional<std::string>& from) {
  const RegionInfo* origin = nullptr;
  if (from) {
    if (auto it = snapshot.regions.find(*from); it != snapshot.regions.end()) origin = &it->second;
  }
  struct Ranked {
    double km;
    const MachineInfo* machine;
  };
  std::vector<Ranked> ranked;
  for (const auto* m : machines) {
    double km = 0;  // no origin: every machine is equally near, the tie-break decides
    if (origin) {
      auto it = snapshot.regions.find(m->region);
      km = it == snapshot.regions.end() ? std::numeric_limits<double>::infinity()
                                        : great_circle_km(*origin, it->second);
    }
    ranked.push_back({km, m});
  }
  std::sort(ranked.begin(), ranked.end(), [](const Ranked& a, const Ranked& b) {
    return std::tie(a.km, a.machine->region, a.machine->id) <
           std::tie(b.km, b.machine->region, b.machine->id);
  });
  if (ranked.size() > n) ranked.resize(n);
  Machines chosen;
  for (const auto& r : ranked) chosen.push_back(r.machine);
  return addresses(chosen);
}

// Everything below <app>.internal; `sub` is the labels left of the app name, leftmost first.
NameData lookup_app(const Snapshot& snapshot, const OrgZone& org, const AppInfo& app,
                    const std::vector<std::string>& sub, const std::optional<std::string>& from) {
  auto all = [](const MachineInfo&) { return true; };
  const std::size_t n = sub.size();
  if (n == 0) return addresses(started_of(org, app, all));
  const std::string& last = sub[n - 1];
  if (n == 1) {
    if (iequals(last, "global")) return addresses(started_of(org, app, all));
    if (iequals(last, "vms")) {
      auto machines = started_of(org, app, all);
      std::sort(machines.begin(), machines.end(),
                [](const auto* a, const auto* b) { return a->id < b->id; });
      std::vector<std::string> items;
      for (const auto* m : machines) items.push_back(m->id + " " + m->region);
      return txt_list(items);
    }
    if (iequals(last, "regions")) {
      std::set<std::string> regions;
      for (const auto* m : started_of(org, app, all)) regions.insert(m->region);
      return txt_list({regions.begin(), regions.end()});
    }
    if (iequals(last, "vm") || iequals(last, "process") || iequals(last, "_metadata") ||
        iequals(last, "of")) {
      return kEmptyNonTerminal;
    }
    auto in_region =
        started_of(org, app, [&](const MachineInfo& m) { return iequals(m.region, last); });
    bool known = false;
    for (const auto& [code, info] : snapshot.regions) known = known || iequals(code, last);
    if (known || !in_region.empty()) return addresses(in_region);
    return kNxdomain;
  }
  const std::string& second = sub[n - 2];
  if (iequals(last, "vm") && n == 2) {
    auto one = started_of(org, app, [&](const MachineInfo& m) { return iequals(m.id, second); });
    return one.empty() ? kNxdomain : addresses(one);
  }
  if (iequals(last, "process") && n == 2) {
    auto group = started_of(org, app,
                            [&](const MachineInfo& m) { return iequals(m.process_group, second); });
    return group.empty() ? kNxdomain : addresses(group);
  }
  if (iequals(last, "of") && iequals(second, "nearest")) {
    if (n == 2) return kEmptyNonTerminal;
    auto top = parse_top(sub[n - 3]);
    if (n == 3 && top) return nearest(snapshot, started_of(org, app, all), *top, from);
    return kNxdomain;
  }
  if (iequals(last, "_metadata") && iequals(second, "kv")) {
    if (n == 2) return kEmptyNonTerminal;
    const std::string& key = sub[n - 3];
    auto has_key = [&](const MachineInfo& m) {
      for (const auto& [k, v] : m.metadata) {
        if (iequals(k, key)) return true;
      }
      return false;
    };
    if (n == 3) return started_of(org, app, has_key).empty() ? kNxdomain : kEmptyNonTerminal;
    if (n == 4) {
      const std::string& value = sub[0];
      auto matching = started_of(org, app, [&](const MachineInfo& m) {
        for (const auto& [k, v] : m.metadata) {
          if (iequals(k, key) && iequals(v, value)) return true;
        }
        return false;
      });
      return matching.empty() ? kNxdomain : addresses(matching);
    }
  }
  return kNxdomain;
}

}  // namespace

NameData lookup_internal(const Snapshot& snapshot, const OrgZone& org,
                         const std::vector<std::string>& labels,
                         const std::optional<std::string>& from) {
  const std::size_t n = labels.size();
  if (n == 0) return kEmptyNonTerminal;  // the apex; its SOA is the resolver's business
  const std::string& top = labels[n - 1];
  const auto listed = [](const std::optional<std::string>& txt) {
    return NameData{true, {}, txt};
  };
  if (iequals(top, "_peer")) {
    if (n == 1) return org.lists ? listed(org.lists->peers) : peers_txt(org);
    if (n == 2) return peer_aaaa(org, labels[0]);
    return kNxdomain;
  }
  if (n == 1 && iequals(top, "_apps")) return org.lists ? listed(org.lists->apps) : apps_txt(org);
  if (n == 1 && iequals(top, "_instances")) {
    return org.lists ? listed(org.lists->instances) : instances_txt(org);
  }
  const AppInfo* app = find_app(org, top, true);
  if (!app) return kNxdomain;
  std::vector<std::string> sub(labels.begin(), labels.end() - 1);
  return lookup_app(snapshot, org, *app, sub, from);
}

void precompute_lists(Snapshot& snapshot) {
  for (auto& [network, org] : snapshot.by_network) {
    org.lists = OrgZone::Lists{apps_txt(org).txt, peers_txt(org).txt, instances_txt(org).txt};
  }
}

NameData lookup_flycast(const OrgZone& org, const std::vector<std::string>& labels) {
  if (labels.empty()) return kEmptyNonTerminal;
  if (labels.size() != 1) return kNxdomain;
  const AppInfo* app = find_app(org, labels[0], false);
  if (!app || app->flycast.empty()) return kNxdomain;
  NameData d{true, app->flycast, std::nullopt};
  std::sort(d.aaaa.begin(), d.aaaa.end());
  return d;
}

std::optional<std::string> region_of(const OrgZone& org, const core::Ipv6& source) {
  for (const auto& m : org.machines) {
    if (core::in_prefix(source, m.address, 112)) return m.region;
  }
  for (const auto& p : org.peers) {
    if (core::in_prefix(source, p.address, 120)) return p.region;
  }
  return std::nullopt;
}

double great_circle_km(const RegionInfo& a, const RegionInfo& b) {
  return core::great_circle_km({a.latitude, a.longitude}, {b.latitude, b.longitude});
}

std::optional<std::size_t> parse_top(std::string_view label) {
  if (label.size() < 4 || label.size() > 12 || !iequals(label.substr(0, 3), "top")) {
    return std::nullopt;
  }
  std::string_view digits = label.substr(3);
  if (digits.front() == '0') return std::nullopt;
  std::size_t n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::size_t>(c - '0');
  }
  return n;
}

}  // namespace sixpn::dns
