/* synth.c - a synthetic Sơn La province for benchmarks and load tests */
#include "synth.h"

#include "geo.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

/* The province's units (the programs' own table), loaded once for every thread. */
static geo_table *units;
static pthread_once_t units_once = PTHREAD_ONCE_INIT;

static void load_units(void)
{
    dt_err err;

    if (geo_builtin(&units, "sonla_2025", &err)) {
        fprintf(stderr, "synth: %s\n", err.msg);
        abort();
    }
}
static const char *const family[] = {"Lò",   "Cầm",    "Quàng", "Lường", "Vì",   "Giàng",
                                     "Sồng", "Nguyễn", "Hà",    "Đinh",  "Tòng", "Mùa"};
static const char *const given_m[] = {"Văn Minh", "Văn Khánh", "A Dình",   "Văn Thắng",
                                      "Văn Hùng", "A Páo",     "Văn Tiến", "Đức Anh"};
static const char *const given_f[] = {"Thị Ươi",  "Thị Ngọc Ánh", "Thị Dung", "Thị Mai",
                                      "Thị Pằng", "Thị Hoa",      "Thị Lan",  "Thị Xuân"};
static const char *const villages[] = {"Bản Áng",         "Bản Nà Ka",  "Bản Hua Tạt",
                                       "Bản Pá Khoang",   "Bản Co Sại", "Bản Mòng",
                                       "Bản Phiêng Luông"};

void synth_seed(synth_rng *r, uint64_t seed)
{
    r->s = seed ? seed : 0x9E3779B97F4A7C15ull;
}

static uint64_t next(synth_rng *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 0x2545F4914F6CDD1Dull;
}

int synth_int(synth_rng *r, int lo, int hi)
{
    return lo + (int)(next(r) % (uint64_t)(hi - lo + 1));
}

int synth_chance(synth_rng *r, double p)
{
    return (double)(next(r) >> 11) / 9007199254740992.0 < p;
}

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static void add_name(synth_rng *r, cJSON *m, int female)
{
    char name[128];

    snprintf(name, sizeof(name), "%s %s", family[synth_int(r, 0, N(family) - 1)],
             female ? given_f[synth_int(r, 0, N(given_f) - 1)]
                    : given_m[synth_int(r, 0, N(given_m) - 1)]);
    cJSON_AddStringToObject(m, "m_name", name);
}

/* One member; returns 1 when they own a smartphone. */
static int add_member(synth_rng *r, cJSON *arr, int rel, int age, int female, double online)
{
    cJSON *m = cJSON_CreateObject();
    int smart = 0;

    cJSON_AddItemToArray(arr, m);
    add_name(r, m, female);
    cJSON_AddNumberToObject(m, "m_rel", rel);
    cJSON_AddNumberToObject(m, "m_sex", female ? 2 : 1);
    cJSON_AddNumberToObject(m, "m_age", age);
    if (age < 5)
        return 0;
    int mobile = synth_chance(r, age >= 15 ? 0.85 : 0.35);
    smart = mobile && synth_chance(r, 0.8);
    int inet = smart ? synth_chance(r, 0.9) : synth_chance(r, online * 0.3);
    cJSON_AddNumberToObject(m, "m_internet", inet ? 1 : 2);
    cJSON_AddNumberToObject(m, "m_own_mobile", mobile ? 1 : 2);
    cJSON_AddNumberToObject(m, "m_own_smart", smart ? 1 : 2);
    if (age >= 15) {
        cJSON *epay = cJSON_AddArrayToObject(m, "m_epay");
        int any = 0;
        if (smart && synth_chance(r, 0.6)) {
            cJSON_AddItemToArray(epay, cJSON_CreateNumber(1));
            any = 1;
        }
        if (smart && synth_chance(r, 0.3)) {
            cJSON_AddItemToArray(epay, cJSON_CreateNumber(2));
            any = 1;
        }
        if (mobile && synth_chance(r, 0.25)) {
            cJSON_AddItemToArray(epay, cJSON_CreateNumber(3));
            any = 1;
        }
        if (!any)
            cJSON_AddItemToArray(epay, cJSON_CreateNumber(9));
        cJSON_AddNumberToObject(m, "m_egov", inet && synth_chance(r, 0.4) ? 1 : 2);
    }
    return smart;
}

static int add_members(synth_rng *r, cJSON *ans, double online)
{
    cJSON *arr = cJSON_AddArrayToObject(ans, "members");
    int size = synth_int(r, 1, 100) <= 8 ? 1 : synth_int(r, 2, 8);
    int head_age = synth_int(r, 22, 75), head_female = synth_chance(r, 0.2), smart = 0;

    smart += add_member(r, arr, 1, head_age, head_female, online);
    for (int i = 1; i < size; i++) {
        if (i == 1 && synth_chance(r, 0.85)) {
            int age = head_age + synth_int(r, -6, 6);
            smart += add_member(r, arr, 2,
                                age < 15    ? 15
                                : age > 120 ? 120
                                            : age,
                                !head_female, online);
        } else if (head_age >= 60 && synth_chance(r, 0.3)) {
            smart +=
                add_member(r, arr, 4, synth_int(r, 0, head_age - 40), synth_chance(r, 0.5), online);
        } else if (head_age <= 50 && synth_chance(r, 0.1)) {
            smart += add_member(
                r, arr, 5, synth_int(r, head_age + 16, head_age + 45 > 110 ? 110 : head_age + 45),
                synth_chance(r, 0.5), online);
        } else {
            int hi = head_age - 15 < 0 ? 0 : head_age - 15;
            smart += add_member(r, arr, synth_chance(r, 0.9) ? 3 : 6,
                                synth_int(r, 0, hi > 50 ? 50 : hi), synth_chance(r, 0.5), online);
        }
    }
    cJSON_AddNumberToObject(ans, "hh_size", size);
    return smart;
}

cJSON *synth_household(synth_rng *r, long n)
{
    return synth_household_version(r, n, 1);
}

/* The household's place: a unit of today, and for version 1 one of the former units it was
 * made from (with the first of the unit's former districts: a unit made from two districts
 * gives the first). Returns the district. */
static int place(synth_rng *r, cJSON *ans, int version)
{
    const geo_unit *u;
    const geo_pred *p;

    pthread_once(&units_once, load_units);
    u = geo_at(units, synth_int(r, 0, geo_count(units) - 1));
    p = &u->preds[synth_int(r, 0, u->npreds - 1)];
    if (version >= 2) {
        cJSON_AddNumberToObject(ans, "commune", (double)strtol(u->code, NULL, 10));
    } else {
        cJSON_AddNumberToObject(ans, "district", (double)strtol(u->districts[0], NULL, 10));
        cJSON_AddStringToObject(ans, "commune_code", p->code);
        cJSON_AddStringToObject(ans, "commune_name", p->name);
    }
    return (int)strtol(u->districts[0], NULL, 10);
}

cJSON *synth_household_version(synth_rng *r, long n, int version)
{
    cJSON *doc = cJSON_CreateObject(), *ans;
    char buf[64];
    int district;

    if (!doc)
        return NULL;
    cJSON_AddStringToObject(doc, "form_id", "sonla_ict_household");
    cJSON_AddNumberToObject(doc, "form_version", version >= 2 ? 2 : 1);
    ans = cJSON_AddObjectToObject(doc, "answers");
    district = place(r, ans, version);
    cJSON_AddStringToObject(ans, "village", villages[synth_int(r, 0, N(villages) - 1)]);
    cJSON_AddNumberToObject(ans, "hh_number", (double)(n % 9999 + 1));
    snprintf(buf, sizeof(buf), "%s %s", family[synth_int(r, 0, N(family) - 1)],
             given_m[synth_int(r, 0, N(given_m) - 1)]);
    cJSON_AddStringToObject(ans, "resp_name", buf);
    if (synth_chance(r, 0.02)) {
        cJSON_AddNumberToObject(ans, "consent", 2);
        return doc;
    }
    cJSON_AddNumberToObject(ans, "consent", 1);

    /* Towns (Sơn La city, Mộc Châu, Mai Sơn) are better connected. */
    double online = district == 116 || district == 123 || district == 125 ? 0.9 : 0.6;
    int fixed = synth_chance(r, online * 0.8);
    cJSON_AddNumberToObject(ans, "fixed_bb", fixed ? 1 : 2);
    if (fixed)
        cJSON_AddNumberToObject(ans, "fixed_bb_type", synth_chance(r, 0.9) ? 1 : 2);
    int sig = synth_chance(r, 0.9) ? 4 : synth_int(r, 1, 3);
    cJSON_AddNumberToObject(ans, "signal", sig);
    cJSON_AddNumberToObject(ans, "computer", synth_chance(r, 0.25) ? 1 : 2);
    int smart = add_members(r, ans, online);
    cJSON_AddNumberToObject(ans, "n_smartphones", smart + (synth_chance(r, 0.1) ? 1 : 0));
    int inet = fixed || (smart > 0 && synth_chance(r, 0.8));
    cJSON_AddNumberToObject(ans, "internet", inet ? 1 : 2);
    if (!inet)
        cJSON_AddNumberToObject(ans, "noint_reason", synth_int(r, 1, 7));
    return doc;
}
