target_sources(lf_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/crc16.c
  ${CMAKE_CURRENT_LIST_DIR}/base64.c
  ${CMAKE_CURRENT_LIST_DIR}/smp_serial_tx.c
  ${CMAKE_CURRENT_LIST_DIR}/smp_serial_rx.c
  ${CMAKE_CURRENT_LIST_DIR}/smp_ble.c)
