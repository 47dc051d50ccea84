#include <string.h>

#include "args.h"
#include "cmds.h"
#include "keys.h"
#include "util.h"

struct keygen_ctx {
    const char *key;
    const char *type;
};

static const struct lfimg_opt keygen_opts[] = {
    {"key", 'k', 1, "FILE", "private key file to create (PEM, mode 0600; never overwritten)"},
    {"type", 't', 1, "TYPE", "ecdsa-p256 or ed25519"},
};

static int keygen_opt(void *vctx, int index, char **vals)
{
    struct keygen_ctx *c = vctx;
    if (index == 0) {
        c->key = vals[0];
    } else {
        c->type = vals[0];
    }
    return 0;
}

int lfimg_cmd_keygen(int argc, char **argv)
{
    struct keygen_ctx c = {0};
    char *pos[1];
    int npos;
    int rc = lfimg_parse(argc, argv, keygen_opts, 2, keygen_opt, &c, pos, 0, &npos,
                         "lfimg keygen -k FILE -t ecdsa-p256|ed25519",
                         "Generate a signing key and write it as an unencrypted PKCS#8 PEM file.");
    if (rc) {
        return rc == 1 ? LF_EXIT_OK : LF_EXIT_USAGE;
    }
    if (!c.key || !c.type) {
        lfimg_err("keygen: --key and --type are required (see --help)");
        return LF_EXIT_USAGE;
    }
    enum lf_key_type type;
    if (strcmp(c.type, "ecdsa-p256") == 0) {
        type = LF_KEY_ECDSA_P256;
    } else if (strcmp(c.type, "ed25519") == 0) {
        type = LF_KEY_ED25519;
    } else {
        lfimg_err("keygen: unknown key type '%s' (ecdsa-p256 or ed25519)", c.type);
        return LF_EXIT_USAGE;
    }
    /* refused: the file exists (keygen never overwrites a key) or cannot be made */
    return lfimg_key_generate(type, c.key) == 0 ? LF_EXIT_OK : LF_EXIT_FILE;
}
