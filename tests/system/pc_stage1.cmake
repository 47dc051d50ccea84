# Power cuts through whole stage-1 update cycles (issue 7, Must-show 3): the
# factory device of `lfsim demo --prepare-only`, both update paths, both
# boards, every flash operation cut clean and torn. Prints the runner's
# "powercut <scenario>: T ops, C cuts, F failures" lines.
lf_add_unit_test(NAME test_pc_stage1_update
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_pc_stage1_update.c ${CMAKE_CURRENT_LIST_DIR}/pc_dev.c
          ${CMAKE_CURRENT_LIST_DIR}/pc_smp.c
  LIBS lfsim_lib lf_sim lf_boards
  LABELS system powercut)
if(TARGET test_pc_stage1_update)
  # The test runs bin/lfsim (which runs lfimg) to make the factory device.
  add_dependencies(test_pc_stage1_update lfsim lfimg lfmgr)
  set_tests_properties(test_pc_stage1_update PROPERTIES TIMEOUT 3000)
endif()

# Who confirms a stage 1 on trial: the board's stage1_confirm setting.
lf_add_unit_test(NAME test_stage1_confirm
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_stage1_confirm.c ${CMAKE_CURRENT_LIST_DIR}/pc_dev.c
          ${CMAKE_CURRENT_LIST_DIR}/pc_smp.c
  LIBS lfsim_lib lf_sim lf_boards
  LABELS system)
if(TARGET test_stage1_confirm)
  add_dependencies(test_stage1_confirm lfsim lfimg lfmgr)
endif()
