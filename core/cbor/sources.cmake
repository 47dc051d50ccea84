target_sources(lf_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/cbor_enc.c
  ${CMAKE_CURRENT_LIST_DIR}/cbor_dec.c)
