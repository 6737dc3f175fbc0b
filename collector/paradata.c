/* paradata.c - how an interview was taken: times, time per question, device, versions */
#include "paradata.h"
#include "cstore.h"
#include "version.h"

#include <stdlib.h>

static void set_string(cJSON *p, const char *key, const char *value)
{
    cJSON *s = cJSON_CreateString(value ? value : "");

    if (!s)
        return;
    if (cJSON_GetObjectItemCaseSensitive(p, key))
        cJSON_ReplaceItemInObjectCaseSensitive(p, key, s);
    else
        cJSON_AddItemToObject(p, key, s);
}

static void set_number(cJSON *p, const char *key, double value)
{
    cJSON *n = cJSON_CreateNumber(value);

    if (!n)
        return;
    if (cJSON_GetObjectItemCaseSensitive(p, key))
        cJSON_ReplaceItemInObjectCaseSensitive(p, key, n);
    else
        cJSON_AddItemToObject(p, key, n);
}

cJSON *paradata_new(const char *enumerator, const char *device_id, const char *form_id,
                    int form_version, const char *source)
{
    cJSON *p = cJSON_CreateObject();
    char now[32];

    if (!p)
        return NULL;
    cstore_now(now);
    set_string(p, "started_at", now);
    set_string(p, "ended_at", "");
    set_string(p, "device_id", device_id);
    set_string(p, "enumerator", enumerator);
    set_string(p, "program_version", DT_VERSION);
    set_string(p, "form_id", form_id);
    set_number(p, "form_version", form_version);
    set_number(p, "sessions", 1);
    set_string(p, "source", source);
    if (!cJSON_AddObjectToObject(p, "seconds")) {
        cJSON_Delete(p);
        return NULL;
    }
    return p;
}

cJSON *paradata_parse(const char *text)
{
    cJSON *p = text ? cJSON_Parse(text) : NULL;

    if (cJSON_IsObject(p)) {
        if (!cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(p, "seconds"))) {
            cJSON_DeleteItemFromObjectCaseSensitive(p, "seconds");
            cJSON_AddObjectToObject(p, "seconds");
        }
        return p;
    }
    cJSON_Delete(p);
    return paradata_new("", "", "", 0, "unknown");
}

void paradata_session(cJSON *p)
{
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(p, "sessions");

    set_number(p, "sessions", (cJSON_IsNumber(s) ? s->valuedouble : 0) + 1);
    set_string(p, "program_version", DT_VERSION);
}

void paradata_add_time(cJSON *p, const char *place, double seconds)
{
    cJSON *sec = cJSON_GetObjectItemCaseSensitive(p, "seconds");
    const cJSON *was = cJSON_GetObjectItemCaseSensitive(sec, place);
    double total = (cJSON_IsNumber(was) ? was->valuedouble : 0) + seconds;

    if (!sec || seconds < 0)
        return;
    /* Tenths of a second are enough, and keep the stored text short. */
    set_number(sec, place, (double)(long long)(total * 10 + 0.5) / 10);
}

void paradata_end(cJSON *p)
{
    char now[32];

    cstore_now(now);
    set_string(p, "ended_at", now);
}

char *paradata_text(const cJSON *p)
{
    return cJSON_PrintUnformatted(p);
}
