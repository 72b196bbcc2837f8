# Precompiled headers for the third-party headers most of our TUs parse: nlohmann/json (~2 s a
# TU on CI's cores), CLI11 (~5 s) and GoogleTest (~1 s). Each set is compiled once, by a target
# of its own, and every target whose TUs mostly include those headers reuses it (REUSE_FROM):
# the whole tree shares one set of compiler flags, which is what lets one .gch serve them all.
# A set is only ever a few headers that TUs include anyway; a library none of whose TUs need
# them (core, dns, net) gets none, as loading a precompiled header costs ~0.3 s by itself.
#
# A precompiled header is included in every TU of the targets that use it, so it can hide a
# missing #include; -DCMAKE_DISABLE_PRECOMPILE_HEADERS=ON builds without, which shows one.

# ccache caches a TU compiled with a precompiled header only under the sloppiness
# pch_defines,time_macros (ccache's manual, "Precompiled headers"); without them it compiles
# every such TU anew. Added to what ccache is configured with, for this project's compiles only,
# before any target takes the launcher.
if(CMAKE_CXX_COMPILER_LAUNCHER MATCHES "(^|/)ccache$" AND NOT CMAKE_DISABLE_PRECOMPILE_HEADERS)
  execute_process(COMMAND ${CMAKE_CXX_COMPILER_LAUNCHER} --get-config sloppiness
                  OUTPUT_VARIABLE sixpn_ccache_sloppiness OUTPUT_STRIP_TRAILING_WHITESPACE
                  ERROR_QUIET)
  string(REGEX REPLACE "[ ,]+" ";" sixpn_ccache_sloppiness "${sixpn_ccache_sloppiness}")
  list(APPEND sixpn_ccache_sloppiness pch_defines time_macros)
  list(REMOVE_DUPLICATES sixpn_ccache_sloppiness)
  string(REPLACE ";" "," sixpn_ccache_sloppiness "${sixpn_ccache_sloppiness}")
  set(CMAKE_CXX_COMPILER_LAUNCHER ${CMAKE_COMMAND} -E env
      CCACHE_SLOPPINESS=${sixpn_ccache_sloppiness} ${CMAKE_CXX_COMPILER_LAUNCHER})
endif()

# Defines the target `name` that compiles the headers ARGN once for the targets that reuse it.
# LINK names the libraries whose include directories those headers need.
function(sixpn_precompiled_set name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "HEADERS;LINK")
  add_library(${name} OBJECT ${PROJECT_SOURCE_DIR}/cmake/empty.cpp)
  target_link_libraries(${name} PRIVATE ${arg_LINK})
  target_precompile_headers(${name} PRIVATE ${arg_HEADERS})
endfunction()

sixpn_precompiled_set(sixpn_pch_json HEADERS <nlohmann/json.hpp> LINK nlohmann_json::nlohmann_json)
sixpn_precompiled_set(sixpn_pch_json_cli HEADERS <nlohmann/json.hpp> <CLI/CLI.hpp>
                      LINK nlohmann_json::nlohmann_json CLI11::CLI11)
