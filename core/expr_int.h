/* core/expr_int.h: internal to the expression module, included only by
 * core/expr.c (tokenizer, parser, type checker, caret), core/expr_eval.c
 * (evaluator) and core/expr_sql.c (SQL export); nothing outside those files
 * may include it. It holds what they share: the syntax tree the parser
 * builds and the checker annotates, the function table, and the full
 * struct sx_expr that core/expr.h keeps opaque. Exports no symbols: only
 * types and one static inline helper. */
#ifndef SX_EXPR_INT_H
#define SX_EXPR_INT_H

#include <stddef.h>
#include <stdint.h>

#include "expr.h"

/* Value types: a node's type as the checker infers it (TY_NULL: the
 * literal null, or an expression built from nulls alone). */
enum ty { TY_NULL, TY_INT, TY_FLOAT, TY_BOOL, TY_STR, TY_DATE };

/* Node kinds: one per grammar construct of core/expr.h. */
enum kind {
    K_LIT, K_COL, K_NEG, K_NOT, K_ARITH, K_CMP, K_AND, K_OR,
    K_BETWEEN, K_IN, K_ISNULL, K_CALL
};

/* Comparison operators (K_CMP's op). */
enum cmp { C_EQ, C_NE, C_LT, C_LE, C_GT, C_GE };

/* Functions: id, name, fewest and most arguments (0: no upper bound).
 * enum fn numbers them; core/expr.c holds the table of names and counts. */
#define FN_TABLE(X)                       \
    X(IF,         "if",         3, 3)     \
    X(COALESCE,   "coalesce",   1, 0)     \
    X(IS_MISSING, "is_missing", 1, 1)     \
    X(LOG,        "log",        1, 1)     \
    X(LOG1P,      "log1p",      1, 1)     \
    X(EXP,        "exp",        1, 1)     \
    X(SQRT,       "sqrt",       1, 1)     \
    X(ABS,        "abs",        1, 1)     \
    X(POW,        "pow",        2, 2)     \
    X(MIN,        "min",        2, 0)     \
    X(MAX,        "max",        2, 0)     \
    X(CLIP,       "clip",       3, 3)     \
    X(ROUND,      "round",      1, 2)     \
    X(FLOOR,      "floor",      1, 1)     \
    X(CEIL,       "ceil",       1, 1)     \
    X(SIGN,       "sign",       1, 1)     \
    X(YEAR,       "year",       1, 1)     \
    X(MONTH,      "month",      1, 1)     \
    X(DAY,        "day",        1, 1)     \
    X(DAYOFWEEK,  "dayofweek",  1, 1)     \
    X(DAYOFYEAR,  "dayofyear",  1, 1)     \
    X(QUARTER,    "quarter",    1, 1)     \
    X(WEEK,       "week",       1, 1)     \
    X(SEASON,     "season",     1, 1)     \
    X(LOWER,      "lower",      1, 1)     \
    X(UPPER,      "upper",      1, 1)     \
    X(LENGTH,     "length",     1, 1)     \
    X(CONTAINS,   "contains",   2, 2)

enum fn {
#define X(id, name, lo, hi) F_##id,
    FN_TABLE(X)
#undef X
    F_COUNT
};

/* One node of the syntax tree. The parser fills the fields above "set by
 * the checker"; sx_expr_check fills the rest. A node owns its kids and STR
 * (freed by sx_expr_free). */
struct node {
    enum kind kind;
    int op;             /* '+' … for K_ARITH, enum cmp, enum fn */
    int neg;            /* not between, not in, is not null */
    int quoted;         /* K_COL: written as a "quoted name" */
    int line, col;      /* the token that names the node */
    struct node **kid;
    int nkid;
    enum ty lty;        /* K_LIT: the literal as written */
    int64_t ival;       /* TY_INT literal; a string literal read as a date */
    double fval;
    char *str;          /* string literal or column name (NUL-terminated) */
    size_t slen;
    /* set by the checker */
    enum ty ty;
    enum sx_date_unit unit;
    long cidx;          /* K_COL: index in the frame */
    enum sx_type ctype; /* K_COL: the column's type */
    int id;             /* 0 .. nnodes-1, slot of the evaluator */
};

/* What core/expr.h calls struct sx_expr. */
struct sx_expr {
    struct node *root;
    int checked;        /* the last sx_expr_check succeeded */
    int nnodes;         /* nodes in the tree, numbered by the checker */
};

/* N's type for messages: "number", "bool", "string", "date", "timestamp"
 * or "null" (a static string). */
static inline const char *tyname(const struct node *n)
{
    switch (n->ty) {
    case TY_NULL: return "null";
    case TY_INT:
    case TY_FLOAT: return "number";
    case TY_BOOL: return "bool";
    case TY_STR: return "string";
    case TY_DATE: return n->unit == SX_SECONDS ? "timestamp" : "date";
    }
    return "?";
}

#endif
