/* core/demo.c: the demo data generator (see demo.h for the columns and the
 * story the data tells). One pass, rows formatted by hand into a large
 * buffer: 10 million rows take a few seconds. The weather is drawn once per
 * (date, region) and shared by that region's segments; demand is drawn per
 * row. Everything comes from one mt19937 stream seeded from the options. */
#include "demo.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

enum seg_kind { K_RES, K_COM, K_IND, K_PUB, K_AGR };

struct region {
    const char *name;
    double t_mean, t_amp, t_sd;  /* annual mean, seasonal amplitude, noise (°C) */
    double hum;                  /* mean relative humidity (%) */
    double wind;                 /* Weibull scale (m/s) */
    double price;                /* base price per kWh */
    double scale;                /* demand multiplier */
    double heat, cool;           /* heating / cooling sensitivity multipliers */
    int from_year;               /* first year the region exists (0 = always) */
};

static const struct region regions[] = {
    {"north",     6.0, 10.0, 2.5, 80.0, 5.5, 0.21, 1.10, 1.30, 0.50, 0},
    {"south",    16.0,  8.0, 2.0, 60.0, 3.5, 0.18, 0.95, 0.60, 1.50, 0},
    {"east",     10.0, 11.0, 2.5, 70.0, 4.5, 0.20, 1.00, 1.00, 1.00, 0},
    {"west",     11.0,  7.0, 2.0, 82.0, 6.5, 0.22, 0.90, 0.90, 0.70, 0},
    {"central",  12.0, 13.0, 3.0, 58.0, 4.0, 0.19, 1.20, 1.10, 1.40, 0},
    {"coastal",  13.0,  6.0, 1.5, 85.0, 7.5, 0.24, 0.85, 0.80, 0.80, 0},
    {"highlands", 2.0,  9.0, 3.0, 75.0, 8.0, 0.26, 0.70, 1.60, 0.30, 2023},
};
#define NREGIONS (sizeof regions / sizeof regions[0])

struct segment {
    const char *name;
    enum seg_kind kind;
    double base;                 /* mean daily demand at mild weather */
    double heat, cool;           /* sensitivity to heating / cooling degrees */
    double weekend;              /* demand factor on weekends and holidays */
    double peak;                 /* peak threshold as a multiple of base */
    double dark;                 /* extra demand at the winter solstice */
};

static const struct segment named[SX_DEMO_SEGMENTS] = {
    {"residential_small",      K_RES,    9.5, 0.55, 0.45, 1.12, 1.80, 0.08},
    {"residential_medium",     K_RES,   16.0, 0.50, 0.50, 1.10, 1.80, 0.06},
    {"residential_large",      K_RES,   27.0, 0.45, 0.60, 1.08, 1.85, 0.05},
    {"residential_heat_pump",  K_RES,   21.0, 0.95, 0.35, 1.10, 2.30, 0.00},
    {"residential_ev",         K_RES,   24.0, 0.35, 0.30, 1.15, 1.55, 0.00},
    {"commercial_office",      K_COM,  310.0, 0.30, 0.70, 0.45, 1.55, 0.04},
    {"commercial_retail",      K_COM,  240.0, 0.25, 0.60, 0.85, 1.50, 0.05},
    {"commercial_hospitality", K_COM,  180.0, 0.35, 0.65, 1.05, 1.60, 0.00},
    {"commercial_datacenter",  K_COM, 2200.0, 0.02, 0.25, 1.00, 1.15, 0.00},
    {"industrial_light",       K_IND,  950.0, 0.15, 0.20, 0.60, 1.30, 0.00},
    {"industrial_heavy",       K_IND, 5400.0, 0.05, 0.10, 0.75, 1.15, 0.00},
    {"industrial_chemical",    K_IND, 4100.0, 0.08, 0.15, 0.92, 1.17, 0.00},
    {"industrial_food",        K_IND, 1300.0, 0.10, 0.35, 0.80, 1.30, 0.00},
    {"agriculture_greenhouse", K_AGR,  720.0, 0.80, 0.20, 1.00, 1.90, 0.10},
    {"agriculture_irrigation", K_AGR,  260.0, 0.00, 0.90, 1.00, 1.80, 0.00},
    {"public_school",          K_PUB,  140.0, 0.55, 0.30, 0.30, 1.70, 0.05},
    {"public_hospital",        K_PUB,  820.0, 0.25, 0.40, 0.97, 1.35, 0.03},
    {"public_lighting",        K_PUB,   95.0, 0.00, 0.00, 1.00, 1.25, 0.35},
    {"transport_rail",         K_PUB, 1600.0, 0.20, 0.15, 0.80, 1.30, 0.02},
    {"municipal_water",        K_PUB,  430.0, 0.05, 0.30, 0.95, 1.30, 0.00},
};

/* Holidays as month * 100 + day. */
static const int holidays[] = {101, 501, 704, 1003, 1111, 1225, 1226};

/* Notes as they appear in the file (already CSV-quoted where needed). */
static const char *const notes[] = {
    "meter replaced",
    "estimated reading",
    "\"maintenance, substation 4\"",
    "storm warning",
    "\"outage, 2h\"",
    "tariff change",
    "customer moved",
    "\"billing \"\"adjusted\"\"\"",
    "grid test",
    "heat wave alert",
    "\"cold snap, reserve activated\"",
    "manual read",
};
#define NNOTES (sizeof notes / sizeof notes[0])

static const char header[] =
    "date,region,season,temperature,humidity,wind,price,is_holiday,"
    "customer_segment,notes,demand,peak_event\n";

#define NOTE_RATE     0.08       /* share of rows with a note */
#define HUM_MISS_RATE 0.004      /* share of (date, region) without humidity */
#define TWO_PI        6.283185307179586

void sx_demo_opts_init(struct sx_demo_opts *o)
{
    memset(o, 0, sizeof *o);
    o->year_from = 2018;
    o->year_to = 2022;
    o->seed = SX_DEMO_SEED;
}

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
    static const int md[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : md[m - 1];
}

/* Days since 1970-01-01 (proleptic Gregorian). */
static long days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int regions_in(int year)
{
    int n = 0;
    for (size_t r = 0; r < NREGIONS; r++)
        n += year >= regions[r].from_year;
    return n;
}

/* (date, region) pairs over the year range. */
static uint64_t region_days(const struct sx_demo_opts *o)
{
    uint64_t n = 0;
    for (int y = o->year_from; y <= o->year_to; y++)
        n += (uint64_t)(is_leap(y) ? 366 : 365) * (uint64_t)regions_in(y);
    return n;
}

static unsigned segment_count(const struct sx_demo_opts *o)
{
    if (o->segments)
        return o->segments;
    uint64_t units = region_days(o);
    if (o->rows && units && o->rows > units * SX_DEMO_SEGMENTS)
        return (unsigned)((o->rows + units - 1) / units);
    return SX_DEMO_SEGMENTS;
}

static int valid_years(const struct sx_demo_opts *o)
{
    return o->year_from >= 1900 && o->year_to <= 9999 && o->year_from <= o->year_to;
}

uint64_t sx_demo_row_count(const struct sx_demo_opts *o)
{
    if (!valid_years(o))
        return 0;
    uint64_t n = region_days(o) * segment_count(o);
    return o->rows && o->rows < n ? o->rows : n;
}

/* Segment I: one of the named ones, or a clone of named segment I % 20
 * called NAME_NNN (residential_small_021, …: rows as long as the named
 * ones', so big files keep the demo's bytes per row) with its size scaled
 * by a fixed factor. */
static void segment_at(unsigned i, struct segment *s, char *name, size_t size)
{
    *s = named[i % SX_DEMO_SEGMENTS];
    if (i < SX_DEMO_SEGMENTS)
        return;
    uint32_t h = (uint32_t)i * 2654435761u;
    s->base *= 0.6 + 0.8 * (double)((h >> 8) & 0xffff) / 65535.0;
    snprintf(name, size, "%s_%03u", named[i % SX_DEMO_SEGMENTS].name, i + 1);
    s->name = name;
}

/* Append V with DEC decimals (0..4), rounded half away from zero; never "-0". */
static char *put_fixed(char *p, double v, int dec)
{
    static const double scale[] = {1.0, 10.0, 100.0, 1000.0, 10000.0};
    long long x = llround(v * scale[dec]);
    char tmp[32];
    int n = 0;
    if (x < 0) {
        *p++ = '-';
        x = -x;
    }
    do {
        tmp[n++] = (char)('0' + x % 10);
        x /= 10;
    } while (x || n <= dec);
    for (int i = n - 1; i >= dec; i--)
        *p++ = tmp[i];
    if (dec) {
        *p++ = '.';
        for (int i = dec - 1; i >= 0; i--)
            *p++ = tmp[i];
    }
    return p;
}

static char *put_str(char *p, const char *s)
{
    size_t n = strlen(s);
    memcpy(p, s, n);
    return p + n;
}

static char *put_2d(char *p, int v)
{
    *p++ = (char)('0' + v / 10);
    *p++ = (char)('0' + v % 10);
    return p;
}

static const char *season_of(int m)
{
    if (m == 12 || m <= 2) return "winter";
    if (m <= 5) return "spring";
    if (m <= 8) return "summer";
    return "autumn";
}

static double price_level(int y)
{
    static const double lv[] = {1.00, 1.03, 0.91, 1.12, 1.68, 1.38};
    if (y < 2018) return 1.0 - 0.02 * (2018 - y) > 0.5 ? 1.0 - 0.02 * (2018 - y) : 0.5;
    if (y > 2023) return 1.38 * (1.0 + 0.02 * (y - 2023));
    return lv[y - 2018];
}

/* The 2020 regime shift (as in a pandemic year) from 15 March. */
static double regime(enum seg_kind k, int y, int m, int d)
{
    if (y != 2020 || m < 3 || (m == 3 && d < 15))
        return 1.0;
    switch (k) {
    case K_COM: case K_IND: return 0.85;
    case K_RES: return 1.12;
    case K_PUB: return 0.93;
    case K_AGR: return 1.0;
    }
    return 1.0;
}

struct out_buf {
    FILE *fp;
    char *buf;
    size_t len, cap;
    int failed;
};

static void ob_flush(struct out_buf *ob)
{
    if (ob->len && !ob->failed && fwrite(ob->buf, 1, ob->len, ob->fp) != ob->len)
        ob->failed = 1;
    ob->len = 0;
}

enum sx_status sx_demo_write(FILE *out, const struct sx_demo_opts *o,
                             uint64_t *rows_out, struct sx_err *err)
{
    struct sx_demo_opts defaults;
    if (!o) {
        sx_demo_opts_init(&defaults);
        o = &defaults;
    }
    if (rows_out)
        *rows_out = 0;
    if (!valid_years(o))
        return sx_err_set(err, SX_EINVAL, "demo: bad year range %d..%d",
                          o->year_from, o->year_to);

    unsigned nseg = segment_count(o);
    struct segment *segs = calloc(nseg, sizeof *segs);
    char (*names)[40] = calloc(nseg, sizeof *names);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    struct out_buf ob = {out, malloc(1u << 18), 0, 1u << 18, 0};
    if (!segs || !names || !rng || !ob.buf) {
        free(segs);
        free(names);
        if (rng) gsl_rng_free(rng);
        free(ob.buf);
        return sx_err_set(err, SX_ENOMEM, "demo: out of memory");
    }
    for (unsigned i = 0; i < nseg; i++)
        segment_at(i, &segs[i], names[i], sizeof names[i]);
    gsl_rng_set(rng, o->seed ^ ((unsigned long)o->year_from * 2654435761ul));

    uint64_t cap = o->rows, written = 0;
    double ar[NREGIONS] = {0};
    ob.len = strlen(header);
    memcpy(ob.buf, header, ob.len);

    for (int y = o->year_from; y <= o->year_to && (!cap || written < cap); y++) {
        double trend = 1.0 + 0.012 * (y - 2018);
        for (int m = 1; m <= 12 && (!cap || written < cap); m++) {
            for (int d = 1; d <= month_days(y, m) && (!cap || written < cap); d++) {
                long days = days_from_civil(y, m, d);
                int doy = (int)(days - days_from_civil(y, 1, 1)) + 1;
                int wday = (int)(((days % 7) + 11) % 7);   /* 0 = Sunday; 1970-01-01 was a Thursday */
                int weekend = wday == 0 || wday == 6;
                int holiday = 0;
                for (size_t h = 0; h < sizeof holidays / sizeof holidays[0]; h++)
                    holiday |= holidays[h] == m * 100 + d;
                double season_wave = cos(TWO_PI * (doy - 200) / 365.25);
                double winter_wave = cos(TWO_PI * (doy - 15) / 365.25);
                double dark_wave = cos(TWO_PI * (doy + 10) / 365.25);   /* peaks at 21 Dec */
                const char *season = season_of(m);
                int hot_summer = y == 2023 && m >= 6 && m <= 8;

                for (size_t r = 0; r < NREGIONS && (!cap || written < cap); r++) {
                    const struct region *rg = &regions[r];
                    if (y < rg->from_year)
                        continue;
                    ar[r] = 0.75 * ar[r] + gsl_ran_gaussian_ziggurat(rng, rg->t_sd);
                    double temp = rg->t_mean + 0.03 * (y - 2018) + rg->t_amp * season_wave
                                  + ar[r] + (hot_summer ? 3.0 : 0.0);
                    double hum = rg->hum - 0.9 * (temp - rg->t_mean)
                                 + gsl_ran_gaussian_ziggurat(rng, 7.0);
                    hum = hum < 8.0 ? 8.0 : hum > 100.0 ? 100.0 : hum;
                    int hum_missing = gsl_rng_uniform(rng) < HUM_MISS_RATE;
                    double wind = gsl_ran_weibull(rng, rg->wind * (1.0 + 0.25 * winter_wave), 2.0);
                    double price = rg->price * (1.0 + 0.12 * winter_wave) * price_level(y)
                                   + gsl_ran_gaussian_ziggurat(rng, 0.008);
                    if (price < 0.01) price = 0.01;
                    temp = round(temp * 10.0) / 10.0;      /* demand sees what the file says */

                    char pre[192], *p = pre;
                    p = put_fixed(p, y, 0);
                    *p++ = '-';
                    p = put_2d(p, m);
                    *p++ = '-';
                    p = put_2d(p, d);
                    *p++ = ',';
                    p = put_str(p, rg->name);
                    *p++ = ',';
                    p = put_str(p, season);
                    *p++ = ',';
                    p = put_fixed(p, temp, 1);
                    *p++ = ',';
                    if (!hum_missing)
                        p = put_fixed(p, hum, 1);
                    *p++ = ',';
                    p = put_fixed(p, wind, 2);
                    *p++ = ',';
                    p = put_fixed(p, price, 4);
                    *p++ = ',';
                    p = put_str(p, holiday ? "true," : "false,");
                    size_t prelen = (size_t)(p - pre);

                    double hd = temp < 15.5 ? 15.5 - temp : 0.0;
                    double cd = temp > 22.0 ? temp - 22.0 : 0.0;
                    double humid = 1.0 + (hum - 60.0) / 200.0;
                    for (unsigned s = 0; s < nseg && (!cap || written < cap); s++) {
                        const struct segment *sg = &segs[s];
                        double eff = 1.0 + sg->heat * rg->heat * hd / 10.0
                                     + sg->cool * rg->cool * cd / 8.0 * humid
                                     + sg->dark * dark_wave;
                        double day = (weekend || holiday) ? sg->weekend : 1.0;
                        double base = sg->base * rg->scale * trend;
                        double demand = base * eff * day * regime(sg->kind, y, m, d)
                                        * (1.0 + gsl_ran_gaussian_ziggurat(rng, 0.07));
                        if (demand < 0.0) demand = 0.0;
                        int peak = demand > base * sg->peak;
                        const char *note = NULL;
                        if (gsl_rng_uniform(rng) < NOTE_RATE)
                            note = notes[gsl_rng_uniform_int(rng, NNOTES)];

                        if (ob.cap - ob.len < 512)
                            ob_flush(&ob);
                        char *q = ob.buf + ob.len;
                        memcpy(q, pre, prelen);
                        q += prelen;
                        q = put_str(q, sg->name);
                        *q++ = ',';
                        if (note)
                            q = put_str(q, note);
                        *q++ = ',';
                        q = put_fixed(q, demand, 2);
                        *q++ = ',';
                        *q++ = peak ? '1' : '0';
                        *q++ = '\n';
                        ob.len = (size_t)(q - ob.buf);
                        written++;
                    }
                }
            }
        }
    }
    ob_flush(&ob);
    if (!ob.failed && fflush(out) != 0)
        ob.failed = 1;
    free(ob.buf);
    free(segs);
    free(names);
    gsl_rng_free(rng);
    if (ob.failed)
        return sx_err_set(err, SX_EIO, "demo: write failed: %s", strerror(errno));
    if (rows_out)
        *rows_out = written;
    return SX_OK;
}

enum sx_status sx_demo_write_file(const char *path, const struct sx_demo_opts *o,
                                  uint64_t *rows_out, struct sx_err *err)
{
    char *tmp = NULL;
    if (asprintf(&tmp, "%s.XXXXXX", path) < 0)
        return sx_err_set(err, SX_ENOMEM, "demo: out of memory");
    int fd = mkstemp(tmp);
    if (fd < 0) {
        enum sx_status rc = sx_err_set(err, SX_EIO, "%s: %s", path, strerror(errno));
        free(tmp);
        return rc;
    }
    enum sx_status rc = SX_OK;
    FILE *fp = fdopen(fd, "wb");
    if (!fp) {
        rc = sx_err_set(err, SX_EIO, "%s: %s", tmp, strerror(errno));
        close(fd);
        goto out;
    }
    (void)fchmod(fd, 0644);
    rc = sx_demo_write(fp, o, rows_out, err);
    if (fclose(fp) != 0 && rc == SX_OK)
        rc = sx_err_set(err, SX_EIO, "%s: %s", tmp, strerror(errno));
    if (rc == SX_OK && rename(tmp, path) != 0)
        rc = sx_err_set(err, SX_EIO, "%s: %s", path, strerror(errno));
out:
    if (rc != SX_OK)
        unlink(tmp);
    free(tmp);
    return rc;
}
