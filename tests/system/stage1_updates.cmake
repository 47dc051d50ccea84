lf_add_unit_test(NAME test_stage1_updates
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_stage1_updates.c ${CMAKE_CURRENT_LIST_DIR}/sys_dev.c
          ${CMAKE_CURRENT_LIST_DIR}/pc_dev.c
  LIBS lfsim_lib lf_sim lf_boards
  LABELS system)
if(TARGET test_stage1_updates)
  add_dependencies(test_stage1_updates lfsim lfimg lfmgr)
endif()
lf_add_fuzz_target(NAME fuzz_s1_keys SOURCES ${CMAKE_SOURCE_DIR}/tests/fuzz/s1_keys.c
  LIBS lfsim_lib
  CORPUS tests/fuzz/corpus/s1_keys)
