# Fault-injection hardening (lf/fih.h, docs/glitch.md "Hardening"). LF_FIH is
# public: every target that includes lf/fih.h sees the same setting.
option(LF_FIH "fault-injection hardening of the boot decisions (docs/glitch.md)" ON)
if(LF_FIH)
  target_compile_definitions(lf_core PUBLIC LF_FIH=1)
else()
  target_compile_definitions(lf_core PUBLIC LF_FIH=0)
endif()
target_sources(lf_core PRIVATE ${CMAKE_CURRENT_LIST_DIR}/fih.c)
