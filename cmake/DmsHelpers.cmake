# SPDX-License-Identifier: MIT
# dms_unit_test(NAME SOURCES a.c b.c LIBS x y [LABELS l])
#   Builds tests/<sources> into one program and registers it with CTest under label "unit"
#   (plus any given). Tests run from the source tree so that relative data paths resolve.
function(dms_unit_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS;LABELS;ARGS" ${ARGN})
  foreach(src ${T_SOURCES})
    if(NOT EXISTS ${src})
      message(WARNING "${name}: ${src} is missing; test not built")
      return()
    endif()
  endforeach()
  add_executable(${name} ${T_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  target_link_libraries(${name} PRIVATE ${T_LIBS})
  add_test(NAME ${name} COMMAND ${name} ${T_ARGS} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  set_tests_properties(${name} PROPERTIES LABELS "unit;${T_LABELS}" TIMEOUT 300
                                   SKIP_RETURN_CODE 77)
endfunction()
