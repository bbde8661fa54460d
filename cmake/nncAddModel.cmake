# nncAddModel.cmake - nnc_add_model: compile a .nn model at build time into a library.
#
#   nnc_add_model(<target> SOURCES <model.nn>
#                 [TARGET host|x86-64|x86-64-avx2|x86-64-avx512]
#                 [MODEL <name>] [HEADER <name.h>] [OPTIONS <nnc arguments>...])
#
# Runs `nnc <model.nn> --emit=lib` when the model or nnc changes, and defines <target>, a
# library target: linking it brings the model's archive, its generated header (included
# as "<target>.h", or HEADER) and libnnrt with everything it needs (zlib, threads, dl, m,
# the C++ standard library). The header declares `const nnrt_model *<Model>_model_get(void)`
# and includes nnrt/nnrt.h. TARGET is nnc's --target (default host), MODEL its --model
# (the model of a file that has several), OPTIONS more nnc arguments (--autoschedule=...).
#
# Like Halide's add_halide_library: the model is one line of the user's CMakeLists.
function(nnc_add_model name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "TARGET;MODEL;HEADER" "SOURCES;OPTIONS")
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "nnc_add_model: unknown arguments: ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  list(LENGTH ARG_SOURCES count)
  if(NOT count EQUAL 1)
    message(FATAL_ERROR "nnc_add_model(${name}): SOURCES takes one .nn file")
  endif()
  if(NOT ARG_TARGET)
    set(ARG_TARGET host)
  endif()
  if(NOT ARG_HEADER)
    set(ARG_HEADER ${name}.h)
  endif()
  get_filename_component(source "${ARG_SOURCES}" ABSOLUTE)
  set(dir ${CMAKE_CURRENT_BINARY_DIR}/${name}.nnc)
  set(archive ${dir}/lib${name}.a)
  set(header ${dir}/${ARG_HEADER})
  set(args "${source}" --emit=lib -o "${archive}" --header "${header}" --target=${ARG_TARGET})
  if(ARG_MODEL)
    list(APPEND args --model=${ARG_MODEL})
  endif()
  file(MAKE_DIRECTORY ${dir})
  add_custom_command(
    OUTPUT ${archive} ${header}
    COMMAND nnc::nnc ${args} ${ARG_OPTIONS}
    DEPENDS ${source} nnc::nnc $<TARGET_FILE:nnc::nnc>
    COMMENT "Compiling the model ${ARG_SOURCES} with nnc"
    VERBATIM)
  add_custom_target(${name}.nnc DEPENDS ${archive} ${header})
  add_library(${name} INTERFACE)
  add_dependencies(${name} ${name}.nnc)
  target_include_directories(${name} INTERFACE ${dir})
  target_link_libraries(${name} INTERFACE ${archive} nnc::nnrt)
endfunction()
