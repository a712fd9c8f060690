/* core/expr.h: sextant's expression language, evaluated column-at-a-time
 * over an sx_frame. Pure: no I/O, no allocation beyond the result, bounded
 * length (SX_EXPR_MAX_LEN bytes) and nesting depth (SX_EXPR_MAX_DEPTH), so
 * an expression cannot hang or exhaust memory.
 *
 * Grammar (lowest precedence first):
 *   expr    := or
 *   or      := and ("or" and)*
 *   and     := not ("and" not)*
 *   not     := "not" not | cmp
 *   cmp     := add (("=" | "==" | "!=" | "<>" | "<" | "<=" | ">" | ">=") add
 *                  | ["not"] "between" add "and" add
 *                  | ["not"] "in" "(" expr ("," expr)* ")"
 *                  | "is" ["not"] "null")?
 *   add     := mul (("+" | "-") mul)*
 *   mul     := unary (("*" | "/" | "%") unary)*
 *   unary   := "-" unary | pow
 *   pow     := atom ("^" unary)?            (right-associative)
 *   atom    := NUMBER | 'string' ('' escapes a quote) | true | false | null
 *            | NAME | "any name" ("" escapes) | NAME "(" [expr ("," expr)*] ")"
 *            | "(" expr ")"
 * Functions: if(c,a,b) coalesce(…) is_missing(x) log log1p exp sqrt abs
 *   pow min max clip(x,lo,hi) round(x[,digits]) floor ceil sign; on dates
 *   year month day dayofweek (Monday=0, as pandas) dayofyear quarter week
 *   (ISO) season (meteorological, northern hemisphere: "winter" for Dec–Feb
 *   …); on text lower upper length contains(s, sub).
 *
 * Types: number (int64 or float64; int op int stays int except / and ^),
 * bool, string (category or text columns, string literals), date (days or
 * seconds). Checked before evaluation against the frame's schema. Missing
 * values propagate (null in, null out) except in coalesce, is_missing and
 * comparisons/and/or/not, which follow SQL's three-valued logic (a filter
 * keeps only rows where the condition is true). Division by zero and a log
 * of a non-positive number give null (missing), never inf or NaN.
 *
 * Errors carry the 1-based line and column of the offending token in
 * ERR->msg as "LINE:COL: what"; sx_expr_caret() renders the source line
 * with a caret under that column for people. */
#ifndef SX_EXPR_H
#define SX_EXPR_H

#include <stddef.h>

#include "err.h"
#include "frame.h"

#define SX_EXPR_MAX_LEN   4096
#define SX_EXPR_MAX_DEPTH 64

struct sx_expr;

/* Parse SRC (at most SX_EXPR_MAX_LEN bytes). Returns a new expression
 * (sx_expr_free()) or NULL with ERR ("LINE:COL: expected ')'"); *ERR_COL
 * (may be NULL) receives the 1-based column of the error, 0 if none. */
struct sx_expr *sx_expr_parse(const char *src, struct sx_err *err, int *err_col);
void sx_expr_free(struct sx_expr *e);

/* Resolve column names against SCHEMA (a frame; only its column names and
 * types are read) and check types. Must succeed before sx_expr_eval. On
 * error fills ERR like sx_expr_parse and *ERR_COL. */
enum sx_status sx_expr_check(struct sx_expr *e, const struct sx_frame *schema,
                             struct sx_err *err, int *err_col);

/* The column type the checked expression yields (SX_FLOAT, SX_INT,
 * SX_BOOL, SX_DATE with *UNIT, or SX_CATEGORY for strings). */
enum sx_type sx_expr_type(const struct sx_expr *e, enum sx_date_unit *unit);

/* Evaluate the checked expression over every row of F (which must have the
 * schema it was checked against) into a new column NAME. */
struct sx_column *sx_expr_eval(const struct sx_expr *e, const struct sx_frame *f,
                               const char *name, struct sx_err *err);

/* Evaluate a checked bool expression as a filter: MASK[i] = 1 where it is
 * true, 0 where false or missing. MASK has f->nrows bytes. */
enum sx_status sx_expr_eval_mask(const struct sx_expr *e, const struct sx_frame *f,
                                 uint8_t *mask, struct sx_err *err);

/* SQL dialects for export. */
enum sx_sql_dialect { SX_SQL_SQLITE, SX_SQL_POSTGRES, SX_SQL_DUCKDB, SX_SQL_SPARK };
/* Parse "sqlite", "postgres", "duckdb", "spark". */
enum sx_status sx_sql_dialect_parse(const char *s, enum sx_sql_dialect *out, struct sx_err *err);
/* Quote NAME as an SQL identifier ("…", "" doubled; backquotes for Spark).
 * New string (free()). */
char *sx_sql_ident(const char *name, enum sx_sql_dialect d);
/* Generated SQL is built in a growing string (core/strbuf.h); these append
 * to B (setting B->oom when out of memory): NAME quoted (sx_sql_ident);
 * TABLE quoted part by part (schema.table); the finite number V as a
 * literal that reads back as V (%.17g, ".0" added to a whole number, a
 * negative one in parentheses). */
struct sx_sb;
void sx_sql_put_ident(struct sx_sb *b, const char *name, enum sx_sql_dialect d);
void sx_sql_put_table(struct sx_sb *b, const char *table, enum sx_sql_dialect d);
void sx_sql_put_double(struct sx_sb *b, double v);

/* The checked expression as an SQL expression over a table whose columns
 * have the frame's names, computing the same values (NULL for missing),
 * for dialect D. Column references go through sx_sql_ident. New string
 * (free()); NULL with ERR for a construct D cannot express. For SQLite the
 * table holds dates as ISO text and the library needs its math functions
 * (Debian's 3.40 has them); core/expr_sql.c lists each dialect's differences. */
char *sx_expr_sql(const struct sx_expr *e, enum sx_sql_dialect d, struct sx_err *err);

/* The line of SRC holding 1-based column COL and a caret line under it,
 * "  temp * (3 +\n           ^", into BUF. */
void sx_expr_caret(const char *src, int col, char *buf, size_t size);

#endif
