# Turns a text file into a C++ header holding it as a raw string, at build time,
# so templates ship inside the binary instead of being read at run time.
# Usage: cmake -DIN=file -DOUT=header -DNAME=identifier -P embed.cmake
file(READ "${IN}" content)
set(delim "sixpn_embed")
file(WRITE "${OUT}" "#pragma once\n// Generated from ${IN}; edit that file instead.\nnamespace sixpn::embedded {\ninline constexpr const char ${NAME}[] = R\"${delim}(${content})${delim}\";\n}\n")
