/* core/demo.h: the deterministic generator of sextant's demo data set,
 * daily energy demand per (date, region, customer segment).
 *
 * Columns, in this order:
 *   date (YYYY-MM-DD), region, season, temperature (°C, 1 decimal),
 *   humidity (%, 1 decimal, a few missing), wind (m/s, 2 decimals),
 *   price (per kWh, 4 decimals), is_holiday (true/false), customer_segment,
 *   notes (free text, mostly empty, some quoted because they hold a comma
 *   or a quote), demand (2 decimals), peak_event (0/1).
 * Rows are ordered by date, then region, then segment. Six regions every
 * year; a seventh, "highlands", appears in 2023 only. Regions and seasons
 * relate temperature and demand differently; 2020 has a regime shift from
 * mid-March (commercial and industrial demand down about 15%, residential
 * up); 2023 drifts (summer about 3 °C hotter, the new region).
 *
 * The output depends only on the options: a fixed seed (GSL's mt19937),
 * no clock, no locale. */
#ifndef SX_DEMO_H
#define SX_DEMO_H

#include <stdint.h>
#include <stdio.h>

#include "err.h"

#define SX_DEMO_SEED 20180101ul
/* The named customer segments; further ones are clones named after them:
 * residential_small_021, residential_medium_022, … */
#define SX_DEMO_SEGMENTS 20

struct sx_demo_opts {
    int year_from, year_to;   /* inclusive calendar years (default 2018..2022) */
    uint64_t rows;            /* stop after this many data rows; 0 = no cap */
    unsigned segments;        /* segments per (date, region); 0 = 20, or as
                                 many more as ROWS needs to be reached */
    unsigned long seed;       /* default SX_DEMO_SEED */
};

/* Defaults: 2018..2022, no row cap, 20 segments, SX_DEMO_SEED. */
void sx_demo_opts_init(struct sx_demo_opts *o);

/* Data rows the options produce (the header not counted). */
uint64_t sx_demo_row_count(const struct sx_demo_opts *o);

/* Write the header and the rows as CSV to OUT. ROWS_OUT (may be NULL)
 * receives the data rows written. SX_EINVAL for a bad year range, SX_EIO on
 * a write error (OUT then holds a partial file). */
enum sx_status sx_demo_write(FILE *out, const struct sx_demo_opts *o,
                             uint64_t *rows_out, struct sx_err *err);

/* Write the file PATH atomically (a temporary file in the same directory,
 * then rename), so an interrupted run never leaves a partial PATH. */
enum sx_status sx_demo_write_file(const char *path, const struct sx_demo_opts *o,
                                  uint64_t *rows_out, struct sx_err *err);

/* The demo's feature set, added and fitted on energy_train by `sextant
 * demo`: its name and its spec, the text of data/demand_features.spec
 * (core/demo_features.c; a test keeps the two identical). */
#define SX_DEMO_FEATURE_SET "demand_features"
extern const char sx_demo_feature_spec[];

/* The feature set the demo's models train on: demand_features with the
 * customer segment one-hot encoded too (most of the level of demand is the
 * segment). Its spec is sx_demo_feature_spec followed by
 * sx_demo_model_spec_extra, so the two sets never drift apart. */
#define SX_DEMO_MODEL_SET "demand_model"
extern const char sx_demo_model_spec_extra[];

#endif
