target_sources(lf_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/smp_hdr.c)
