// Handlers: regions, orgs, the caller's own token, and the helpers every handler shares.
#include "server/http/handlers.hpp"

namespace sixpn::server::http {

const store::OrgRecord& visible_org(const Call& call, std::string_view slug) {
  const auto* org = call.principal != nullptr ? call.principal->org(slug) : nullptr;
  if (org == nullptr) throw HttpException(not_found("org " + printable(slug, 80) + " not found"));
  return *org;
}

store::AppRecord visible_app(const Services& s, const Call& call, std::string_view name) {
  auto app = s.store.find_app(name);
  if (!app || call.principal == nullptr || call.principal->org_by_id(app->org.id) == nullptr) {
    throw HttpException(not_found("app " + printable(name, 80) + " not found"));
  }
  return *app;
}

store::PageRequest page_of(const Call& call) {
  return decoded(decode_page(call.query_value("limit"), call.query_value("cursor")));
}

Reply list_regions(const Services& s, const Call& call) {
  // Regions are few and fixed while the server runs: the cursor is a position in the list.
  auto page = page_of(call);
  const auto& all = s.regions.all();
  api::RegionList out;
  out.nearest = s.regions.nearest();
  auto begin = static_cast<std::size_t>(std::min<std::int64_t>(page.after, all.size()));
  auto end = std::min(all.size(), begin + static_cast<std::size_t>(page.limit));
  for (auto i = begin; i < end; ++i) out.items.push_back(all[i].region);
  if (end < all.size()) out.next_cursor = encode_cursor(static_cast<std::int64_t>(end));
  return Reply{200, out};
}

Reply list_orgs(const Services&, const Call& call) {
  // A token sees a handful of orgs; paging is accepted for the contract's sake.
  auto page = page_of(call);
  store::PageResult<store::OrgRecord> result;
  for (const auto& org : call.principal->orgs) {
    if (org.id <= page.after) continue;
    if (static_cast<int>(result.items.size()) == page.limit) {
      result.more = true;
      break;
    }
    result.items.push_back(org);
  }
  api::Json items = api::Json::array();
  for (const auto& org : result.items) items.push_back(to_api(org));
  api::Json out{{"items", std::move(items)}, {"next_cursor", nullptr}};
  if (result.more) out["next_cursor"] = encode_cursor(result.items.back().id);
  return Reply{200, out};
}

Reply show_current_token(const Services&, const Call& call) {
  // The principal was read from the database for this very request, so this is the token's
  // state now (a revoked or expired token never gets here: it is answered 401).
  const auto& p = *call.principal;
  api::TokenInfo out{p.token_id, p.token_name, {}, p.created_at, p.expires_at};
  for (const auto& org : p.orgs) out.orgs.push_back(to_api(org));
  return Reply{200, out};
}

}  // namespace sixpn::server::http
