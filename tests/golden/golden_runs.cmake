# Pins the numbers GradFlow prints: every lesson preset (and a float32 copy of four) trains 12 steps headless, and the
# SHA-256 of its --metrics, --log and --spectrum CSVs and of its printed report must match
# runs.sha256, recorded from the Release build. A refactor of the engine must leave them
# bit for bit unchanged; a deliberate change of the numbers records a new manifest:
#   cmake -DGRADFLOW=build/app/gradflow -DOUT_DIR=/tmp/golden -DRECORD=ON \
#         -DMANIFEST=tests/golden/runs.sha256 -P tests/golden/golden_runs.cmake
# and says why in its commit.
cmake_minimum_required(VERSION 3.25)  # IN_LIST below; a -P script starts with no policies
foreach(required GRADFLOW OUT_DIR MANIFEST)
  if(NOT DEFINED ${required})
    message(FATAL_ERROR "golden_runs.cmake needs -D${required}=...")
  endif()
endforeach()

get_filename_component(GRADFLOW "${GRADFLOW}" ABSOLUTE)
get_filename_component(OUT_DIR "${OUT_DIR}" ABSOLUTE)
get_filename_component(MANIFEST "${MANIFEST}" ABSOLUTE)
file(REMOVE_RECURSE "${OUT_DIR}")
file(MAKE_DIRECTORY "${OUT_DIR}")
execute_process(COMMAND "${GRADFLOW}" --list-presets OUTPUT_VARIABLE listing RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "gradflow --list-presets failed (${status})")
endif()
string(REGEX MATCHALL "(^|\n)[a-z0-9-]+" names "${listing}")
# The presets are all float64; these copies of four of them train in float32.
get_filename_component(golden_dir "${CMAKE_CURRENT_LIST_FILE}" DIRECTORY)
file(GLOB float32_configs "${golden_dir}/*-float32.json")
foreach(config ${float32_configs})
  get_filename_component(name "${config}" NAME_WE)
  list(APPEND names "config:${name}")
endforeach()

set(lines "")
set(count 0)
foreach(raw ${names})
  string(STRIP "${raw}" name)
  math(EXPR count "${count} + 1")
  if(name MATCHES "^config:(.*)")
    set(name "${CMAKE_MATCH_1}")
    set(source --config "${golden_dir}/${name}.json")
  else()
    set(source --preset ${name})
  endif()
  execute_process(
    COMMAND "${GRADFLOW}" --headless ${source} --steps 12 --spectrum-every 4
            --metrics ${name}.metrics.csv --log ${name}.log.csv --spectrum ${name}.spectrum.csv
    WORKING_DIRECTORY "${OUT_DIR}"
    OUTPUT_FILE "${OUT_DIR}/${name}.report.txt"
    ERROR_FILE "${OUT_DIR}/${name}.report.txt"
    RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "gradflow --headless --preset ${name} exited with ${status}: see ${OUT_DIR}/${name}.report.txt")
  endif()
  foreach(kind metrics log spectrum report)
    set(file "${name}.${kind}.csv")
    if(kind STREQUAL "report")
      set(file "${name}.report.txt")
    endif()
    file(SHA256 "${OUT_DIR}/${file}" digest)
    string(APPEND lines "${digest}  ${file}\n")
  endforeach()
endforeach()

if(RECORD)
  file(WRITE "${MANIFEST}" "${lines}")
  message(STATUS "recorded ${MANIFEST}")
  return()
endif()

file(READ "${MANIFEST}" expected)
if(NOT expected STREQUAL lines)
  string(REPLACE "\n" ";" expected_list "${expected}")
  string(REPLACE "\n" ";" actual_list "${lines}")
  set(changed "")
  foreach(line ${actual_list})
    if(NOT line IN_LIST expected_list)
      string(REGEX REPLACE "^[0-9a-f]+  " "" file "${line}")
      list(APPEND changed "${file}")
    endif()
  endforeach()
  list(LENGTH expected_list expected_count)
  list(LENGTH actual_list actual_count)
  message(FATAL_ERROR "These outputs are no longer bit-identical to tests/golden/runs.sha256 "
                      "(${actual_count} outputs now, ${expected_count} recorded): ${changed}. "
                      "The files are in ${OUT_DIR}; compare them with a run of the previous commit.")
endif()
message(STATUS "the outputs of all ${count} presets are bit-identical")
