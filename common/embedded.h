/* embedded.h - files the programs carry inside them (generated into embedded.c by CMake) */
#ifndef DT_EMBEDDED_H
#define DT_EMBEDDED_H

/* schema/forms/sonla_ict_household.json: version 1 (district and the former communes), kept
 * for the cases taken on it and for tests. */
extern const char embed_forms_sonla_ict_household_json[];
/* schema/forms/sonla_ict_household_v2.json: version 2, in the units of 1 July 2025: the one
 * `collector setup` installs. */
extern const char embed_forms_sonla_ict_household_v2_json[];

/* schema/geography: the tables of units (common/geo_builtin.c). */
extern const char embed_geography_sonla_2025_csv[];
extern const char embed_geography_sonla_2025_above_csv[];

/* schema/sql/collector/NNNN_*.sql: the collector database's migrations. */
extern const char embed_collector_0001_init_sql[];
extern const char embed_collector_0002_sync_sql[];

/* schema/sql/syncd/NNNN_*.sql: the central store's migrations. */
extern const char embed_syncd_0001_init_sql[];
extern const char embed_syncd_0002_sessions_sql[];
extern const char embed_syncd_0003_review_sql[];

#endif
