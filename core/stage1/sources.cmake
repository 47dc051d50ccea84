target_sources(lf_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/stage1_boot.c
  ${CMAKE_CURRENT_LIST_DIR}/stage1_install.c)
