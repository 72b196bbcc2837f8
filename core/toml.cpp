// The one translation unit holding toml++'s implementation (TOML_IMPLEMENTATION), through
// core/toml.hpp so that it gets the same fixed whitespace table as every other user.
#define TOML_IMPLEMENTATION
#include "core/toml.hpp"
