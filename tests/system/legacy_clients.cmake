# Two client models (cmcumgr-like, strict smpclient-like) against one
# `lfsim run --legacy` (issue 13, docs/smp-server.md section 6).
lf_add_unit_test(NAME test_legacy_clients
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_legacy_clients.c ${CMAKE_CURRENT_LIST_DIR}/sys_dev.c
          ${CMAKE_CURRENT_LIST_DIR}/pc_dev.c
  LIBS lfsim_lib lf_sim lf_boards
  LABELS system)
if(TARGET test_legacy_clients)
  add_dependencies(test_legacy_clients lfsim lfimg lfmgr)
endif()
