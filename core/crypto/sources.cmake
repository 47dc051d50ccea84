# Freestanding crypto: one algorithm per file. bn256.c is the shared 256-bit
# arithmetic (the multiplication kernel, Montgomery, NAF recoding), fe25519.c
# the field of Ed25519; the linker drops whatever an image does not call.
target_sources(lf_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/bn256.c
  ${CMAKE_CURRENT_LIST_DIR}/sha256.c
  ${CMAKE_CURRENT_LIST_DIR}/sha512.c
  ${CMAKE_CURRENT_LIST_DIR}/p256.c
  ${CMAKE_CURRENT_LIST_DIR}/fe25519.c
  ${CMAKE_CURRENT_LIST_DIR}/ed25519.c
  ${CMAKE_CURRENT_LIST_DIR}/der.c
  ${CMAKE_CURRENT_LIST_DIR}/spki.c)
