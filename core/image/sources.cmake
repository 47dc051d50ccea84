target_sources(lf_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/image_header.c
  ${CMAKE_CURRENT_LIST_DIR}/image_tlv.c
  ${CMAKE_CURRENT_LIST_DIR}/image_sig_p256.c
  ${CMAKE_CURRENT_LIST_DIR}/image_sig_ed25519.c
  ${CMAKE_CURRENT_LIST_DIR}/image_sig_all.c
  ${CMAKE_CURRENT_LIST_DIR}/image_validate.c)
