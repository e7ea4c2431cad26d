/*
 * HMAC-SHA256 checks for ei_hmac_sha256.c.
 *   hmac_test              RFC 4231 section 4 test cases 1-7 (case 5 compares the first 128 bits,
 *                          as the RFC does); prints "N passed, M failed"
 *   hmac_test KEYHEX MSGHEX [SPLIT]   prints the HMAC of MSG, fed in SPLIT-byte pieces (default all)
 */
#include "ei_hmac_sha256.h"
#include <stdio.h>
#include <string.h>

static size_t unhex(const char *h, uint8_t *out, size_t cap) {
    size_t n = strlen(h) / 2;
    if (n > cap) return (size_t)-1;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        if (sscanf(h + 2 * i, "%2x", &v) != 1) return (size_t)-1;
        out[i] = (uint8_t)v;
    }
    return n;
}

static void mac(const uint8_t *k, size_t kl, const uint8_t *d, size_t dl, size_t split, uint8_t out[32]) {
    ei_hmac_sha256_t m;
    ei_hmac_sha256_init(&m, k, kl);
    for (size_t i = 0; i < dl; i += split) ei_hmac_sha256_update(&m, d + i, dl - i < split ? dl - i : split);
    ei_hmac_sha256_final(&m, out);
}

struct rfc_case { const char *key, *data, *mac; size_t compare; };

/* RFC 4231 section 4.2-4.8: key, data (hex), HMAC-SHA-256 */
static const struct rfc_case CASES[] = {
    { "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "4869205468657265",
      "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7", 32 },
    { "4a656665", "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", 32 },
    { "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd",
      "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe", 32 },
    { "0102030405060708090a0b0c0d0e0f10111213141516171819",
      "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd",
      "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b", 32 },
    { "0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c", "546573742057697468205472756e636174696f6e",
      "a3b6167473100ee06e0c796c2955552b", 16 },
    { "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a65204b6579202d2048617368204b6579204669727374",
      "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54", 32 },
    { "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      "5468697320697320612074657374207573696e672061206c6172676572207468616e20626c6f636b2d73697a65206b657920616e642061206c6172676572207468616e20626c6f636b2d73697a6520646174612e20546865206b6579206e6565647320746f20626520686173686564206265666f7265206265696e6720757365642062792074686520484d414320616c676f726974686d2e",
      "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2", 32 },
};

int main(int argc, char **argv) {
    static uint8_t key[4096], data[65536];
    uint8_t out[32], want[32];
    if (argc >= 3) {
        size_t kl = unhex(argv[1], key, sizeof key), dl = unhex(argv[2], data, sizeof data);
        size_t split = 0;
        if (argc > 3) sscanf(argv[3], "%zu", &split);
        if (kl == (size_t)-1 || dl == (size_t)-1) return 2;
        mac(key, kl, data, dl, split ? split : (dl ? dl : 1), out);
        for (int i = 0; i < 32; i++) printf("%02x", out[i]);
        printf("\n");
        return 0;
    }
    int passed = 0, failed = 0;
    for (size_t c = 0; c < sizeof CASES / sizeof CASES[0]; c++) {
        size_t kl = unhex(CASES[c].key, key, sizeof key), dl = unhex(CASES[c].data, data, sizeof data);
        unhex(CASES[c].mac, want, sizeof want);
        for (size_t split = 1; split <= dl; split = split * 3 + 1) { /* every feeding pattern gives the same MAC */
            mac(key, kl, data, dl, split, out);
            if (memcmp(out, want, CASES[c].compare) != 0) {
                printf("FAIL RFC 4231 test case %zu (split %zu)\n", c + 1, split);
                failed++;
                goto next;
            }
        }
        passed++;
    next:;
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
