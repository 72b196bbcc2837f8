#pragma once
// Shared by the handlers_*.cpp files: what a token may see, paging, decoding.
#include <string_view>

#include "server/http/decode.hpp"
#include "server/http/routes.hpp"
#include "server/http/views.hpp"

namespace sixpn::server::http {

// The caller's org named `slug`; 404 for an org that does not exist and for one the token may
// not see alike, so a token cannot even learn which other orgs exist.
const store::OrgRecord& visible_org(const Call& call, std::string_view slug);
// The app named `name` if it belongs to one of the caller's orgs; else 404 as above.
store::AppRecord visible_app(const Services& s, const Call& call, std::string_view name);

store::PageRequest page_of(const Call& call);

// Unwraps a decoder's result; its error becomes the response.
template <class T>
T decoded(Result<T> r) {
  if (!r) throw HttpException(r.error());
  return std::move(r.value());
}

inline std::int64_t seq_of(const store::AppRecord& r) {
  return r.id;
}
inline std::int64_t seq_of(const store::MachineRecord& r) {
  return r.seq;
}
inline std::int64_t seq_of(const store::PeerRecord& r) {
  return r.seq;
}
inline std::int64_t seq_of(const store::IpRecord& r) {
  return r.seq;
}

template <class T, class ToApi>
api::Json page_json(const store::PageResult<T>& page, ToApi to) {
  api::Json items = api::Json::array();
  for (const auto& item : page.items) items.push_back(to(item));
  api::Json out{{"items", std::move(items)}, {"next_cursor", nullptr}};
  if (page.more && !page.items.empty())
    out["next_cursor"] = encode_cursor(seq_of(page.items.back()));
  return out;
}

}  // namespace sixpn::server::http
