#include "cli/report.hpp"

#include <gtest/gtest.h>

#include "api/client.hpp"
#include "capture.hpp"
#include "cli/errors.hpp"

namespace sixpn::cli {
namespace {

struct Reported {
  int code;
  std::string err;
};

template <class E>
Reported report(const E& error) {
  testing::Capture out, err;
  Output o(out.file(), err.file());
  int code = report_error(o, std::make_exception_ptr(error));
  EXPECT_EQ(out.text(), "") << "errors never go to stdout";
  return {code, err.text()};
}

TEST(Report, HttpStatusesMapToDocumentedExitCodes) {
  EXPECT_EQ(exit_code_for_status(401), 3);
  EXPECT_EQ(exit_code_for_status(403), 3);
  EXPECT_EQ(exit_code_for_status(404), 4);
  EXPECT_EQ(exit_code_for_status(409), 5);
  EXPECT_EQ(exit_code_for_status(400), 2);
  EXPECT_EQ(exit_code_for_status(422), 2);
  EXPECT_EQ(exit_code_for_status(500), 1);
  EXPECT_EQ(exit_code_for_status(503), 1);
}

TEST(Report, ApiErrorShowsTheServersSentenceAndRequestId) {
  auto r = report(api::HttpError(404, "org acme has no peer named x", "not_found", "abc123"));
  EXPECT_EQ(r.code, 4);
  EXPECT_EQ(r.err, "Error: org acme has no peer named x (request id abc123)\n");
}

TEST(Report, UnauthorizedAddsAHint) {
  auto r = report(api::HttpError(401, "the token is not valid", "unauthorized", ""));
  EXPECT_EQ(r.code, 3);
  EXPECT_EQ(r.err,
            "Error: the token is not valid\n"
            "hint: check the token: run 'sixpn auth login' or set SIXPN_API_TOKEN\n");
}

TEST(Report, MissingTokenIsAnAuthError) {
  auto r = report(api::MissingToken());
  EXPECT_EQ(r.code, 3);
  EXPECT_EQ(r.err, "Error: no API token; run 'sixpn auth login' or set SIXPN_API_TOKEN\n");
}

TEST(Report, InterruptedIs130) {
  EXPECT_EQ(report(api::Cancelled()).code, 130);
  EXPECT_EQ(report(Interrupted()).code, 130);
}

TEST(Report, TransportAndShapeErrorsAreFailures) {
  auto t = report(api::TransportError("cannot reach the API at http://x: refused"));
  EXPECT_EQ(t.code, 1);
  EXPECT_EQ(t.err.rfind("Error: cannot reach the API at http://x: refused\nhint: ", 0), 0u);
  EXPECT_EQ(report(api::ShapeError("missing field \"id\"")).code, 1);
}

TEST(Report, TypedCliErrorsKeepTheirCodeAndHint) {
  auto r = report(UsageError("bad name", "try another"));
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "Error: bad name\nhint: try another\n");
  EXPECT_EQ(report(Conflict("exists")).code, 5);
  EXPECT_EQ(report(NotFound("gone")).code, 4);
}

TEST(Report, AServerSentenceCannotBreakTheLine) {
  auto r = report(api::HttpError(400, "bad\nError: fake\r", "x", ""));
  EXPECT_EQ(r.err, "Error: bad Error: fake\n");
}

}  // namespace
}  // namespace sixpn::cli
