/*
 * Image upload (docs/reference/smp.md 2.2 and 4; docs/smp-upload.md): Zephyr's upload state
 * machine, plus
 *   - progressive erase just ahead of the data (the first chunk is answered
 *     after at most the trailer sector's erase),
 *   - a session persisted in the SMP_STATE area, so the same "sha" at off 0
 *     (or the expected off) resumes after a device reset,
 *   - every first-chunk refusal made before anything is written,
 *   - stage-1 uploads (image 1) admitted by stage 0's rules before the
 *     first write, and their security counter checked before the protected
 *     TLVs are written; a refused counter erases the upload again.
 */
#include <string.h>

#include "lf/err.h"
#include "lf/sha256.h"
#include "lf/stage0.h"
#include "smp_img_int.h"

/* Bytes read at a time when comparing or hashing a slot. */
#define READ_CHUNK 64u

/* Where the upload's bytes are while a chunk is being handled: [0, flushed)
 * on flash, [flushed, off) in the tail buffer, [off, off + n) in the chunk. */
struct up_view {
    const struct lf_flash_area *fa;
    uint32_t flushed;
    uint32_t off;
    const uint8_t *tail;
    const uint8_t *chunk;
    uint32_t n;
};

static void up_log(const struct lf_smp_server *s, const char *fmt, uint32_t a, uint32_t b)
{
    lf_logf(s->plat->log, fmt, (unsigned)a, (unsigned)b);
}

/* Every successful upload reply. The legacy shape starts with "rc": 0, as
 * Zephyr's img_mgmt.c does under CONFIG_MCUMGR_SMP_LEGACY_RC_BEHAVIOUR
 * (docs/smp-server.md section 6). */
int smp_up_reply_off(struct lf_smp_ctx *c, uint32_t off)
{
    smp_img_legacy_rc(c);
    lf_cbor_enc_text_z(&c->enc, "off");
    lf_cbor_enc_uint(&c->enc, off);
    return 0;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

/* ---- session ----------------------------------------------------------------- */

static void session_end(struct lf_smp_server *s)
{
    struct lf_smp_upload_state *u = &s->up;
    if (u->store_ok) {
        int err = lf_smp_session_end(&u->log);
        if (err) {
            up_log(s, "smp: upload session end not recorded (%u)", (uint32_t)-err, 0);
        }
    }
    u->active = false;
}

void smp_img_upload_drop(struct lf_smp_server *s)
{
    session_end(s);
}

/* The slot an upload of `image` writes now, or NULL (image 1: the inactive
 * S slot while the active one is not on trial). */
static const struct lf_flash_area *current_target(const struct lf_smp_server *s, uint8_t image)
{
    if (image == 0) {
        return smp_img_area(s, 0, 1);
    }
    struct lf_stage0_handoff h;
    if (image != 1 || !smp_img_handoff(s, &h) || h.trial || h.last_resort) {
        return NULL;
    }
    return smp_img_area(s, 1, (uint8_t)(h.slot ^ 1u));
}

/* The protected TLV area [*off, *end) of an image of len bytes (checked
 * against len at the first chunk; clamped for a restored session). */
static void prot_range(const struct lf_image_header *hdr, uint32_t len, uint32_t *off,
                       uint32_t *end)
{
    uint64_t p = (uint64_t)hdr->hdr_size + hdr->img_size;
    uint64_t e = p + hdr->protect_tlv_size;
    *off = p > len ? len : (uint32_t)p;
    *end = e > len ? len : (uint32_t)e;
}

void smp_img_upload_init(struct lf_smp_server *s)
{
    struct lf_smp_upload_state *u = &s->up;
    const struct lf_flash_area *fa = lf_flash_map_area(s->plat->map, LF_AREA_SMP_STATE);
    int err = fa ? lf_smp_session_load(&u->log, fa) : LF_E_SMP_STATE_AREA;
    if (err) {
        up_log(s, "smp: no upload session store (%u): uploads restart after a reset",
               (uint32_t)-err, 0);
        return;
    }
    u->store_ok = true;
    const struct lf_smp_session *ss = &u->log.s;
    if (!u->log.have || ss->ended) {
        return;
    }
    /* The session is resumable only if it still describes the slot an
     * upload of its image would write now. */
    const struct lf_flash_area *t = current_target(s, ss->image);
    struct lf_image_header hdr;
    bool ok = t && t->id == ss->area_id && ss->len <= t->size && ss->progress > 0 &&
              lf_flash_area_align(t) <= LF_SMP_WRITE_ALIGN_MAX;
    if (ok && ss->image == 1) {
        uint8_t raw[LF_IMAGE_HEADER_SIZE];
        ok = lf_flash_area_read(t, 0, raw, sizeof(raw)) == LF_OK;
        lf_image_header_decode(raw, &hdr);
        ok = ok && hdr.magic == LF_IMAGE_MAGIC;
    }
    if (!ok) {
        session_end(s);
        return;
    }
    u->active = true;
    u->image = ss->image;
    u->area_id = ss->area_id;
    u->len = ss->len;
    u->off = u->flushed = u->erased_upto = ss->progress;
    u->sha_len = ss->sha_len;
    memcpy(u->sha, ss->sha, sizeof(u->sha));
    if (u->image == 1) {
        prot_range(&hdr, u->len, &u->prot_off, &u->prot_end);
    }
    up_log(s, "smp: upload resumable at %u of %u", u->off, u->len);
}

/* ---- writing ------------------------------------------------------------------ */

/* Erase (unless erased) every sector from erased_upto to `end`. An image-1
 * slot keeps lf_stage0_upload_begin's "upload in progress" mark. */
static int ensure_erased(struct lf_smp_upload_state *u, const struct lf_flash_area *fa,
                         uint32_t end)
{
    while (u->erased_upto < end) {
        uint32_t start, size;
        int err = lf_flash_area_sector_at(fa, u->erased_upto, &start, &size);
        if (!err) {
            err = smp_img_erase_range(fa, start, size);
        }
        uint32_t mark = lf_trailer_swap_size_off(fa);
        if (!err && u->image == 1 && mark >= start && mark - start < size) {
            err = lf_trailer_write_swap_size(fa, 0);
        }
        if (err) {
            return err;
        }
        u->erased_upto = start + size;
    }
    return LF_OK;
}

static int program(struct lf_smp_upload_state *u, const struct lf_flash_area *fa,
                   const uint8_t *buf, uint32_t len)
{
    int err = ensure_erased(u, fa, u->flushed + len);
    if (!err) {
        err = lf_flash_area_write(fa, u->flushed, buf, len);
    }
    if (!err) {
        u->flushed += len;
    }
    return err;
}

/* Append d[0..n) at u->off: whole write units straight from the request,
 * the unaligned rest through the tail buffer. */
int smp_up_put(struct lf_smp_upload_state *u, const struct lf_flash_area *fa, const uint8_t *d,
               uint32_t n)
{
    uint32_t align = lf_flash_area_align(fa);
    while (n) {
        int err;
        if (u->tail_len || n < align) {
            uint32_t take = align - u->tail_len < n ? align - u->tail_len : n;
            memcpy(u->tail + u->tail_len, d, take);
            u->tail_len = (uint8_t)(u->tail_len + take);
            d += take;
            n -= take;
            if (u->tail_len < align) {
                continue;
            }
            err = program(u, fa, u->tail, align);
            u->tail_len = 0;
        } else {
            uint32_t k = n - n % align;
            err = program(u, fa, d, k);
            d += k;
            n -= k;
        }
        if (err) {
            return err;
        }
    }
    return LF_OK;
}

int smp_up_flush(struct lf_smp_upload_state *u, const struct lf_flash_area *fa)
{
    if (!u->tail_len) {
        return LF_OK;
    }
    uint32_t align = lf_flash_area_align(fa);
    memset(u->tail + u->tail_len, lf_flash_area_erased_val(fa), align - u->tail_len);
    int err = program(u, fa, u->tail, align);
    u->tail_len = 0;
    return err;
}

/* Record the largest sector boundary at or below what is on flash. */
static void persist(struct lf_smp_server *s, const struct lf_flash_area *fa)
{
    struct lf_smp_upload_state *u = &s->up;
    uint32_t p = u->flushed, start, size;
    if (!u->store_ok) {
        return;
    }
    if (p < fa->size && lf_flash_area_sector_at(fa, p, &start, &size) == LF_OK) {
        p = start;
    }
    if (p > u->log.s.progress) {
        int err = lf_smp_session_progress(&u->log, p);
        if (err) {
            up_log(s, "smp: upload progress %u not recorded (%u)", p, (uint32_t)-err);
        }
    }
}

/* ---- checks -------------------------------------------------------------------- */

static int gather(const struct up_view *v, uint32_t pos, uint8_t *dst, uint32_t n)
{
    while (n) {
        uint32_t k;
        if (pos < v->flushed) {
            k = v->flushed - pos < n ? v->flushed - pos : n;
            int err = lf_flash_area_read(v->fa, pos, dst, k);
            if (err) {
                return err;
            }
        } else if (pos < v->off) {
            k = v->off - pos < n ? v->off - pos : n;
            memcpy(dst, v->tail + (pos - v->flushed), k);
        } else {
            if (pos - v->off > v->n || n > v->n - (pos - v->off)) {
                return LF_E_RANGE;
            }
            k = n;
            memcpy(dst, v->chunk + (pos - v->off), k);
        }
        pos += k;
        dst += k;
        n -= k;
    }
    return LF_OK;
}

/* Image 1: read SEC_CNT from the protected TLV area (all of it available
 * in v) and check it before any of it is written. */
static int check_prot(struct lf_smp_ctx *c, const struct up_view *v, uint32_t prot_off,
                      uint32_t prot_end)
{
    static const char malformed[] = "protected TLV area malformed";
    uint32_t cnt = 0;
    bool found = false;
    uint8_t b[4];
    if (prot_end > prot_off) {
        uint32_t pos = prot_off;
        if (prot_end - pos < LF_IMAGE_TLV_INFO_SIZE || gather(v, pos, b, 4) ||
            (uint32_t)(b[0] | (b[1] << 8)) != LF_IMAGE_TLV_PROT_INFO ||
            (uint32_t)(b[2] | (b[3] << 8)) != prot_end - prot_off) {
            return lf_smp_fail_group(c, LF_SMP_IMG_ERR_INVALID_TLV, malformed);
        }
        pos += LF_IMAGE_TLV_INFO_SIZE;
        while (pos < prot_end) {
            if (prot_end - pos < LF_IMAGE_TLV_HDR_SIZE || gather(v, pos, b, 4)) {
                return lf_smp_fail_group(c, LF_SMP_IMG_ERR_INVALID_TLV, malformed);
            }
            uint32_t type = (uint32_t)(b[0] | (b[1] << 8)), len = (uint32_t)(b[2] | (b[3] << 8));
            pos += LF_IMAGE_TLV_HDR_SIZE;
            if (len > prot_end - pos) {
                return lf_smp_fail_group(c, LF_SMP_IMG_ERR_INVALID_TLV, malformed);
            }
            if (type == LF_TLV_SEC_CNT) {
                if (found || len != 4 || gather(v, pos, b, 4)) {
                    return lf_smp_fail_group(c, LF_SMP_IMG_ERR_INVALID_TLV, malformed);
                }
                cnt = le32(b);
                found = true;
            }
            pos += len;
        }
    }
    return smp_img_check_counter(c, cnt);
}

/* The running application's version (image 0 slot 0). */
static int running_version(const struct lf_smp_server *s, struct lf_image_version *v)
{
    const struct lf_flash_area *pri = smp_img_area(s, 0, 0);
    struct lf_image_header hdr;
    int err = pri ? lf_image_read_header(pri, 0, &hdr) : LF_E_NOT_FOUND;
    if (!err) {
        *v = hdr.version;
    }
    return err;
}

/* Zephyr's early match (smp.md 4, step 2g): the slot already holds exactly this
 * file and carries no trailer state, so nothing needs writing. A cheap
 * compare of the first chunk comes before the full hash. */
static bool already_there(const struct lf_flash_area *fa, const struct smp_up_req *r)
{
    struct lf_trailer tr;
    if (lf_trailer_read(fa, &tr) || tr.magic != LF_MAGIC_UNSET || tr.image_ok != LF_FLAG_UNSET ||
        tr.copy_done != LF_FLAG_UNSET) {
        return false;
    }
    uint8_t buf[READ_CHUNK];
    for (uint32_t pos = 0; pos < r->data.len; pos += READ_CHUNK) {
        uint32_t n = r->data.len - pos < READ_CHUNK ? (uint32_t)r->data.len - pos : READ_CHUNK;
        if (lf_flash_area_read(fa, pos, buf, n) || memcmp(buf, r->data.ptr + pos, n)) {
            return false;
        }
    }
    struct lf_sha256 h;
    uint8_t d[LF_SHA256_SIZE];
    lf_sha256_init(&h);
    for (uint32_t pos = 0; pos < r->len; pos += READ_CHUNK) {
        uint32_t n = r->len - pos < READ_CHUNK ? r->len - pos : READ_CHUNK;
        if (lf_flash_area_read(fa, pos, buf, n)) {
            return false;
        }
        lf_sha256_update(&h, buf, n);
    }
    lf_sha256_final(&h, d);
    return memcmp(d, r->sha.ptr, LF_SHA256_SIZE) == 0;
}

/* ---- the state machine ----------------------------------------------------------- */

static void discard(struct lf_smp_server *s, const struct lf_flash_area *fa);

static int complete(struct lf_smp_ctx *c, const struct lf_flash_area *fa)
{
    struct lf_smp_server *s = c->srv;
    struct lf_smp_upload_state *u = &s->up;
    if (smp_up_flush(u, fa) != LF_OK) {
        session_end(s);
        return lf_smp_fail_group(c, LF_SMP_IMG_ERR_FLASH_WRITE_FAILED, "fa write fail");
    }
    bool match = false;
    if (u->sha_len) {
        struct lf_sha256 h;
        uint8_t buf[READ_CHUNK], d[LF_SHA256_SIZE];
        lf_sha256_init(&h);
        for (uint32_t pos = 0; pos < u->len; pos += READ_CHUNK) {
            uint32_t n = u->len - pos < READ_CHUNK ? u->len - pos : READ_CHUNK;
            if (lf_flash_area_read(fa, pos, buf, n)) {
                session_end(s);
                return lf_smp_fail_group(c, LF_SMP_IMG_ERR_FLASH_READ_FAILED, "fa read fail");
            }
            lf_sha256_update(&h, buf, n);
        }
        lf_sha256_final(&h, d);
        match = memcmp(d, u->sha, u->sha_len) == 0; /* a truncated sha compares its prefix */
    }
    bool with_match = u->sha_len && !s->cfg->legacy_rc;
    uint8_t image = u->image;
    up_log(s, "smp: upload of %u bytes complete, match %u", u->len, match);
    session_end(s);
    /* A mismatch is reported as Zephyr does ("match": false); a matching (or
     * unverifiable) image must also validate with the platform's keys. */
    if (match || !u->sha_len) {
        int failed = smp_img_validate(c, image, fa);
        if (failed) {
            if (image == 1) {
                discard(s, fa); /* as a late counter refusal: an erased S slot */
            }
            return failed;
        }
    }
    smp_up_reply_off(c, u->len);
    if (with_match) {
        lf_cbor_enc_text_z(&c->enc, "match");
        lf_cbor_enc_bool(&c->enc, match);
    }
    return 0;
}

/* A stage-1 upload refused once its protected TLVs arrived (its payload is
 * on flash by then: docs/smp-upload.md 2.1) leaves an erased slot. The slot
 * was wholly erased when the upload began, so erasing every dirty sector
 * removes exactly what it wrote. Ascending order: the header sector goes
 * first and the "upload in progress" mark (in the last sector) last, so a
 * cut part-way leaves no header or still the mark: never a bootable image.
 * The session is ended before (it must not claim erased bytes). */
static void discard(struct lf_smp_server *s, const struct lf_flash_area *fa)
{
    int err = smp_img_erase_range(fa, 0, fa->size);
    if (err) {
        up_log(s, "smp: refused stage-1 upload not erased (%u)", (uint32_t)-err, 0);
    }
}

/* Take chunk d[0..n) at u->off (the expected offset). */
static int accept(struct lf_smp_ctx *c, const struct lf_flash_area *fa, const uint8_t *d,
                  uint32_t n)
{
    struct lf_smp_server *s = c->srv;
    struct lf_smp_upload_state *u = &s->up;
    if (u->image == 1 && !u->cnt_checked && (uint64_t)u->off + n >= u->prot_end) {
        struct up_view v = {fa, u->flushed, u->off, u->tail, d, n};
        int failed = check_prot(c, &v, u->prot_off, u->prot_end);
        if (failed) {
            session_end(s);
            discard(s, fa);
            return failed;
        }
        u->cnt_checked = true;
    }
    if (smp_up_put(u, fa, d, n) != LF_OK) {
        session_end(s);
        return lf_smp_fail_group(c, LF_SMP_IMG_ERR_FLASH_WRITE_FAILED, "fa write fail");
    }
    u->off += n;
    persist(s, fa);
    if (u->off == u->len) {
        return complete(c, fa);
    }
    return smp_up_reply_off(c, u->off);
}

/* Target slot of a new upload, or the refusal. */
static int choose_target(struct lf_smp_ctx *c, const struct smp_up_req *r,
                         const struct lf_image_header *hdr, const struct lf_flash_area **fa)
{
    struct smp_image im;
    if (r->image >= LF_SMP_IMAGES) {
        return lf_smp_fail_group(c, LF_SMP_IMG_ERR_NO_FREE_SLOT,
                                 "no such image (0 = application, 1 = stage 1)");
    }
    smp_img_load(c->srv, (uint8_t)r->image, &im);
    if (r->image == 1) {
        struct lf_stage0_handoff h;
        if (!smp_img_handoff(c->srv, &h)) {
            return smp_img_stage0_refusal(c, LF_E_STAGE0_HANDOFF);
        }
        int err = lf_stage0_check_upload(c->srv->plat->map, &h, hdr, fa);
        if (err) {
            return smp_img_stage0_refusal(c, err);
        }
    } else {
        *fa = im.slot[1].fa;
    }
    uint8_t target = r->image == 1 ? (uint8_t)(im.active ^ 1u) : 1u;
    if (!*fa) {
        return lf_smp_fail_group(c, LF_SMP_IMG_ERR_FLASH_OPEN_FAILED, "fa open fail");
    }
    if (im.in_use[target]) {
        return lf_smp_fail_group(c, LF_SMP_IMG_ERR_NO_FREE_SLOT,
                                 "slot holds an image that is pending or needed for a revert");
    }
    if (lf_flash_area_align(*fa) > LF_SMP_WRITE_ALIGN_MAX) {
        return lf_smp_fail_group(c, LF_SMP_IMG_ERR_FLASH_OPEN_FAILED, "write unit too large");
    }
    return 0;
}

/* Every check of a new upload's first chunk (nothing written yet). */
int smp_up_admit(struct lf_smp_ctx *c, const struct smp_up_req *r,
                 const struct lf_image_header *hdr, const struct lf_flash_area *fa)
{
    uint32_t max = smp_img_max_size(c->srv, (uint8_t)r->image, fa);
    if (r->len > fa->size || r->len > max) {
        return lf_smp_fail_group(c, LF_SMP_IMG_ERR_INVALID_IMAGE_TOO_LARGE,
                                 "img too large for the slot and its trailer");
    }
    int err = lf_image_header_check(hdr, max);
    if (err == LF_E_IMG_TOO_BIG) {
        return lf_smp_fail_group(c, LF_SMP_IMG_ERR_INVALID_IMAGE_TOO_LARGE,
                                 "img too large for the slot and its trailer");
    }
    if (err) {
        return lf_smp_fail_group(c, LF_SMP_IMG_ERR_INVALID_IMAGE_HEADER, lf_err_str(err));
    }
    if (r->data.len > r->len) {
        return lf_smp_fail_group(c, LF_SMP_IMG_ERR_INVALID_IMAGE_DATA_OVERRUN, "data overrun");
    }
    uint64_t end =
        (uint64_t)hdr->hdr_size + hdr->img_size + hdr->protect_tlv_size + LF_IMAGE_TLV_INFO_SIZE;
    if (end > r->len) {
        return lf_smp_fail_group(c, LF_SMP_IMG_ERR_INVALID_LENGTH,
                                 "len shorter than the image its header describes");
    }
    if (r->upgrade && r->image == 0) {
        struct lf_image_version run;
        if (running_version(c->srv, &run)) {
            return lf_smp_fail_group(c, LF_SMP_IMG_ERR_VERSION_GET_FAILED, "no running version");
        }
        if (lf_image_version_cmp(&hdr->version, &run) <= 0) {
            return lf_smp_fail_group(c, LF_SMP_IMG_ERR_CURRENT_VERSION_IS_NEWER, "downgrade");
        }
    }
    /* (image 1 is always required to be newer: lf_stage0_check_upload) */
    return 0;
}

int smp_up_erase_trailer(const struct lf_flash_area *fa)
{
    uint32_t t = lf_trailer_size(LF_BOOT_MAX_IMG_SECTORS, 3, lf_flash_area_align(fa));
    uint32_t from = t < fa->size ? fa->size - t : 0;
    return smp_img_erase_range(fa, from, fa->size - from);
}

/* Open the session: record it, then clear what a stale trailer or an older
 * image could leave behind, before the first data byte. */
static int start(struct lf_smp_ctx *c, const struct smp_up_req *r,
                 const struct lf_image_header *hdr, const struct lf_flash_area *fa)
{
    struct lf_smp_server *s = c->srv;
    struct lf_smp_upload_state *u = &s->up;
    u->active = false;
    if (u->store_ok) {
        struct lf_smp_session ss;
        memset(&ss, 0, sizeof(ss));
        ss.image = (uint8_t)r->image;
        ss.area_id = fa->id;
        ss.sha_len = (uint8_t)r->sha.len;
        ss.len = r->len;
        if (r->sha.len) {
            memcpy(ss.sha, r->sha.ptr, r->sha.len);
        }
        if (lf_smp_session_begin(&u->log, &ss) != LF_OK) {
            return lf_smp_fail_group(c, LF_SMP_IMG_ERR_FLASH_WRITE_FAILED,
                                     "upload session not recorded");
        }
    }
    memset(u->sha, 0, sizeof(u->sha));
    if (r->sha.len) {
        memcpy(u->sha, r->sha.ptr, r->sha.len);
    }
    u->sha_len = (uint8_t)r->sha.len;
    u->image = (uint8_t)r->image;
    u->area_id = fa->id;
    u->len = r->len;
    u->off = u->flushed = 0;
    u->tail_len = 0;
    u->cnt_checked = false;
    u->active = true;
    int err;
    if (u->image == 1) {
        /* Whole S slot, header sector first, then the "upload in progress"
         * mark: never bootable until `image test` (docs/stage0.md 6.2). */
        prot_range(hdr, u->len, &u->prot_off, &u->prot_end);
        err = lf_stage0_upload_begin(fa);
        u->erased_upto = fa->size;
    } else {
        err = smp_up_erase_trailer(fa);
        u->erased_upto = 0;
    }
    if (err) {
        session_end(s);
        return lf_smp_fail_group(c, LF_SMP_IMG_ERR_FLASH_ERASE_FAILED, "fa erase fail");
    }
    up_log(s, "smp: upload of %u bytes to image %u", r->len, r->image);
    return 0;
}

int smp_up_check_first(struct lf_smp_ctx *c, const struct smp_up_req *r,
                       struct lf_image_header *hdr)
{
    if (r->data.len < LF_IMAGE_HEADER_SIZE) {
        return lf_smp_fail_group(c, LF_SMP_IMG_ERR_INVALID_IMAGE_HEADER, "header malformed");
    }
    if (!r->has_len) {
        return lf_smp_fail_group(c, LF_SMP_IMG_ERR_INVALID_LENGTH, "len missing");
    }
    lf_image_header_decode(r->data.ptr, hdr);
    if (hdr->magic != LF_IMAGE_MAGIC) {
        return lf_smp_fail_group(c, LF_SMP_IMG_ERR_INVALID_IMAGE_HEADER_MAGIC, "magic mismatch");
    }
    if (r->sha.len > LF_SMP_SESSION_SHA_MAX) {
        return lf_smp_fail_group(c, LF_SMP_IMG_ERR_INVALID_HASH, "sha longer than 32 bytes");
    }
    return 0;
}

static int first_chunk(struct lf_smp_ctx *c, const struct smp_up_req *r)
{
    struct lf_smp_server *s = c->srv;
    struct lf_smp_upload_state *u = &s->up;
    struct lf_image_header hdr;
    int failed = smp_up_check_first(c, r, &hdr);
    if (failed) {
        return failed;
    }
    /* Resume: the same sha continues where the upload stopped. */
    if (r->sha.len && u->active && u->off > 0 && u->sha_len == r->sha.len &&
        memcmp(u->sha, r->sha.ptr, r->sha.len) == 0) {
        return smp_up_reply_off(c, u->off);
    }
    const struct lf_flash_area *fa = NULL;
    failed = choose_target(c, r, &hdr, &fa);
    if (!failed) {
        failed = smp_up_admit(c, r, &hdr, fa);
    }
    if (failed) {
        return failed;
    }
    bool checked = false;
    if (r->image == 1) {
        /* The security counter, now if this chunk holds all the protected
         * TLVs (or there are none): still before anything is written. */
        uint32_t po, pe;
        prot_range(&hdr, r->len, &po, &pe);
        if (pe <= r->data.len) {
            struct up_view v = {fa, 0, 0, NULL, r->data.ptr, (uint32_t)r->data.len};
            failed = check_prot(c, &v, po, pe);
            if (failed) {
                return failed;
            }
            checked = true;
        }
    } else if (r->sha.len == LF_SHA256_SIZE && already_there(fa, r)) {
        session_end(s);
        smp_up_reply_off(c, r->len);
        if (!s->cfg->legacy_rc) {
            lf_cbor_enc_text_z(&c->enc, "match");
            lf_cbor_enc_bool(&c->enc, true);
        }
        return 0;
    }
    failed = start(c, r, &hdr, fa);
    if (failed) {
        return failed;
    }
    u->cnt_checked = checked;
    return accept(c, fa, r->data.ptr, (uint32_t)r->data.len);
}

int smp_up_next_check(struct lf_smp_ctx *c, const struct smp_up_req *r,
                      const struct lf_flash_area **fa)
{
    struct lf_smp_upload_state *u = &c->srv->up;
    *fa = NULL;
    /* Zephyr: a wrong offset (or no session) is not an error; the reply
     * says which offset comes next. */
    if (!u->active || r->off != u->off) {
        return smp_up_reply_off(c, u->active ? u->off : 0);
    }
    if ((uint64_t)r->off + r->data.len > u->len) {
        return lf_smp_fail_group(c, LF_SMP_IMG_ERR_INVALID_IMAGE_DATA_OVERRUN, "data overrun");
    }
    *fa = lf_flash_map_area(c->srv->plat->map, u->area_id);
    if (!*fa) {
        return SMP_UP_GONE;
    }
    if (r->data.len == 0) {
        return smp_up_reply_off(c, u->off);
    }
    return SMP_UP_WRITE;
}

static int next_chunk(struct lf_smp_ctx *c, const struct smp_up_req *r)
{
    const struct lf_flash_area *fa;
    int res = smp_up_next_check(c, r, &fa);
    if (res == SMP_UP_WRITE) {
        return accept(c, fa, r->data.ptr, (uint32_t)r->data.len);
    }
    if (res == SMP_UP_GONE) {
        session_end(c->srv);
        return lf_smp_fail_group(c, LF_SMP_IMG_ERR_FLASH_OPEN_FAILED, "fa open fail");
    }
    return res;
}

int smp_up_decode(struct lf_smp_ctx *c, struct smp_up_req *r)
{
    struct lf_cbor_str key;
    memset(r, 0, sizeof(*r));
    while (lf_smp_next_key(c, &key)) {
        struct lf_cbor_dec *d = &c->dec;
        if (lf_cbor_str_eq(&key, "image")) {
            lf_cbor_read_u32(d, &r->image);
        } else if (lf_cbor_str_eq(&key, "data")) {
            lf_cbor_read_bytes(d, &r->data);
        } else if (lf_cbor_str_eq(&key, "len")) {
            r->has_len = lf_cbor_read_u32(d, &r->len) == LF_OK;
        } else if (lf_cbor_str_eq(&key, "off")) {
            r->has_off = lf_cbor_read_u32(d, &r->off) == LF_OK;
        } else if (lf_cbor_str_eq(&key, "sha")) {
            if (lf_cbor_peek(d) == LF_CBOR_T_NULL) {
                lf_cbor_read_null(d);
                r->sha.len = 0;
            } else {
                lf_cbor_read_bytes(d, &r->sha);
            }
        } else if (lf_cbor_str_eq(&key, "upgrade")) {
            lf_cbor_read_bool(d, &r->upgrade);
        }
    }
    return lf_smp_request_end(c);
}

int smp_img_upload(struct lf_smp_ctx *c)
{
    struct smp_up_req r;
    if (smp_up_decode(c, &r)) {
        return lf_smp_fail_rc(c, LF_SMP_RC_EINVAL, "malformed request");
    }
    if (!r.has_off) {
        return lf_smp_fail_group(c, LF_SMP_IMG_ERR_INVALID_OFFSET, "off missing");
    }
    return r.off == 0 ? first_chunk(c, &r) : next_chunk(c, &r);
}
