target_sources(lf_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/smp_hdr.c)
# SMP client (tools/lfmgr and the virtual device's demo).
target_sources(lf_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/smp_client_req.c
  ${CMAKE_CURRENT_LIST_DIR}/smp_client_rsp.c
  ${CMAKE_CURRENT_LIST_DIR}/smp_client_upload.c
  ${CMAKE_CURRENT_LIST_DIR}/smp_client_names.c)
# SMP server: core, OS group, image group, persisted upload session, and the
# recovery profile of the OS and image groups (stage 1).
target_sources(lf_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/smp_server.c
  ${CMAKE_CURRENT_LIST_DIR}/smp_os.c
  ${CMAKE_CURRENT_LIST_DIR}/smp_img.c
  ${CMAKE_CURRENT_LIST_DIR}/smp_img_state.c
  ${CMAKE_CURRENT_LIST_DIR}/smp_img_upload.c
  ${CMAKE_CURRENT_LIST_DIR}/smp_img_rec.c
  ${CMAKE_CURRENT_LIST_DIR}/smp_session.c)
