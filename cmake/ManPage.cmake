# Run at build time: the man page of one tool, made by help2man from the
# tool's own --help and --version (one source for both).
#   cmake -DHELP2MAN=... -DTOOL=<program> -DOUTPUT=<file.1> -P ManPage.cmake
execute_process(COMMAND "${TOOL}" --help OUTPUT_VARIABLE help RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${TOOL} --help failed (${status})")
endif()
# NAME section: the first sentence of the description, which is the first
# line (CLI11) or the first paragraph after the usage lines (argparse).
string(REGEX REPLACE "^[Uu]sage:[^\n]*(\n[^\n]+)*\n\n" "" help "${help}")
string(REGEX REPLACE "\n.*" "" summary "${help}")
string(REGEX REPLACE "\\. .*" "" summary "${summary}")
string(REGEX REPLACE "\\.$" "" summary "${summary}")
execute_process(COMMAND "${HELP2MAN}" --no-info --no-discard-stderr --section=1 --source=qidcm
                        "--name=${summary}" --output=${OUTPUT}.tmp "${TOOL}"
                RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "help2man failed on ${TOOL} (${status})")
endif()
file(RENAME ${OUTPUT}.tmp ${OUTPUT})
