#pragma once
// Shared by both stores: which transaction this thread has open, so that a nested call joins it.

namespace sixpn::server::store {

// Sets the thread's transaction context and clears it however the scope is left.
template <class Context, class Conn>
class TxScopeGuard {
 public:
  TxScopeGuard(Context& ctx, const void* store, Conn* conn, bool writing) : ctx_(ctx) {
    ctx_.store = store;
    ctx_.conn = conn;
    ctx_.writing = writing;
    ctx_.depth = 0;
  }
  ~TxScopeGuard() { ctx_ = Context{}; }
  TxScopeGuard(const TxScopeGuard&) = delete;
  TxScopeGuard& operator=(const TxScopeGuard&) = delete;

 private:
  Context& ctx_;
};

}  // namespace sixpn::server::store
