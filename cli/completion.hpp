#pragma once
// Shell completion generated from the CLI11 command tree, so a new command or flag is
// completed as soon as it exists. The scripts in completions/ are this output, checked in.
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace sixpn::cli {

// What a value may be completed with: nothing, files, a fixed list, or the output of the
// hidden `sixpn __complete <what>` (orgs, regions, apps), which asks the API.
struct ValueKind {
  enum Type { kNone, kFile, kWords, kDynamic } type = kNone;
  std::string arg;  // the words (space-separated) or the dynamic source

  // From an option's type name: FILE, ORG, REGION, APP, or "X:{a,b,c}" from CLI::IsMember.
  static ValueKind from_type_name(const std::string& type_name);
  std::string encoded() const;  // "", "file", "words:a b", "dynamic:orgs"
};

struct FlagSpec {
  std::vector<std::string> names;  // "--org", "-o"
  bool takes_value = false;
  ValueKind kind;
  std::string description;
};

struct CommandSpec {
  std::string path;  // canonical names joined by spaces; "" for the root
  std::string name;
  std::vector<std::string> aliases;
  std::string description;
  std::vector<FlagSpec> flags;         // its own and those it inherits from its parents
  std::vector<ValueKind> positionals;  // in order
  std::vector<std::size_t> children;   // indexes into the list
};

// Every visible command, root first, parents before children.
std::vector<CommandSpec> completion_model(const CLI::App& root);

std::string bash_completion(const std::vector<CommandSpec>& model);
std::string zsh_completion(const std::vector<CommandSpec>& model);
std::string fish_completion(const std::vector<CommandSpec>& model);

}  // namespace sixpn::cli
