# Precompiled headers, shared by every target of a build. nlohmann/json is parsed by ~110 of the
# ~300 translation units (~2 s each) and CLI11 by the ~60 of the command lines (~3-5 s each): with
# a precompiled header each is parsed once per build, which takes minutes off a clean build (and
# CI builds three: default, sanitize, fuzz).
#
# Two header sets, each compiled once in a target of its own; every other target reuses one
# (REUSE_FROM), which needs the same compile options as that target: true within a build, where
# targets add only include paths and definitions. Targets with options of their own (the fuzz
# targets) are left out.
add_library(roost_pch_json OBJECT ${CMAKE_CURRENT_LIST_DIR}/pch.cpp)
target_link_libraries(roost_pch_json PRIVATE nlohmann_json::nlohmann_json)
target_precompile_headers(roost_pch_json PRIVATE
  <nlohmann/json.hpp> <string> <string_view> <vector> <map> <memory> <optional> <functional>)
add_library(roost_pch_cli OBJECT ${CMAKE_CURRENT_LIST_DIR}/pch.cpp)
target_link_libraries(roost_pch_cli PRIVATE nlohmann_json::nlohmann_json CLI11::CLI11)
target_precompile_headers(roost_pch_cli PRIVATE
  <nlohmann/json.hpp> <CLI/CLI.hpp> <string> <string_view> <vector> <map> <memory> <optional> <functional>)

# The targets defined in DIR and below it.
function(roost_targets_below dir out)
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(sub IN LISTS subdirs)
    roost_targets_below(${sub} more)
    list(APPEND targets ${more})
  endforeach()
  set(${out} ${targets} PARENT_SCOPE)
endfunction()

# Gives every C++ target of the project one of the two: CLI11's to the targets that link CLI11
# (its headers define objects that each translation unit initialises at start: not forced into
# the lean programs, roost-ns and roost-monitor, which do not use it).
function(roost_use_precompiled_headers)
  roost_targets_below(${PROJECT_SOURCE_DIR} targets)
  foreach(target IN LISTS targets)
    get_target_property(type ${target} TYPE)
    if(NOT type MATCHES "^(STATIC_LIBRARY|EXECUTABLE|OBJECT_LIBRARY)$" OR target MATCHES "^(roost_pch_|fuzz_)")
      continue()
    endif()
    get_target_property(links ${target} LINK_LIBRARIES)
    if("CLI11::CLI11" IN_LIST links)
      target_precompile_headers(${target} REUSE_FROM roost_pch_cli)
    else()
      target_precompile_headers(${target} REUSE_FROM roost_pch_json)
    endif()
  endforeach()
endfunction()
