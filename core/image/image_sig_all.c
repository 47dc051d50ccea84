/*
 * Every signature algorithm, for host tools and tests. Kept in its own file
 * so that firmware that names only the algorithms it trusts does not link
 * the others.
 */
#include "lf/image.h"

const struct lf_image_sig_alg *const lf_image_sig_algs_all[LF_IMAGE_SIG_ALGS_ALL_COUNT] = {
    &lf_image_sig_ecdsa_p256,
    &lf_image_sig_ed25519,
};
