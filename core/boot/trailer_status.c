/*
 * The swap status area: where the record of each step of an operation is
 * stored, and how progress is read back (docs/trailer.md section 3).
 */
#include "lf/trailer.h"

#include <string.h>

#include "lf/err.h"

#define LF_STATUS_NO_STEP 0xFFFFFFFFu

uint32_t lf_status_states(uint8_t kind)
{
    return kind == LF_STATUS_MOVE || kind == LF_STATUS_SCRATCH ? 3u : 0u;
}

uint32_t lf_status_steps(const struct lf_status_map *m)
{
    return lf_status_states(m->kind) * m->n;
}

uint32_t lf_status_record(const struct lf_status_map *m, uint32_t step)
{
    if (m->kind == LF_STATUS_MOVE && step >= m->n) {
        return m->max + (step - m->n); /* swap records follow the MAX move records */
    }
    return step;
}

uint8_t lf_status_value(const struct lf_status_map *m, uint32_t step)
{
    if (m->kind == LF_STATUS_MOVE) {
        return step < m->n ? 1u : (uint8_t)((step - m->n) % 2u + 1u);
    }
    return (uint8_t)(step % 3u + 1u);
}

/* Inverse of lf_status_record: the step stored at record r, or NO_STEP when
 * this operation never writes record r. */
static uint32_t lf_status_step_of(const struct lf_status_map *m, uint32_t r)
{
    if (m->kind == LF_STATUS_MOVE) {
        if (r < m->max) {
            return r < m->n ? r : LF_STATUS_NO_STEP;
        }
        uint32_t j = r - m->max;
        return j < 2u * m->n ? m->n + j : LF_STATUS_NO_STEP;
    }
    return r < 3u * m->n ? r : LF_STATUS_NO_STEP;
}

static int lf_status_map_check(const struct lf_flash_area *fa, const struct lf_status_map *m)
{
    uint32_t states = lf_status_states(m->kind);
    if (states == 0 || m->w == 0 || m->w > LF_BOOT_MAX_ALIGN || m->max == 0 ||
        m->max > LF_BOOT_MAX_IMG_SECTORS || m->n == 0 || m->n > m->max) {
        return LF_E_INVAL;
    }
    uint32_t area_len = (uint32_t)m->max * states * m->w; /* <= 256*3*8: no overflow */
    if (fa->size < lf_trailer_info_size() || m->off > fa->size - lf_trailer_info_size() ||
        area_len > fa->size - lf_trailer_info_size() - m->off) {
        return LF_E_INVAL;
    }
    return LF_OK;
}

static bool lf_unit_written(const uint8_t *u, uint32_t w, uint8_t ev)
{
    for (uint32_t i = 0; i < w; i++) {
        if (u[i] != ev) {
            return true;
        }
    }
    return false;
}

int lf_status_read(const struct lf_flash_area *fa, const struct lf_status_map *m, uint8_t *buf,
                   uint32_t buf_len, uint32_t *done)
{
    int err = lf_status_map_check(fa, m);
    if (err) {
        return err;
    }
    if (buf_len < m->w) {
        return LF_E_INVAL;
    }
    uint8_t ev = lf_flash_area_erased_val(fa);
    /* Pass 1: leading written steps, in execution order. */
    uint32_t steps = lf_status_steps(m);
    uint32_t d = 0;
    while (d < steps) {
        err = lf_flash_area_read(fa, m->off + lf_status_record(m, d) * m->w, buf, m->w);
        if (err) {
            return err;
        }
        if (!lf_unit_written(buf, m->w, ev)) {
            break;
        }
        d++;
    }
    /* Pass 2: every record of the area, in chunks; written exactly when it
     * belongs to one of the first d steps. */
    uint32_t total = (uint32_t)m->max * lf_status_states(m->kind);
    uint32_t per_chunk = buf_len / m->w;
    for (uint32_t r = 0; r < total;) {
        uint32_t k = total - r < per_chunk ? total - r : per_chunk;
        err = lf_flash_area_read(fa, m->off + r * m->w, buf, k * m->w);
        if (err) {
            return err;
        }
        for (uint32_t i = 0; i < k; i++, r++) {
            uint32_t step = lf_status_step_of(m, r);
            bool expect = step != LF_STATUS_NO_STEP && step < d;
            if (lf_unit_written(buf + i * m->w, m->w, ev) != expect) {
                return LF_E_BOOT_BAD_STATUS;
            }
        }
    }
    *done = d;
    return LF_OK;
}

int lf_status_write(const struct lf_flash_area *fa, const struct lf_status_map *m, uint32_t step)
{
    uint8_t unit[LF_BOOT_MAX_ALIGN];
    int err = lf_status_map_check(fa, m);
    if (err) {
        return err;
    }
    if (step >= lf_status_steps(m)) {
        return LF_E_RANGE;
    }
    memset(unit, lf_flash_area_erased_val(fa), sizeof(unit));
    unit[0] = lf_status_value(m, step);
    return lf_flash_area_write(fa, m->off + lf_status_record(m, step) * m->w, unit, m->w);
}
