# The firmware superbuild every board port shares (ports/qemu, ports/nrf52840):
# signing keys made fresh per build tree with the host's lfimg, the application
# key stage 1 links, and firmware/ built as an ExternalProject with the
# arm-none-eabi toolchain for one port and board layout.
#
# lf_firmware(NAME name DIR dir PORT port BOARD board LABEL text
#             [EXTRA_OUTPUTS file...] [CMAKE_ARGS -Dx=y...])
#   keys      DIR/keys/{root,app}.pem and DIR/fw_keys.c (target NAME_keys)
#   firmware  DIR/fw/bin/{stage0,stage1-s0,stage1-s1,smp-app}.{bin,elf}
#             (target NAME_firmware)
# Sets LF_FW_OUTPUTS in the caller: the firmware files, for DEPENDS.
include(ExternalProject)

function(lf_firmware)
  cmake_parse_arguments(F "" "NAME;DIR;PORT;BOARD;LABEL" "EXTRA_OUTPUTS;CMAKE_ARGS" ${ARGN})
  set(lfimg $<TARGET_FILE:lfimg>)
  find_program(LF_ARM_GCC arm-none-eabi-gcc)
  if(NOT LF_ARM_GCC)
    message(FATAL_ERROR "${F_LABEL}: the firmware needs arm-none-eabi-gcc (scripts/deps.sh installs it)")
  endif()

  add_custom_command(OUTPUT ${F_DIR}/keys/root.pem ${F_DIR}/keys/app.pem
    COMMAND ${CMAKE_COMMAND} -E make_directory ${F_DIR}/keys
    COMMAND ${CMAKE_COMMAND} -E rm -f ${F_DIR}/keys/root.pem ${F_DIR}/keys/app.pem
    COMMAND ${lfimg} keygen -k ${F_DIR}/keys/root.pem -t ecdsa-p256
    COMMAND ${lfimg} keygen -k ${F_DIR}/keys/app.pem -t ecdsa-p256
    DEPENDS lfimg
    COMMENT "${F_LABEL}: signing keys")
  add_custom_command(OUTPUT ${F_DIR}/fw_keys.c
    COMMAND ${lfimg} getpub -k ${F_DIR}/keys/app.pem --name fw_app_key -o ${F_DIR}/fw_keys.c
    DEPENDS ${F_DIR}/keys/app.pem lfimg
    COMMENT "${F_LABEL}: the application key stage 1 links")
  add_custom_target(${F_NAME}_keys DEPENDS ${F_DIR}/fw_keys.c ${F_DIR}/keys/root.pem)

  set(outputs ${F_EXTRA_OUTPUTS})
  foreach(i stage0 stage1-s0 stage1-s1 smp-app)
    list(APPEND outputs ${F_DIR}/fw/bin/${i}.bin ${F_DIR}/fw/bin/${i}.elf)
  endforeach()

  ExternalProject_Add(${F_NAME}_firmware
    SOURCE_DIR ${CMAKE_SOURCE_DIR}/firmware
    BINARY_DIR ${F_DIR}/fw
    CMAKE_ARGS
      -DCMAKE_TOOLCHAIN_FILE=${CMAKE_SOURCE_DIR}/cmake/arm-none-eabi.cmake
      -DLF_LINKER_DIR=${CMAKE_BINARY_DIR}/boards/${F_BOARD}
      -DLF_APP_KEY_C=${F_DIR}/fw_keys.c
      -DLF_BOARD_PORT=${F_PORT}
      -DLF_FIH=${LF_FIH}
      ${F_CMAKE_ARGS}
    BUILD_COMMAND ${CMAKE_COMMAND} --build <BINARY_DIR>
    INSTALL_COMMAND ""
    BUILD_ALWAYS ON
    BUILD_BYPRODUCTS ${outputs}
    DEPENDS linker_scripts ${F_NAME}_keys)
  set(LF_FW_OUTPUTS ${outputs} PARENT_SCOPE)
endfunction()
