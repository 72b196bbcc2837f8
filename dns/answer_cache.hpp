#pragma once
// Replies made once per snapshot. resolve() is a pure function of the snapshot, the query and
// the context, and of the query it reads only the name (case-insensitively), type, class, the
// presence of EDNS with its DO bit and version, the UDP size (which only picks the full or the
// truncated form) and the id, RD and CD bits and the name's case (which it copies back). So
// the first query of a kind is answered by resolve() on a canonical form of it (id 0, RD and
// CD clear, the name lower-cased, EDNS size 512), and every later one gets those bytes with
// its own id, RD, CD and name copied in: byte for byte what resolve() would have said.
//
// The key holds everything else resolve() reads: the querier's source address and the
// listener's pinned org (which choose the org, and the region for nearest), whether an
// upstream is configured, and the query's name, type, class and EDNS flags. The cache belongs
// to one snapshot and is emptied as soon as another one is passed in; it holds that snapshot
// so it cannot be freed and another one land at the same address.
//
// Queries of any other shape (compressed names, extra records, EDNS versions other than 0,
// opcodes other than QUERY, responses, malformed ones) and names whose answer is not a reply
// (forwarded upstream) are left to resolve(). Not thread-safe: one per serving thread.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "dns/resolver.hpp"
#include "dns/snapshot.hpp"

namespace sixpn::dns {

class AnswerCache {
 public:
  // Past this many bytes of cached replies the cache starts again empty, so a stream of
  // distinct names (random ones, say) cannot grow it without bound.
  explicit AnswerCache(std::size_t max_bytes = 4 << 20) : max_bytes_(max_bytes) {}

  // True with `reply` set to exactly what resolve(wire, *snapshot, ctx) would reply; false
  // when the query is not one the cache serves (then call resolve()).
  bool answer(std::span<const std::uint8_t> wire, const SnapshotPtr& snapshot,
              const QueryContext& ctx, std::vector<std::uint8_t>& reply);

  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    bool cacheable = false;               // false: resolve() did not reply (e.g. forwarded)
    std::vector<std::uint8_t> full;       // the reply as it is over TCP
    std::vector<std::uint8_t> truncated;  // the UDP reply when `full` exceeds 512 bytes
  };
  Entry make(std::span<const std::uint8_t> canonical, std::size_t question_end,
             const QueryContext& ctx) const;

  std::size_t max_bytes_;
  std::size_t bytes_ = 0;
  SnapshotPtr snapshot_;
  std::unordered_map<std::string, Entry> entries_;
  std::string key_;                      // reused, to spare an allocation per query
  std::vector<std::uint8_t> canonical_;  // likewise
};

}  // namespace sixpn::dns
