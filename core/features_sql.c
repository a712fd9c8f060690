/* core/features_sql.c: the fit of a feature set as one SQL SELECT
 * (sx_features_sql of core/features.h), for the dialects of core/expr.h.
 * Pure string building: no database is opened here. Shares
 * core/features_int.h with core/features.c and core/features_fit.c. */
#include "features_int.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "num.h"
#include "strbuf.h"

/* ---- the fit as SQL ---- */

static enum sx_status sql_double(struct sx_sb *b, double v, struct sx_err *err)
{
    if (!isfinite(v))
        return sx_err_set(err, SX_EINVAL, "a fitted value is %s, which SQL cannot express",
                          isnan(v) ? "undefined" : "infinite");
    sx_sql_put_double(b, v);
    return SX_OK;
}

static void sql_int(struct sx_sb *b, int64_t v)
{
    if (v == INT64_MIN)
        sx_sb_puts(b, "(-9223372036854775807 - 1)");
    else if (v < 0)
        sx_sb_printf(b, "(%lld)", (long long)v);
    else
        sx_sb_printf(b, "%lld", (long long)v);
}

static void sql_string(struct sx_sb *b, const char *s, enum sx_sql_dialect d)
{
    sx_sb_put(b, "'", 1);
    for (const char *p = s; *p; p++) {
        if (*p == '\'')
            sx_sb_puts(b, d == SX_SQL_SPARK ? "\\'" : "''");
        else if (*p == '\\' && d == SX_SQL_SPARK)
            sx_sb_puts(b, "\\\\");
        else
            sx_sb_put(b, p, 1);
    }
    sx_sb_put(b, "'", 1);
}

static const char *sql_float_type(enum sx_sql_dialect d)
{
    switch (d) {
    case SX_SQL_SQLITE: return "REAL";
    case SX_SQL_POSTGRES: return "DOUBLE PRECISION";
    default: return "DOUBLE";
    }
}

/* Column C (of type T) as a double. */
static void sql_num(struct sx_sb *b, const char *name, enum sx_type t, enum sx_sql_dialect d)
{
    if (t == SX_FLOAT) {
        sx_sql_put_ident(b, name, d);
        return;
    }
    sx_sb_puts(b, "CAST(");
    if (t == SX_BOOL && d != SX_SQL_SQLITE) {
        sx_sb_puts(b, "CAST(");
        sx_sql_put_ident(b, name, d);
        sx_sb_puts(b, " AS INTEGER)");
    } else {
        sx_sql_put_ident(b, name, d);
    }
    sx_sb_printf(b, " AS %s)", sql_float_type(d));
}

/* The SQL value of an impute-mode value. */
static enum sx_status sql_value(struct sx_sb *b, const struct colp *cp, enum sx_sql_dialect d,
                                struct sx_err *err)
{
    char buf[40];
    switch (cp->vtype) {
    case SX_FLOAT: return sql_double(b, cp->a, err);
    case SX_INT: sql_int(b, cp->iv); return SX_OK;
    case SX_BOOL:
        sx_sb_puts(b, d == SX_SQL_SQLITE ? (cp->iv ? "1" : "0") : (cp->iv ? "TRUE" : "FALSE"));
        return SX_OK;
    case SX_DATE:
        if (cp->unit == SX_SECONDS)
            sx_datetime_format(cp->iv, buf);
        else
            sx_date_format(cp->iv, buf);
        if (d != SX_SQL_SQLITE)
            sx_sb_puts(b, cp->unit == SX_SECONDS ? "TIMESTAMP " : "DATE ");
        sql_string(b, buf, d);
        return SX_OK;
    default:
        sql_string(b, cp->sv, d);
        return SX_OK;
    }
}

/* A category value of onehot as an SQL literal of the input's type. */
static void sql_key(struct sx_sb *b, const char *v, enum sx_type itype, enum sx_sql_dialect d)
{
    int64_t iv;
    if (itype == SX_INT && sx_num_parse_int(v, strlen(v), &iv))
        sql_int(b, iv);
    else
        sql_string(b, v, d);
}

/* The SELECT list of statement S (fitted as ST) over schema F, and its
 * WHERE condition (filters) into WHERE. */
static enum sx_status sql_select(const struct stmt *s, const struct step *st,
                                 const struct sx_frame *f, enum sx_sql_dialect d,
                                 struct sx_sb *b, struct sx_sb *where, struct sx_err *err)
{
    enum sx_status rc = SX_OK;
    int first = 1;
    for (size_t i = 0; i < f->ncols; i++) {
        const struct sx_column *c = f->cols[i];
        long j = -1;
        if (s->op == OP_IMPUTE || s->op == OP_CLIP || s->op == OP_STANDARDIZE ||
            s->op == OP_MINMAX || s->op == OP_DROP)
            for (size_t q = 0; q < s->ncols; q++)
                if (strcmp(s->cols[q].name, c->name) == 0)
                    j = (long)q;
        if (s->op == OP_DROP && j >= 0)
            continue;
        if (!first)
            sx_sb_puts(b, ", ");
        first = 0;
        if (j < 0 || s->op == OP_DROP) {
            sx_sql_put_ident(b, c->name, d);
            continue;
        }
        const struct colp *cp = &st->cp[j];
        if (s->op == OP_IMPUTE) {
            sx_sb_puts(b, "COALESCE(");
            if (cp->vtype == SX_FLOAT)
                sql_num(b, c->name, c->type, d);
            else
                sx_sql_put_ident(b, c->name, d);
            sx_sb_puts(b, ", ");
            rc = sql_value(b, cp, d, err);
            sx_sb_puts(b, ")");
        } else if (s->op == OP_CLIP) {
            sx_sb_puts(b, "CASE WHEN ");
            sql_num(b, c->name, c->type, d);
            sx_sb_puts(b, " < ");
            rc = sql_double(b, cp->a, err);
            sx_sb_puts(b, " THEN ");
            if (rc == SX_OK)
                rc = sql_double(b, cp->a, err);
            sx_sb_puts(b, " WHEN ");
            sql_num(b, c->name, c->type, d);
            sx_sb_puts(b, " > ");
            if (rc == SX_OK)
                rc = sql_double(b, cp->b, err);
            sx_sb_puts(b, " THEN ");
            if (rc == SX_OK)
                rc = sql_double(b, cp->b, err);
            sx_sb_puts(b, " ELSE ");
            sql_num(b, c->name, c->type, d);
            sx_sb_puts(b, " END");
        } else if (s->op == OP_STANDARDIZE) {
            sx_sb_puts(b, "(");
            sql_num(b, c->name, c->type, d);
            sx_sb_puts(b, " - ");
            rc = sql_double(b, cp->a, err);
            sx_sb_puts(b, ") / ");
            if (rc == SX_OK)
                rc = sql_double(b, cp->c, err);
        } else {
            sql_num(b, c->name, c->type, d);
            sx_sb_puts(b, " * ");
            rc = sql_double(b, cp->c, err);
            sx_sb_puts(b, " + ");
            if (rc == SX_OK)
                rc = sql_double(b, cp->d, err);
        }
        if (rc != SX_OK)
            return rc;
        sx_sb_puts(b, " AS ");
        sx_sql_put_ident(b, c->name, d);
    }
    const char *sep = first ? "" : ", ";
    switch (s->op) {
    case OP_FEATURE:
    case OP_FILTER: {
        struct sx_expr *e = sx_fi_expr_ready(s, f, err);
        if (!e)
            return err->code;
        char *q = sx_expr_sql(e, d, err);
        sx_expr_free(e);
        if (!q)
            return sx_fi_expr_err(s, err, 0);
        if (s->op == OP_FEATURE) {
            sx_sb_puts(b, sep);
            sx_sb_puts(b, "(");
            sx_sb_puts(b, q);
            sx_sb_puts(b, ") AS ");
            sx_sql_put_ident(b, s->name, d);
        } else {
            sx_sb_puts(where, "(");
            sx_sb_puts(where, q);
            sx_sb_puts(where, ")");
        }
        free(q);
        if (s->op == OP_FILTER && first)
            sx_sb_puts(b, "*");
        return SX_OK;
    }
    case OP_ONEHOT: {
        const char *col = s->cols[0].name;
        for (size_t k = 0; k < st->ncat; k++) {
            sx_sb_puts(b, k ? ", " : sep);
            sx_sb_puts(b, "CASE WHEN ");
            sx_sql_put_ident(b, col, d);
            sx_sb_puts(b, " = ");
            sql_key(b, st->cat[k], st->itype, d);
            sx_sb_puts(b, " THEN 1 ELSE 0 END AS ");
            sx_sql_put_ident(b, st->cname[k], d);
        }
        sx_sb_puts(b, ", CASE WHEN ");
        sx_sql_put_ident(b, col, d);
        sx_sb_puts(b, " IS NULL THEN 0 WHEN ");
        sx_sql_put_ident(b, col, d);
        sx_sb_puts(b, " IN (");
        for (size_t k = 0; k < st->ncat; k++) {
            if (k)
                sx_sb_puts(b, ", ");
            sql_key(b, st->cat[k], st->itype, d);
        }
        sx_sb_puts(b, ") THEN 0 ELSE 1 END AS ");
        sx_sql_put_ident(b, st->other, d);
        return SX_OK;
    }
    case OP_BINS: {
        long at = sx_frame_find(f, s->cols[0].name);
        enum sx_type t = at >= 0 ? f->cols[at]->type : SX_FLOAT;
        sx_sb_puts(b, sep);
        sx_sb_puts(b, "CASE WHEN ");
        sx_sql_put_ident(b, s->cols[0].name, d);
        sx_sb_puts(b, " IS NULL THEN NULL");
        for (size_t k = 0; k < st->nedges; k++) {
            sx_sb_puts(b, " WHEN ");
            sql_num(b, s->cols[0].name, t, d);
            sx_sb_puts(b, " <= ");
            if ((rc = sql_double(b, st->edges[k], err)) != SX_OK)
                return rc;
            sx_sb_printf(b, " THEN %zu", k);
        }
        sx_sb_printf(b, " ELSE %zu END AS ", st->nedges);
        sx_sql_put_ident(b, st->bname, d);
        return SX_OK;
    }
    case OP_PCA: {
        size_t p = s->ncols;
        for (long j = 0; j < s->k; j++) {
            sx_sb_puts(b, j ? ", " : sep);
            sx_sb_puts(b, "(");
            for (size_t a = 0; a < p; a++) {
                long at = sx_frame_find(f, s->cols[a].name);
                enum sx_type t = at >= 0 ? f->cols[at]->type : SX_FLOAT;
                if (a)
                    sx_sb_puts(b, " + ");
                sx_sb_puts(b, "(");
                sql_num(b, s->cols[a].name, t, d);
                sx_sb_puts(b, " - ");
                if ((rc = sql_double(b, st->mean[a], err)) != SX_OK)
                    return rc;
                sx_sb_puts(b, ") * ");
                if ((rc = sql_double(b, st->comp[(size_t)j * p + a], err)) != SX_OK)
                    return rc;
            }
            sx_sb_puts(b, ") AS ");
            char *name = pca_name(s->name, j + 1);
            if (!name)
                return nomem(err);
            sx_sql_put_ident(b, name, d);
            free(name);
        }
        return SX_OK;
    }
    default:
        if (first)
            return sx_err_set(err, SX_EINVAL, "%d:%d: the statement leaves no columns",
                              s->line, s->col);
        return SX_OK;
    }
}

char *sx_features_sql(const struct sx_ffit *fit, enum sx_fmode mode, enum sx_sql_dialect d,
                      const char *table, struct sx_err *err)
{
    struct sx_err local;
    if (!err)
        err = &local;
    if (!table || !*table) {
        sx_err_set(err, SX_EINVAL, "no table name");
        return NULL;
    }
    struct sx_frame *f = sx_fi_sch_frame(fit->in, fit->nin, err);
    if (!f)
        return NULL;
    const char *prefix = strncmp(table, "sx_step", 7) == 0 ? "sx_stage" : "sx_step";
    struct sx_sb out = {0}, from = {0};
    sx_sql_put_table(&from, table, d);
    size_t ncte = 0;
    enum sx_status rc = SX_OK;
    for (size_t i = 0; i < fit->spec->n && rc == SX_OK; i++) {
        const struct stmt *s = &fit->spec->st[i];
        const struct step *st = &fit->steps[i];
        if (s->op == OP_FILTER && mode == SX_FMODE_INFERENCE)
            continue;
        struct sx_sb sel = {0}, where = {0};
        rc = sql_select(s, st, f, d, &sel, &where, err);
        if (rc == SX_OK) {
            int unsure = 0;
            rc = sx_fi_sch_step(s, st, f, &unsure, err);
        }
        if (rc == SX_OK) {
            sx_sb_puts(&out, ncte ? ",\n  " : "WITH\n  ");
            sx_sb_printf(&out, "%s%zu AS (SELECT %s FROM %s", prefix, ncte + 1,
                      sel.s ? sel.s : "", from.s ? from.s : "");
            if (where.len)
                sx_sb_printf(&out, " WHERE %s", where.s);
            sx_sb_puts(&out, ")");
            ncte++;
            free(from.s);
            from = (struct sx_sb){0};
            sx_sb_printf(&from, "%s%zu", prefix, ncte);
            if (sel.oom || where.oom)
                rc = nomem(err);
        }
        free(sel.s);
        free(where.s);
    }
    if (rc == SX_OK) {
        if (ncte)
            sx_sb_puts(&out, "\n");
        sx_sb_puts(&out, "SELECT ");
        if (f->ncols == 0)
            rc = sx_err_set(err, SX_EINVAL, "the feature set leaves no columns");
        for (size_t i = 0; i < f->ncols; i++) {
            if (i)
                sx_sb_puts(&out, ", ");
            sx_sql_put_ident(&out, f->cols[i]->name, d);
        }
        sx_sb_printf(&out, " FROM %s", from.s ? from.s : "");
    }
    sx_frame_free(f);
    int oom = from.oom;
    free(from.s);
    if (rc != SX_OK) {
        free(out.s);
        return NULL;
    }
    if (oom)
        out.oom = 1;
    char *sql = sx_sb_take(&out);
    if (!sql)
        nomem(err);
    return sql;
}
