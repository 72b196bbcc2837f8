#include "cli/report.hpp"

#include "api/client.hpp"
#include "cli/errors.hpp"

namespace sixpn::cli {

int exit_code_for_status(long status) {
  switch (status) {
    case 401:
    case 403:
      return kExitAuth;
    case 404:
      return kExitNotFound;
    case 409:
      return kExitConflict;
    case 400:
    case 422:
      return kExitUsage;
    default:
      return kExitFailure;
  }
}

namespace {
std::string hint_for_status(long status) {
  if (status == 401) return "check the token: run 'sixpn auth login' or set SIXPN_API_TOKEN";
  if (status == 403) return "the token does not allow this; it belongs to another organization";
  if (status == 429) return "the API is rate limiting; try again shortly";
  return "";
}
}  // namespace

int report_error(Output& out, std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const CliError& e) {
    out.error(e.what(), e.hint());
    return e.exit_code();
  } catch (const api::HttpError& e) {
    std::string line = e.message;
    if (!e.request_id.empty()) line += " (request id " + e.request_id + ")";
    out.error(line, hint_for_status(e.status));
    return exit_code_for_status(e.status);
  } catch (const api::MissingToken&) {
    out.error("no API token; run 'sixpn auth login' or set SIXPN_API_TOKEN");
    return kExitAuth;
  } catch (const api::Cancelled&) {
    out.error("interrupted");
    return kExitInterrupted;
  } catch (const api::BadUrl& e) {
    out.error(e.what(), "set it with --api-url, SIXPN_API_URL or 'sixpn auth login'");
    return kExitUsage;
  } catch (const api::InsecureHttp& e) {
    out.error(e.what(),
              "serve TLS ('sixpnd serve --tls-self-signed', or --tls-cert FILE --tls-key FILE) "
              "and use an https:// URL; on a lab network, pass --insecure-http");
    return kExitUsage;
  } catch (const api::BadTlsSetting& e) {
    out.error(e.what(), "check --ca-file, SIXPN_CA_FILE and config.toml");
    return kExitUsage;
  } catch (const api::TlsFailure& e) {
    out.error(e.what(),
              "pass the CA that signed the server's certificate with --ca-file, or pin its key "
              "with 'sixpn auth login --fingerprint sha256:…' (sixpnd prints it at start)");
    return kExitFailure;
  } catch (const api::TransportError& e) {
    out.error(e.what(), "is sixpnd running there? set the URL with --api-url or SIXPN_API_URL");
    return kExitFailure;
  } catch (const api::ShapeError& e) {
    out.error(e.what(), "the server may be a different version of sixpnd than this sixpn");
    return kExitFailure;
  } catch (const std::exception& e) {
    out.error(e.what());
    return kExitFailure;
  } catch (...) {
    out.error("unexpected failure");
    return kExitFailure;
  }
}

}  // namespace sixpn::cli
