/* export_names.c - names of people in exports: which questions hold them (direct identifiers
 * and the calculations that read one), and the keyed hashes that replace them unless names are
 * asked for (docs/exports.md, "Names of people") */
#include "export_int.h"
#include "expr.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define HASH_BYTES crypto_generichash_BYTES_MIN /* 16; the pseudonym shows the first 8 */

/* Marks the calculations of f that read a marked question (names: f's questions), in the
 * evaluation order, so that a calculation reading another one that reads a name is marked
 * too: concat(${m_name}, ...) would otherwise carry the name out. */
static void mark_calculations(const form *f, unsigned char *names)
{
    int n;
    const int *order = form_eval_order(f, &n);

    for (int k = 0; k < n; k++) {
        const form_question *q = form_q(f, order[k]);
        size_t nrefs;
        const int *refs;
        if (q->type != Q_CALCULATE || names[q->index] || !q->calculation)
            continue;
        refs = expr_refs(q->calculation, &nrefs);
        for (size_t i = 0; i < nrefs && !names[q->index]; i++)
            names[q->index] = names[refs[i]];
    }
}

int exp_names_begin(exp_ctx *x, dt_err *err)
{
    int nq = form_nquestions(x->f), any = 0, rc;
    size_t len = 0;

    if (!(x->names = calloc((size_t)nq + 1, 1)))
        return err_set(err, DT_ENOMEM, "out of memory");
    for (int q = 0; q < nq; q++)
        x->names[q] = (unsigned char)form_q(x->f, q)->identifier;
    mark_calculations(x->f, x->names);
    for (int q = 0; q < nq; q++) {
        if (!x->names[q])
            continue;
        any = 1;
        int n = snprintf(x->sum->names + len, sizeof(x->sum->names) - len, "%s%s", len ? ", " : "",
                         form_q(x->f, q)->name);
        if (n > 0 && (size_t)n < sizeof(x->sum->names) - len)
            len += (size_t)n;
    }
    x->pseudonymise = any && !x->o->with_names;
    x->sum->names_hashed = x->pseudonymise;
    if (x->pseudonymise && (rc = store_pseudonym_key(x->s, x->pn_key, err)))
        return rc;
    return DT_OK;
}

int exp_names_version(const exp_ctx *x, exp_vmap *m)
{
    int nq = form_nquestions(m->f);

    if (!(m->names = calloc((size_t)nq + 1, 1)))
        return DT_ENOMEM;
    /* The newest version says which questions name people, for the older ones too (by name,
     * as the columns are matched): marking one in a new version covers every case. */
    for (int j = 0; j < nq; j++) {
        int q = m->f == x->f ? j : form_find(x->f, form_q(m->f, j)->name);
        m->names[j] = q >= 0 && x->names[q];
    }
    mark_calculations(m->f, m->names);
    return DT_OK;
}

void exp_names_end(exp_ctx *x)
{
    sodium_memzero(x->pn_key, sizeof(x->pn_key));
    free(x->names);
    x->names = NULL;
}

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

size_t exp_pseudonym(const exp_ctx *x, const char *s, size_t len, char out[EXP_PN_SIZE])
{
    crypto_generichash_state st;
    unsigned char h[HASH_BYTES], chunk[256];
    size_t n = 0, total = 0;
    int space = 0;

    /* The text as a person would read it: no outer spaces, one space between words, A-Z as
     * a-z; other bytes as they are (no Unicode case folding or normalisation here). */
    crypto_generichash_init(&st, x->pn_key, sizeof(x->pn_key), sizeof(h));
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (is_space(c)) {
            space = total > 0 || n > 0;
            continue;
        }
        if (n + 2 > sizeof(chunk)) {
            crypto_generichash_update(&st, chunk, n);
            total += n;
            n = 0;
        }
        if (space)
            chunk[n++] = ' ';
        space = 0;
        chunk[n++] = c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
    }
    total += n;
    if (!total) {
        out[0] = '\0';
        return 0;
    }
    crypto_generichash_update(&st, chunk, n);
    crypto_generichash_final(&st, h, sizeof(h));
    memcpy(out, EXP_PN_PREFIX, sizeof(EXP_PN_PREFIX) - 1);
    sodium_bin2hex(out + sizeof(EXP_PN_PREFIX) - 1, EXP_PN_HEX + 1, h, EXP_PN_HEX / 2);
    sodium_memzero(chunk, sizeof(chunk));
    return EXP_PN_SIZE - 1;
}

/* The pseudonym that replaces v (a text, or a calculation's number), or NULL for nothing that
 * could name anyone (null, a boolean); an array or object, which no text answer is, becomes
 * null rather than go out as it is. */
static cJSON *pseudonym_of(const exp_ctx *x, const cJSON *v, int *nomem)
{
    char pn[EXP_PN_SIZE], num[EXP_NUM_TEXT];
    cJSON *r;

    if (cJSON_IsString(v)) {
        exp_pseudonym(x, v->valuestring, strlen(v->valuestring), pn);
        r = cJSON_CreateString(pn);
    } else if (cJSON_IsNumber(v)) {
        exp_num_text(v->valuedouble, num, sizeof(num));
        exp_pseudonym(x, num, strlen(num), pn);
        r = cJSON_CreateString(pn);
    } else if (cJSON_IsArray(v) || cJSON_IsObject(v)) {
        r = cJSON_CreateNull();
    } else {
        return NULL;
    }
    if (!r)
        *nomem = 1;
    return r;
}

static void replace_names(const exp_ctx *x, const exp_vmap *vm, cJSON *node, int *nomem)
{
    cJSON *it = node ? node->child : NULL;

    while (it && !*nomem) {
        cJSON *next = it->next;
        int q = cJSON_IsObject(node) && it->string ? form_find(vm->f, it->string) : -1;
        if (q >= 0 && vm->names[q]) {
            cJSON *r = pseudonym_of(x, it, nomem);
            if (r && !cJSON_ReplaceItemInObjectCaseSensitive(node, it->string, r)) {
                cJSON_Delete(r);
                *nomem = 1;
            }
        } else if (cJSON_IsArray(it) || cJSON_IsObject(it)) {
            replace_names(x, vm, it, nomem); /* a repeat: its instances */
        }
        it = next;
    }
}

int exp_names_json(const exp_ctx *x, const exp_vmap *vm, cJSON *answers)
{
    int nomem = 0;

    if (!x->pseudonymise)
        return DT_OK;
    replace_names(x, vm, answers, &nomem);
    return nomem ? DT_ENOMEM : DT_OK;
}

const char *exp_names_note(const exp_ctx *x, int q)
{
    const form_question *fq = q >= 0 ? form_q(x->f, q) : NULL;

    if (!fq || !x->names[q])
        return NULL;
    if (!x->pseudonymise)
        return fq->identifier ? "names people: exported in clear (--with-names)"
                              : "reads a question that names people: exported in clear "
                                "(--with-names)";
    return fq->identifier
               ? "names people: each value is replaced by its keyed hash, pn_ and 16 hex digits "
                 "(the same name, the same value in every export of this store; outer spaces "
                 "removed, inner runs made one space and A-Z lower-cased first); --with-names "
                 "gives the names (docs/exports.md)"
               : "reads a question that names people: each value is replaced by its keyed hash, "
                 "as the names are (docs/exports.md)";
}
