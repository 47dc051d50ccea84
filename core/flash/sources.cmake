target_sources(lf_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/flash.c
  ${CMAKE_CURRENT_LIST_DIR}/flash_area.c
  ${CMAKE_CURRENT_LIST_DIR}/flash_parts.c
  ${CMAKE_CURRENT_LIST_DIR}/flash_map.c)
