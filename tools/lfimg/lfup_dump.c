/* lfimg dump for update files (docs/update-file.md). */
#include <stdio.h>

#include "lfup.h"
#include "util.h"

static void lfup_dump_entry_json(const struct lfup *u, unsigned i, bool checked)
{
    const struct lfup_entry *x = &u->e[i];
    printf("%s\n    {\"slot\": %u, \"image\": %u, \"load_addr\": %u, \"offset\": %u, \"len\": %u",
           i ? "," : "", x->slot, x->image, x->load_addr, x->off, x->len);
    if (checked) {
        const struct lfimg_imginfo *ii = &u->info[i];
        char ver[24];
        char hex[65];
        lfimg_version_str(&ii->hdr.version, ver, sizeof(ver));
        lfimg_hex(ii->hash, 32, hex);
        printf(", \"version\": \"%s\", \"security_counter\": ", ver);
        if (ii->has_sec_cnt) {
            printf("%u", ii->sec_cnt);
        } else {
            printf("null");
        }
        printf(", \"hash\": \"%s\"", hex);
    }
    printf("}");
}

static void lfup_dump_entry_text(const struct lfup *u, unsigned i, bool checked)
{
    const struct lfup_entry *x = &u->e[i];
    printf("  entry %u: S%u, image %u, load address 0x%08x, 0x%x bytes at 0x%x\n", i, x->slot,
           x->image, x->load_addr, x->len, x->off);
    if (checked) {
        const struct lfimg_imginfo *ii = &u->info[i];
        char ver[24];
        char hex[65];
        lfimg_version_str(&ii->hdr.version, ver, sizeof(ver));
        lfimg_hex(ii->hash, 32, hex);
        printf("    version %s, security counter ", ver);
        if (ii->has_sec_cnt) {
            printf("%u", ii->sec_cnt);
        } else {
            printf("none");
        }
        printf(", ROM_FIXED\n    sha256 %s\n", hex);
    }
}

int lfup_dump(const char *path, uint8_t *buf, size_t len, bool json)
{
    struct lfup u;
    char why[256];
    int bad = lfup_parse(buf, len, &u, why, sizeof(why));
    /* On an error the last entry read is the one that failed: its image
     * facts are not shown. */
    unsigned checked = bad ? (u.count ? u.count - 1 : 0) : u.count;
    if (json) {
        printf("{\n  \"file\": ");
        lfimg_json_str(stdout, path);
        printf(",\n  \"size\": %zu,\n  \"update_file\": {\"format\": %u, \"total\": %u},\n"
               "  \"entries\": [",
               len, u.version, u.total);
        for (unsigned i = 0; i < u.count; i++) {
            lfup_dump_entry_json(&u, i, i < checked);
        }
        printf("%s],\n  \"error\": ", u.count ? "\n  " : "");
        if (bad) {
            lfimg_json_str(stdout, why);
            printf("\n}\n");
        } else {
            printf("null\n}\n");
        }
    } else {
        printf("update file %s (%zu bytes): format %u, %u entr%s\n", path, len, u.version, u.count,
               u.count == 1 ? "y" : "ies");
        for (unsigned i = 0; i < u.count; i++) {
            lfup_dump_entry_text(&u, i, i < checked);
        }
        if (bad) {
            printf("structure error: %s\n", why);
        }
    }
    return bad ? LF_EXIT_FILE : LF_EXIT_OK;
}
