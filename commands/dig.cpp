// sixpn dig [TYPE] NAME: ask the org's DNS server (or --server) one question and show the reply
// the way dig does, one value per line (--short), or as JSON (--json).
#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/context.hpp"
#include "cli/errors.hpp"
#include "cli/resolve.hpp"
#include "commands/commands.hpp"
#include "commands/dns_client.hpp"
#include "core/dns/endpoint.hpp"
#include "core/dns/text.hpp"

namespace sixpn::commands {

namespace w = core::dns;

namespace {

constexpr std::uint16_t kDnsPort = 53;
constexpr std::uint16_t kAdvertisedUdpSize = 1232;  // what dig sends: fits any path's MTU

struct DigOptions {
  std::vector<std::string> args;  // [TYPE] NAME
  std::string server;
  bool short_form = false;
  bool tcp = false;
};

struct Question {
  w::Name name;
  std::uint16_t type = w::type::AAAA;
};

// `[TYPE] NAME`, and dig's own `NAME TYPE` order too.
Question parse_question(const std::vector<std::string>& args) {
  Question q;
  std::string name_text = args.back();
  if (args.size() == 2) {
    auto first = w::parse_type(args[0]);
    auto second = w::parse_type(args[1]);
    if (first) {
      q.type = *first;
    } else if (second) {
      q.type = *second;
      name_text = args[0];
    } else {
      throw cli::UsageError("unknown record type \"" + args[0] + "\"",
                            "use A, AAAA, TXT, SOA, NS, CNAME, PTR, MX, SRV, ANY or TYPE<n>");
    }
  }
  // An empty argument would otherwise parse as the root name and ask a server for ".".
  if (name_text.empty()) {
    throw cli::UsageError("the name to look up is empty", "pass a name, or \".\" for the root");
  }
  auto name = w::Name::parse(name_text);
  if (!name) {
    throw cli::UsageError("\"" + name_text + "\" is not a valid DNS name",
                          "labels are 1 to 63 bytes, the whole name at most 255");
  }
  if (q.type == w::type::OPT || q.type == w::type::AXFR || q.type == w::type::IXFR) {
    throw cli::UsageError(w::type_name(q.type) + " cannot be asked with sixpn dig");
  }
  q.name = std::move(*name);
  return q;
}

w::Endpoint choose_server(const DigOptions& o, cli::Context& ctx) {
  if (!o.server.empty()) {
    auto endpoint = w::parse_endpoint(o.server, kDnsPort);
    if (!endpoint) {
      throw cli::UsageError("--server \"" + o.server + "\" is not ADDR or ADDR:PORT",
                            "for example 127.0.0.1:5353, [::1]:5353 or fdaa:0:18::3");
    }
    return *endpoint;
  }
  return org_dns_endpoint(ctx.client().orgs(), cli::resolve_org(ctx));
}

std::string flags_of(const w::Header& h) {
  std::string out;
  auto add = [&](bool on, const char* name) {
    if (!on) return;
    if (!out.empty()) out += " ";
    out += name;
  };
  add(h.qr, "qr");
  add(h.aa, "aa");
  add(h.tc, "tc");
  add(h.rd, "rd");
  add(h.ra, "ra");
  add(h.ad, "ad");
  add(h.cd, "cd");
  return out;
}

std::string dig_text(const DnsExchange& ex, const w::Endpoint& server, const std::string& args) {
  const auto& m = ex.reply;
  std::string out = "; <<>> sixpn dig <<>> " + args + "\n";
  out += ";; ->>HEADER<<- opcode: " + std::string(m.header.opcode == 0 ? "QUERY" : "OTHER") +
         ", status: " + w::rcode_name(m.header.rcode) + ", id: " + std::to_string(m.header.id) +
         "\n";
  out += ";; flags: " + flags_of(m.header) + "; QUERY: " + std::to_string(m.questions.size()) +
         ", ANSWER: " + std::to_string(m.answers.size()) +
         ", AUTHORITY: " + std::to_string(m.authority.size()) +
         ", ADDITIONAL: " + std::to_string(m.additional.size() + (m.edns ? 1 : 0)) + "\n";
  if (m.edns) {
    out += "\n;; OPT PSEUDOSECTION:\n; EDNS: version: " + std::to_string(m.edns->version) +
           ", flags:" + (m.edns->dnssec_ok ? " do" : "") +
           "; udp: " + std::to_string(m.edns->udp_size) + "\n";
  }
  out += "\n;; QUESTION SECTION:\n";
  for (const auto& q : m.questions) {
    out +=
        ";" + q.name.str() + "\t\t" + w::class_name(q.qclass) + "\t" + w::type_name(q.qtype) + "\n";
  }
  auto section = [&](const char* title, const std::vector<w::Record>& records) {
    if (records.empty()) return;
    out += std::string("\n;; ") + title + " SECTION:\n";
    for (const auto& r : records) out += w::record_str(r) + "\n";
  };
  section("ANSWER", m.answers);
  section("AUTHORITY", m.authority);
  section("ADDITIONAL", m.additional);
  out += "\n;; Query time: " + std::to_string(ex.elapsed.count() / 1000) + " msec\n";
  out += ";; SERVER: " + server.str() + " (" + (ex.tcp ? "TCP" : "UDP") + ")\n";
  if (ex.retried_tcp) out += ";; Truncated over UDP, retried over TCP\n";
  out += ";; MSG SIZE  rcvd: " + std::to_string(ex.reply_size) + "\n";
  return out;
}

// --short: the answer's values only; a TXT record's strings are joined back into one value.
std::string short_value(const w::Record& r) {
  if (const auto* txt = std::get_if<w::Txt>(&r.data)) {
    std::string joined;
    for (const auto& s : *txt) joined += s;
    return joined;
  }
  return w::rdata_str(r);
}

nlohmann::json record_json(const w::Record& r) {
  nlohmann::json j = {{"name", r.name.str()},
                      {"ttl", r.ttl},
                      {"class", w::class_name(r.klass)},
                      {"type", w::type_name(r.type)},
                      {"data", w::rdata_str(r)}};
  if (const auto* txt = std::get_if<w::Txt>(&r.data)) {
    j["strings"] = *txt;
    j["text"] = short_value(r);
  }
  return j;
}

nlohmann::json dig_json(const DnsExchange& ex, const w::Endpoint& server) {
  const auto& m = ex.reply;
  auto records = [](const std::vector<w::Record>& rs) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& r : rs) a.push_back(record_json(r));
    return a;
  };
  nlohmann::json flags = nlohmann::json::array();
  std::string f = flags_of(m.header);
  for (std::size_t at = 0; at < f.size();) {
    auto space = f.find(' ', at);
    flags.push_back(f.substr(at, space - at));
    at = space == std::string::npos ? f.size() : space + 1;
  }
  nlohmann::json question = nlohmann::json::object();
  if (!m.questions.empty()) {
    question = {{"name", m.questions[0].name.str()},
                {"type", w::type_name(m.questions[0].qtype)},
                {"class", w::class_name(m.questions[0].qclass)}};
  }
  return {{"server", server.str()},
          {"transport", ex.tcp ? "tcp" : "udp"},
          {"retried_over_tcp", ex.retried_tcp},
          {"id", m.header.id},
          {"status", w::rcode_name(m.header.rcode)},
          {"flags", flags},
          {"query_time_ms", ex.elapsed.count() / 1000.0},
          {"question", question},
          {"answer", records(m.answers)},
          {"authority", records(m.authority)},
          {"additional", records(m.additional)}};
}

void run_dig(const DigOptions& o, cli::Context& ctx) {
  Question q = parse_question(o.args);
  w::Endpoint server = choose_server(o, ctx);

  w::Message query;
  query.header.id = static_cast<std::uint16_t>(std::random_device{}());
  query.header.rd = true;
  query.questions.push_back({q.name, q.type, w::klass::IN});
  query.edns = w::Edns{kAdvertisedUdpSize, 0, false, {}};

  double seconds = std::min(ctx.options.timeout_seconds, 5.0);
  auto timeout = std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
  DnsExchange ex = dns_exchange(server, query, o.tcp, timeout);

  std::string shown_args = w::type_name(q.type) + " " + q.name.str() + " @" + server.str();
  if (ctx.out.json()) {
    ctx.out.json_document(dig_json(ex, server));
  } else if (o.short_form) {
    std::string lines;
    for (const auto& r : ex.reply.answers) lines += short_value(r) + "\n";
    ctx.out.raw(lines);
  } else {
    ctx.out.raw(dig_text(ex, server, shown_args));
  }
  const auto rcode = ex.reply.header.rcode;
  if (rcode == w::rcode::NXDOMAIN) {
    throw cli::NotFound(q.name.str() + " does not exist (NXDOMAIN)");
  }
  if (rcode != w::rcode::NOERROR) {
    throw cli::Failure("the server answered " + w::rcode_name(rcode) + " for " + q.name.str());
  }
}

}  // namespace

void add_dig(CLI::App& root, cli::Context& ctx) {
  auto opts = std::make_shared<DigOptions>();
  auto* cmd = root.add_subcommand("dig", "Look up a name in the org's .internal DNS (or any DNS)");
  cmd->add_option("args", opts->args, "[TYPE] NAME; TYPE is AAAA unless given")
      ->required()
      ->expected(1, 2);
  cmd->add_option("--server,-s", opts->server,
                  "DNS server ADDR[:PORT] (default: the org's <prefix>::3, port 53)");
  cli::add_org_flag(*cmd, ctx);
  cmd->add_flag("--short", opts->short_form, "Print only the answer's values, one per line");
  cmd->add_flag("--tcp", opts->tcp, "Ask over TCP (otherwise UDP, and TCP when truncated)");
  cmd->footer(
      "\nExamples:\n"
      "  sixpn dig my-app.internal --server 127.0.0.1:5353\n"
      "  sixpn dig txt _apps.internal --short\n"
      "  sixpn dig top2.nearest.of.my-app.internal --json\n"
      "\nExit codes: 0 answered, 4 NXDOMAIN, 1 no answer or another error status, 2 bad "
      "arguments.");
  cmd->callback([opts, &ctx] { run_dig(*opts, ctx); });
}

}  // namespace sixpn::commands
