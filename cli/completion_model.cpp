#include <CLI/CLI.hpp>

#include "cli/completion.hpp"

namespace sixpn::cli {

ValueKind ValueKind::from_type_name(const std::string& type_name) {
  auto colon = type_name.find(':');
  std::string base = type_name.substr(0, colon);
  if (colon != std::string::npos) {
    std::string rest = type_name.substr(colon + 1);
    if (rest.size() > 2 && rest.front() == '{' && rest.back() == '}') {
      std::string words = rest.substr(1, rest.size() - 2);
      for (auto& c : words) c = c == ',' ? ' ' : c;
      return {kWords, words};
    }
  }
  if (base == "FILE") return {kFile, ""};
  if (base == "ORG") return {kDynamic, "orgs"};
  if (base == "REGION") return {kDynamic, "regions"};
  if (base == "APP") return {kDynamic, "apps"};
  return {};
}

std::string ValueKind::encoded() const {
  switch (type) {
    case kFile:
      return "file";
    case kWords:
      return "words:" + arg;
    case kDynamic:
      return "dynamic:" + arg;
    default:
      return "";
  }
}

namespace {

bool visible(const CLI::App* app) {
  return !app->get_group().empty();
}

std::vector<FlagSpec> own_flags(const CLI::App& app) {
  std::vector<FlagSpec> out;
  for (const CLI::Option* opt : app.get_options()) {
    if (opt->get_positional() && opt->get_lnames().empty() && opt->get_snames().empty()) continue;
    if (opt->get_group().empty()) continue;
    FlagSpec f;
    for (const auto& l : opt->get_lnames()) f.names.push_back("--" + l);
    for (const auto& s : opt->get_snames()) f.names.push_back("-" + s);
    if (f.names.empty()) continue;
    f.takes_value = opt->get_items_expected_max() > 0;
    if (f.takes_value) f.kind = ValueKind::from_type_name(opt->get_type_name());
    f.description = opt->get_description();
    out.push_back(std::move(f));
  }
  return out;
}

void walk(const CLI::App& app, const std::string& path, const std::vector<FlagSpec>& inherited,
          std::vector<CommandSpec>& out) {
  CommandSpec spec;
  spec.path = path;
  spec.name = app.get_name();
  spec.aliases = app.get_aliases();
  spec.description = app.get_description();
  spec.flags = own_flags(app);
  // Flags of the parents still apply below them (the root is parsed with fallthrough), except
  // help, which every command has itself.
  for (const auto& f : inherited) {
    bool shadowed = false;
    for (const auto& mine : spec.flags) {
      for (const auto& n : f.names) {
        shadowed |= std::find(mine.names.begin(), mine.names.end(), n) != mine.names.end();
      }
    }
    if (!shadowed) spec.flags.push_back(f);
  }
  for (const CLI::Option* opt : app.get_options()) {
    if (opt->get_positional() && opt->get_lnames().empty() && opt->get_snames().empty()) {
      spec.positionals.push_back(ValueKind::from_type_name(opt->get_type_name()));
    }
  }
  std::vector<FlagSpec> passed_down;
  for (const auto& f : spec.flags) {
    if (std::find(f.names.begin(), f.names.end(), "--help") == f.names.end())
      passed_down.push_back(f);
  }
  const std::size_t me = out.size();
  out.push_back(std::move(spec));
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App* s) { return visible(s); })) {
    out[me].children.push_back(out.size());
    walk(*sub, path.empty() ? sub->get_name() : path + " " + sub->get_name(), passed_down, out);
  }
}

}  // namespace

std::vector<CommandSpec> completion_model(const CLI::App& root) {
  std::vector<CommandSpec> out;
  walk(root, "", {}, out);
  return out;
}

}  // namespace sixpn::cli
