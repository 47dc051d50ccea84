# The SDK-path stage-1 install refuses a copy that differs from its source
# (issue 13): a flash fault hook makes one copy program not take.
lf_add_unit_test(NAME test_stage1_copy
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_stage1_copy.c ${CMAKE_CURRENT_LIST_DIR}/pc_dev.c
          ${CMAKE_CURRENT_LIST_DIR}/pc_smp.c
  LIBS lfsim_lib lf_sim lf_boards
  LABELS system)
if(TARGET test_stage1_copy)
  add_dependencies(test_stage1_copy lfsim lfimg lfmgr)
endif()
