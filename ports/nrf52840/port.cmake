# Included by firmware/CMakeLists.txt for LF_BOARD_PORT=nrf52840: the port's
# drivers and the board it builds for (LF_NRF_BOARD: nrf52840dk or
# nrf52840dk-qspi).
set(LF_NRF_BOARD nrf52840dk CACHE STRING "nrf52840dk or nrf52840dk-qspi")
set(LF_PORT_SOURCES
  ${port}/nrf_nvmc.c
  ${port}/nrf_uarte.c
  ${port}/nrf_sys.c)
if(LF_NRF_BOARD STREQUAL "nrf52840dk-qspi")
  set(LF_PORT_DEFS NRF_BOARD_QSPI=1)
  list(APPEND LF_PORT_SOURCES ${port}/nrf_qspi.c)
  # Stage 0 never touches the NOR: the board refers to the QSPI driver
  # weakly, and only the other images pull it in.
  set(LF_PORT_LINK_NOT_STAGE0 -Wl,--undefined=nrf_qspi_ops)
elseif(LF_NRF_BOARD STREQUAL "nrf52840dk")
  set(LF_PORT_DEFS NRF_BOARD_QSPI=0)
else()
  message(FATAL_ERROR "LF_NRF_BOARD: nrf52840dk or nrf52840dk-qspi, not '${LF_NRF_BOARD}'")
endif()
# The provision page (a flash page used as write-once words): the last page
# of the STAGE0 area, so one ACL region could cover both and no other area
# gives up a page; stage 0's link fails if it would reach into it
# (stage0_guard.ld). docs/nrf52840.md section 3.
set(LF_NRF_PROVISION_ADDR 0x3000 CACHE STRING "CPU address of the provision page")
list(APPEND LF_PORT_DEFS NRF_PROVISION_ADDR=${LF_NRF_PROVISION_ADDR})
set(LF_PORT_LINK_STAGE0 -Wl,--defsym=LF_PROVISION_ADDR=${LF_NRF_PROVISION_ADDR}
  ${port}/stage0_guard.ld)
