target_sources(lf_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/provision.c
  ${CMAKE_CURRENT_LIST_DIR}/provision_counter.c
  ${CMAKE_CURRENT_LIST_DIR}/stage0_slot.c
  ${CMAKE_CURRENT_LIST_DIR}/stage0_boot.c
  ${CMAKE_CURRENT_LIST_DIR}/stage0_stage1.c)
