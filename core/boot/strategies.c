/* The strategy list, for host tools and tests (firmware names its one
 * strategy directly, so only that one is linked). */
#include "lf/boot.h"

#include <stddef.h>

const struct lf_boot_strategy *const lf_boot_strategies[LF_BOOT_STRATEGY_COUNT] = {
    &lf_boot_strategy_swap_move,
    &lf_boot_strategy_swap_scratch,
    &lf_boot_strategy_overwrite,
};

static bool lf_name_eq(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

const struct lf_boot_strategy *lf_boot_strategy_find(const char *name)
{
    for (size_t i = 0; i < LF_BOOT_STRATEGY_COUNT; i++) {
        if (lf_name_eq(lf_boot_strategies[i]->name, name)) {
            return lf_boot_strategies[i];
        }
    }
    return NULL;
}
