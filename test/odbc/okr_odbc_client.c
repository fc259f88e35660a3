/*
 * okr_odbc_client: what Excel or Power BI does with okr, through the ODBC
 * API, unixODBC and Debian's PostgreSQL ODBC driver (odbc-postgresql,
 * psqlODBC).  Built and run by test/odbc.sh:
 *
 *   okr_odbc_client DSN DSN_WITH_SEARCH_PATH USER PASSWORD OBJECTIVES
 *
 * DSN is a data source with psqlODBC's defaults; DSN_WITH_SEARCH_PATH the
 * same with ConnSettings putting okr first on the session's search_path
 * (doc/analysts.md, "ODBC").  USER is a role that may only read, with its
 * default search_path; OBJECTIVES the number of rows okr.objective_report
 * has.  It lists the views and their columns through the catalog functions
 * BI tools use (SQLTables, SQLColumns), reads every view, checks figures of
 * the example organisation (test/demo_data.sql, as test/jdbc/OkrBiClient.java
 * does) and checks that the role cannot write.  It also pins what psqlODBC
 * cannot do, as doc/analysts.md describes it: SQLColumns without a schema
 * looks only in current_schema(), and REMARKS are always empty.
 * Prints TAP ("ok N - ..." / "not ok N - ...") and exits non-zero when a
 * check fails.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sql.h>
#include <sqlext.h>

static const char *const VIEWS[] = {"alignment", "cycle_report", "key_result_report", "objective_facts",
                                    "objective_report", "project_report", "team_report"};
#define N_VIEWS (sizeof VIEWS / sizeof VIEWS[0])
#define MAX_COLS 64
#define NAME_LEN 128

static int n = 0, failed = 0;
static SQLHENV env;

static int ok(int pass, const char *fmt, ...)
{
    va_list ap;

    n++;
    if (!pass)
        failed++;
    printf("%s %d - ", pass ? "ok" : "not ok", n);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
    return pass;
}

static void diag(const char *fmt, ...)
{
    va_list ap;

    fputs("# ", stdout);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
}

static int near(double a, double b) { return fabs(a - b) < 1e-9; }

/* the first diagnostic record of a handle: its SQLSTATE into state, its message as a # line */
static void odbc_error(SQLSMALLINT type, SQLHANDLE h, char state[6])
{
    SQLCHAR st[6] = "", msg[1024] = "";
    SQLINTEGER native;
    SQLSMALLINT len;

    if (SQL_SUCCEEDED(SQLGetDiagRec(type, h, 1, st, &native, msg, sizeof msg, &len))) {
        for (SQLCHAR *p = msg; *p; p++)     /* one TAP comment line */
            if (*p == '\n')
                *p = ' ';
        diag("%s %s", st, msg);
    }
    if (state)
        memcpy(state, st, 6);
}

static SQLHDBC connect_dsn(const char *dsn, const char *user, const char *password)
{
    SQLHDBC dbc;
    char conn[512];
    SQLCHAR out[1024];
    SQLSMALLINT outlen;
    SQLRETURN r;

    snprintf(conn, sizeof conn, "DSN=%s;UID=%s;PWD=%s", dsn, user, password);
    SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc);
    r = SQLDriverConnect(dbc, NULL, (SQLCHAR *) conn, SQL_NTS, out, sizeof out, &outlen, SQL_DRIVER_NOPROMPT);
    if (!SQL_SUCCEEDED(r)) {
        odbc_error(SQL_HANDLE_DBC, dbc, NULL);
        SQLFreeHandle(SQL_HANDLE_DBC, dbc);
        return NULL;
    }
    return dbc;
}

static SQLHSTMT stmt(SQLHDBC dbc)
{
    SQLHSTMT st;

    SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st);
    return st;
}

static void done(SQLHSTMT st) { SQLFreeHandle(SQL_HANDLE_STMT, st); }

/* column i of the current row as text ("" when NULL); false when it cannot be read */
static int text(SQLHSTMT st, int i, char *buf, size_t size)
{
    SQLLEN ind;

    buf[0] = '\0';
    if (!SQL_SUCCEEDED(SQLGetData(st, i, SQL_C_CHAR, buf, size, &ind)))
        return 0;
    if (ind == SQL_NULL_DATA)
        buf[0] = '\0';
    return 1;
}

/*
 * Runs sql (a query with at most one '?', bound to param when not NULL) and
 * fetches its first row; the statement is left on that row for text() and
 * dbl(), or NULL when the query fails or returns no row.
 */
static SQLHSTMT query_row(SQLHDBC dbc, const char *sql, const char *param)
{
    SQLHSTMT st = stmt(dbc);
    SQLLEN nts = SQL_NTS;

    if (param)
        SQLBindParameter(st, 1, SQL_PARAM_INPUT, SQL_C_CHAR, SQL_VARCHAR, strlen(param), 0,
                         (SQLPOINTER) param, 0, &nts);
    if (!SQL_SUCCEEDED(SQLExecDirect(st, (SQLCHAR *) sql, SQL_NTS))) {
        odbc_error(SQL_HANDLE_STMT, st, NULL);
        done(st);
        return NULL;
    }
    if (!SQL_SUCCEEDED(SQLFetch(st))) {
        diag("no row: %s", sql);
        done(st);
        return NULL;
    }
    return st;
}

static double dbl(SQLHSTMT st, int i)
{
    double d = NAN;
    SQLLEN ind;

    if (!SQL_SUCCEEDED(SQLGetData(st, i, SQL_C_DOUBLE, &d, 0, &ind)) || ind == SQL_NULL_DATA)
        return NAN;
    return d;
}

/* the SQLSTATE of running sql in a transaction that is rolled back; "" when it succeeds */
static void sqlstate(SQLHDBC dbc, const char *sql, char state[6])
{
    SQLHSTMT st;

    SQLSetConnectAttr(dbc, SQL_ATTR_AUTOCOMMIT, (SQLPOINTER) SQL_AUTOCOMMIT_OFF, 0);
    st = stmt(dbc);
    state[0] = '\0';
    if (!SQL_SUCCEEDED(SQLExecDirect(st, (SQLCHAR *) sql, SQL_NTS)))
        odbc_error(SQL_HANDLE_STMT, st, state);
    done(st);
    SQLEndTran(SQL_HANDLE_DBC, dbc, SQL_ROLLBACK);
    SQLSetConnectAttr(dbc, SQL_ATTR_AUTOCOMMIT, (SQLPOINTER) SQL_AUTOCOMMIT_ON, 0);
}

struct columns {
    int n;                /* -1 when SQLColumns failed */
    int remarks;          /* how many have a non-empty REMARKS */
    char name[MAX_COLS][NAME_LEN];
};

/* SQLColumns(schema, view, "%"), as a BI tool asks; schema NULL: none given */
static void columns(SQLHDBC dbc, const char *schema, const char *view, struct columns *c)
{
    SQLHSTMT st = stmt(dbc);
    char remarks[1024];

    c->n = 0;
    c->remarks = 0;
    if (!SQL_SUCCEEDED(SQLColumns(st, NULL, 0, (SQLCHAR *) schema, schema ? SQL_NTS : 0,
                                  (SQLCHAR *) view, SQL_NTS, (SQLCHAR *) "%", SQL_NTS))) {
        odbc_error(SQL_HANDLE_STMT, st, NULL);
        c->n = -1;
        done(st);
        return;
    }
    /* 4 COLUMN_NAME, 12 REMARKS */
    while (SQL_SUCCEEDED(SQLFetch(st)) && c->n < MAX_COLS) {
        text(st, 4, c->name[c->n], NAME_LEN);
        if (text(st, 12, remarks, sizeof remarks) && remarks[0])
            c->remarks++;
        c->n++;
    }
    done(st);
}

static void join(char *buf, size_t size, char names[][NAME_LEN], int count)
{
    buf[0] = '\0';
    for (int i = 0; i < count; i++) {
        if (i)
            strncat(buf, ", ", size - strlen(buf) - 1);
        strncat(buf, names[i], size - strlen(buf) - 1);
    }
}

int main(int argc, char **argv)
{
    SQLHDBC dbc, dbc2;
    SQLHSTMT st;
    char buf[1024], buf2[1024], state[6];
    char found[MAX_COLS][NAME_LEN];
    int n_found = 0, all_views = 1, objectives;
    struct columns cols[N_VIEWS], c;

    if (argc != 6) {
        fprintf(stderr, "usage: okr_odbc_client DSN DSN_WITH_SEARCH_PATH USER PASSWORD OBJECTIVES\n");
        return 2;
    }
    objectives = atoi(argv[5]);
    SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env);
    SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER) SQL_OV_ODBC3, 0);

    dbc = connect_dsn(argv[1], argv[3], argv[4]);
    if (!ok(dbc != NULL, "connect to DSN %s as %s", argv[1], argv[3])) {
        printf("1..%d\n", n);
        return 1;
    }
    SQLGetInfo(dbc, SQL_DRIVER_NAME, buf, sizeof buf, NULL);
    SQLGetInfo(dbc, SQL_DRIVER_VER, buf2, sizeof buf2, NULL);
    diag("%s %s (psqlODBC)", buf, buf2);

    st = query_row(dbc, "SELECT current_user, inet_server_addr() IS NOT NULL, "
                        "(SELECT rolsuper FROM pg_roles WHERE rolname = current_user)::int, "
                        "current_setting('search_path'), current_schema()", NULL);
    {
        char who[NAME_LEN] = "", tcp[8] = "", super[8] = "", path[256] = "", cur[NAME_LEN] = "";

        if (st) {
            text(st, 1, who, sizeof who);
            text(st, 2, tcp, sizeof tcp);
            text(st, 3, super, sizeof super);
            text(st, 4, path, sizeof path);
            text(st, 5, cur, sizeof cur);
            done(st);
        }
        diag("search_path %s, current_schema() %s", path, cur);
        ok(strcmp(who, argv[3]) == 0 && strcmp(tcp, "1") == 0 && strcmp(super, "0") == 0,
           "connected over TCP with a password as %s, not a superuser", argv[3]);
        ok(strcmp(path, "\"$user\", public") == 0,
           "the role has the default search_path (\"$user\", public), okr not on it");
    }

    /* --- schema sync, as Excel's and Power BI's navigators do it --- */
    st = stmt(dbc);
    if (SQL_SUCCEEDED(SQLTables(st, NULL, 0, (SQLCHAR *) "okr", SQL_NTS, (SQLCHAR *) "%", SQL_NTS,
                                (SQLCHAR *) "VIEW", SQL_NTS))) {
        /* 3 TABLE_NAME */
        while (SQL_SUCCEEDED(SQLFetch(st)) && n_found < MAX_COLS)
            text(st, 3, found[n_found++], NAME_LEN);
    } else
        odbc_error(SQL_HANDLE_STMT, st, NULL);
    done(st);
    for (size_t v = 0; v < N_VIEWS; v++) {
        int seen = 0;

        for (int i = 0; i < n_found; i++)
            seen |= strcmp(found[i], VIEWS[v]) == 0;
        all_views &= seen;
    }
    join(buf, sizeof buf, found, n_found);
    ok(all_views, "SQLTables(schema okr, type VIEW) lists the okr views: %s", buf);

    for (size_t v = 0; v < N_VIEWS; v++) {
        columns(dbc, "okr", VIEWS[v], &cols[v]);
        ok(cols[v].n > 0, "SQLColumns(okr, %s) lists its %d columns, the role's search_path unchanged",
           VIEWS[v], cols[v].n);
    }

    /* --- what the driver cannot do (doc/analysts.md, "ODBC") --- */
    /*
     * Without a schema, psqlODBC looks for the table in current_schema()
     * only, the first schema of the search_path (here public), not in
     * every schema; a tool that asks so finds no columns.
     */
    columns(dbc, NULL, "objective_report", &c);
    ok(c.n == 0, "psqlODBC: SQLColumns(no schema, objective_report) looks in current_schema() only: "
                 "%d columns (documented)", c.n);
    /* and it never reads pg_description: REMARKS are '' for every column */
    {
        int remarks = 0, total = 0;

        for (size_t v = 0; v < N_VIEWS; v++) {
            remarks += cols[v].remarks;
            total += cols[v].n;
        }
        ok(remarks == 0, "psqlODBC: SQLColumns returns no REMARKS (%d of %d columns; documented)",
           remarks, total);
    }
    /* the descriptions, by the query doc/analysts.md gives instead */
    {
        const char *sql =
            "SELECT count(*), count(col_description(a.attrelid, a.attnum)) "
            "FROM pg_attribute a WHERE a.attrelid = 'okr.objective_report'::regclass "
            "AND a.attnum > 0 AND NOT a.attisdropped";
        double all = NAN, described = NAN;

        if ((st = query_row(dbc, sql, NULL))) {
            all = dbl(st, 1);
            described = dbl(st, 2);
            done(st);
        }
        ok(all == cols[4].n && described == all,
           "the column descriptions of okr.objective_report by SQL: %.0f of %.0f columns", described, all);
    }

    /* with ConnSettings putting okr on the session's search_path, a schema-less SQLColumns finds them */
    dbc2 = connect_dsn(argv[2], argv[3], argv[4]);
    if (dbc2) {
        columns(dbc2, NULL, "objective_report", &c);
        st = query_row(dbc2, "SELECT current_schema()", NULL);
        buf[0] = '\0';
        if (st) {
            text(st, 1, buf, sizeof buf);
            done(st);
        }
        ok(c.n == cols[4].n && strcmp(buf, "okr") == 0,
           "DSN %s (ConnSettings: SET search_path): SQLColumns(no schema, objective_report) "
           "lists its %d columns", argv[2], c.n);
        SQLDisconnect(dbc2);
        SQLFreeHandle(SQL_HANDLE_DBC, dbc2);
    } else
        ok(0, "connect to DSN %s as %s", argv[2], argv[3]);

    /* --- every view runs and returns the columns SQLColumns announced --- */
    for (size_t v = 0; v < N_VIEWS; v++) {
        char got[MAX_COLS][NAME_LEN], sql[256];
        SQLSMALLINT ncols = 0, len;
        int rows = 0, same;

        snprintf(sql, sizeof sql, "SELECT * FROM okr.%s", VIEWS[v]);
        st = stmt(dbc);
        if (!SQL_SUCCEEDED(SQLExecDirect(st, (SQLCHAR *) sql, SQL_NTS))) {
            odbc_error(SQL_HANDLE_STMT, st, NULL);
            ncols = -1;
        } else {
            SQLNumResultCols(st, &ncols);
            for (int i = 0; i < ncols && i < MAX_COLS; i++)
                SQLColAttribute(st, i + 1, SQL_DESC_NAME, got[i], NAME_LEN, &len, NULL);
            while (SQL_SUCCEEDED(SQLFetch(st))) {
                rows++;
                for (int i = 1; i <= ncols; i++)
                    text(st, i, buf, sizeof buf);
            }
        }
        done(st);
        same = ncols == cols[v].n;
        for (int i = 0; same && i < ncols; i++)
            same = strcmp(got[i], cols[v].name[i]) == 0;
        diag("okr.%s: %d rows", VIEWS[v], rows);
        ok(rows > 0 && same, "SELECT * FROM okr.%s returns rows with the announced columns", VIEWS[v]);
    }

    /* --- figures of the example organisation (derived in test/jdbc/OkrBiClient.java) --- */
    if ((st = query_row(dbc, "SELECT count(*) FROM okr.objective_report", NULL))) {
        double count = dbl(st, 1);

        done(st);
        ok(count == objectives, "okr.objective_report has the %d objectives of the example", objectives);
    } else
        ok(0, "SELECT count(*) FROM okr.objective_report");

    if ((st = query_row(dbc, "SELECT progress, depth, key_results, child_objectives FROM okr.objective_report "
                             "WHERE title = ?", "Become the market leader in mid-market CRM"))) {
        double progress = dbl(st, 1), depth = dbl(st, 2), krs = dbl(st, 3), children = dbl(st, 4);

        done(st);
        ok(near(progress, 36341.0 / 64350) && depth == 0 && krs == 2 && children == 4,
           "company objective: progress 36341/64350 = 0.5647, depth 0, 2 key results, 4 aligned objectives");
    } else
        ok(0, "company objective in okr.objective_report");

    if ((st = query_row(dbc, "SELECT cycle_ended::text, score, grade, activity FROM okr.objective_report "
                             "WHERE title = ?", "Make the brand known"))) {
        char ended[8], grade[16];
        double score = dbl(st, 2), activity = dbl(st, 4);

        text(st, 1, ended, sizeof ended);
        text(st, 3, grade, sizeof grade);
        done(st);
        ok(strcmp(ended, "true") == 0 && near(score, 1.0 / 18) && strcmp(grade, "red") == 0
               && near(activity, 29.0 / 30),
           "\"Make the brand known\" (Q3): ended, score 1/18, red, activity 29/30");
    } else
        ok(0, "\"Make the brand known\" in okr.objective_report");

    /* text beyond ASCII (the path separator ›) arrives as UTF-8 */
    if ((st = query_row(dbc, "SELECT score, grade, team_path FROM okr.objective_report WHERE title = ?",
                        "Open the DACH market"))) {
        double score = dbl(st, 1);
        char grade[16];

        text(st, 2, grade, sizeof grade);
        text(st, 3, buf, sizeof buf);
        done(st);
        ok(near(score, 0.85) && strcmp(grade, "yellow") == 0
               && strcmp(buf, "Company \xe2\x80\xba Sales \xe2\x80\xba EMEA Sales") == 0,
           "\"Open the DACH market\" (Q3): score 0.85, yellow, team path Company › Sales › EMEA Sales");
        if (strcmp(buf, "Company \xe2\x80\xba Sales \xe2\x80\xba EMEA Sales") != 0)
            diag("team_path: %s", buf);
    } else
        ok(0, "\"Open the DACH market\" in okr.objective_report");

    /* --- the role reads, it never writes --- */
    sqlstate(dbc, "UPDATE okr.objective SET title = title", state);
    ok(strcmp(state, "42501") == 0, "cannot UPDATE okr.objective (42501 insufficient_privilege)");
    sqlstate(dbc, "CREATE TABLE okr.bi_scratch (x int)", state);
    ok(strcmp(state, "42501") == 0, "cannot create a table in schema okr (42501)");

    SQLDisconnect(dbc);
    SQLFreeHandle(SQL_HANDLE_DBC, dbc);
    SQLFreeHandle(SQL_HANDLE_ENV, env);
    printf("1..%d\n", n);
    if (failed)
        printf("# %d of %d checks failed\n", failed, n);
    return failed ? 1 : 0;
}
