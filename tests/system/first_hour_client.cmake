# Issue 12, lfmgr's part: a new user's traps on the virtual device (missing
# device, files refused before sending, stage-1 update without an application,
# the report after a reset, Ctrl-C during an upload, one JSON object always).
lf_add_unit_test(NAME test_first_hour_client
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_first_hour_client.c ${CMAKE_CURRENT_LIST_DIR}/sys_dev.c
          ${CMAKE_CURRENT_LIST_DIR}/pc_dev.c
  LIBS lfsim_lib lf_sim lf_boards
  LABELS system)
if(TARGET test_first_hour_client)
  add_dependencies(test_first_hour_client lfsim lfimg lfmgr)
  set_tests_properties(test_first_hour_client PROPERTIES TIMEOUT 600)
endif()
