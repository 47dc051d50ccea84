/* Fuzz target: lfmgr's input files, the combined stage-1 update file and
 * signed images (tools/common/updfile.c). */
#include <stddef.h>
#include <stdint.h>

#include "imgfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct lfm_upd u;
    struct lfm_img_info info;
    char why[200];
    if (lfm_upd_is(data, size) && lfm_upd_parse(data, size, &u, why, sizeof(why)) == 0) {
        unsigned i;
        for (i = 0; i < u.count; i++) {
            /* a parsed entry lies inside the file */
            if (u.e[i].off > size || u.e[i].len > size - u.e[i].off) {
                __builtin_trap();
            }
        }
    }
    (void)lfm_img_inspect(data, size, &info, why, sizeof(why));
    return 0;
}
