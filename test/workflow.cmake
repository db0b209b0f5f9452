# Batch workflow (workflow/: Snakefile, SLURM profile, qidcm-batch) end-to-end cases.
# Included at the end of test/CMakeLists.txt (QIDCM_PYTHON, QIDCM_E2E_ARGS). Needs
# Debian's snakemake and dicom3tools; a missing snakemake fails the tests.
execute_process(COMMAND ${QIDCM_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/e2e/workflow_cases.py --list
  OUTPUT_VARIABLE workflow_cases OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE workflow_list_result)
if(NOT workflow_list_result EQUAL 0)
  message(FATAL_ERROR "test/e2e/workflow_cases.py --list failed (${workflow_list_result})")
endif()
# --list prints the case names separated by ";" (test/e2e/driver.py)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/e2e/workflow_cases.py)
foreach(case IN LISTS workflow_cases)
  add_test(NAME workflow.${case}
    COMMAND ${QIDCM_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/e2e/workflow_cases.py ${case} ${QIDCM_E2E_ARGS})
  set_tests_properties(workflow.${case} PROPERTIES LABELS "e2e;workflow" TIMEOUT 600)
endforeach()
