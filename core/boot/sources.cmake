target_sources(lf_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/trailer.c
  ${CMAKE_CURRENT_LIST_DIR}/trailer_status.c
  ${CMAKE_CURRENT_LIST_DIR}/swap_table.c
  ${CMAKE_CURRENT_LIST_DIR}/boot_flash.c
  ${CMAKE_CURRENT_LIST_DIR}/layout.c
  ${CMAKE_CURRENT_LIST_DIR}/swap_common.c
  ${CMAKE_CURRENT_LIST_DIR}/swap_move.c
  ${CMAKE_CURRENT_LIST_DIR}/swap_scratch.c
  ${CMAKE_CURRENT_LIST_DIR}/overwrite.c
  ${CMAKE_CURRENT_LIST_DIR}/strategies.c
  ${CMAKE_CURRENT_LIST_DIR}/boot_check.c
  ${CMAKE_CURRENT_LIST_DIR}/boot_go.c
  ${CMAKE_CURRENT_LIST_DIR}/boot_record.c)
