# lfsim and lfimg as a user meets them (issue 12, points 4, 8 and 9): a device
# in use is refused with what uses it, every command's --help and exit codes,
# dumpinfo, Intel HEX output; and the hand-made flow of docs/lfsim.md section 5
# (keys, stage1-image, provision, create, program, run, stage-1 and application
# updates with lfmgr); lfimg --json as one object for every command.
find_program(LF_BASH bash)
if(LF_BASH)
  foreach(t tools_cli stage1_by_hand lfimg_json)
    add_test(NAME test_${t}
      COMMAND ${LF_BASH} ${CMAKE_CURRENT_LIST_DIR}/test_${t}.sh ${CMAKE_BINARY_DIR}/bin
              ${CMAKE_CURRENT_BINARY_DIR}/${t}-work)
    set_tests_properties(test_${t} PROPERTIES LABELS system TIMEOUT 300)
  endforeach()
endif()
