/*
 * OkrBiClient: what a BI tool does with okr, through the PostgreSQL JDBC
 * driver (Debian's libpostgresql-jdbc-java).  Run by test/jdbc.sh:
 *
 *   java -cp /usr/share/java/postgresql.jar test/jdbc/OkrBiClient.java URL USER PASSWORD
 *
 * It connects as a role that may only read reports, syncs the okr schema
 * through DatabaseMetaData (views, columns, types, comments), runs every
 * view, checks figures of the example organisation (test/demo_data.sql) and
 * checks that the role cannot write.  Prints TAP ("ok N - ..." /
 * "not ok N - ...") and exits non-zero when a check fails.
 */
import java.sql.*;
import java.util.*;

public class OkrBiClient {
    static final List<String> VIEWS = List.of("alignment", "cycle_report", "key_result_report",
            "objective_report", "project_report", "team_report");
    /* plain SQL types, as the driver names them */
    static final Set<String> PLAIN_TYPES = Set.of("int8", "int4", "text", "float8", "numeric", "date",
            "timestamptz", "bool", "_int8",
            "jsonb");  // okr.audit.changed (SPEC 7): drivers hand it over as text

    static int n = 0, failed = 0;
    static Connection db;

    static void ok(boolean pass, String what) {
        n++;
        if (!pass) failed++;
        System.out.println((pass ? "ok " : "not ok ") + n + " - " + what);
    }

    static void diag(String s) {
        for (String line : s.split("\n")) System.out.println("# " + line);
    }

    static boolean near(double a, double b) { return Math.abs(a - b) < 1e-9; }

    interface Check { boolean run() throws Exception; }

    /* a check that fails, with the exception as a diagnostic, instead of aborting */
    static void check(String what, Check c) {
        boolean pass;
        try {
            pass = c.run();
        } catch (Exception e) {
            diag(e.toString());
            pass = false;
        }
        ok(pass, what);
    }

    /* one row of a query as a map (column label -> value); null when no row */
    static Map<String, Object> row(String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) ps.setObject(i + 1, params[i]);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return null;
                ResultSetMetaData md = rs.getMetaData();
                Map<String, Object> m = new LinkedHashMap<>();
                for (int i = 1; i <= md.getColumnCount(); i++) m.put(md.getColumnLabel(i), rs.getObject(i));
                return m;
            }
        }
    }

    static double dbl(Object o) { return ((Number) o).doubleValue(); }
    static long lng(Object o) { return ((Number) o).longValue(); }

    /* the SQLSTATE of running sql in a transaction that is rolled back; null when it succeeds */
    static String sqlstate(String sql) throws SQLException {
        db.setAutoCommit(false);
        try (Statement st = db.createStatement()) {
            st.execute(sql);
            return null;
        } catch (SQLException e) {
            return e.getSQLState();
        } finally {
            db.rollback();
            db.setAutoCommit(true);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: OkrBiClient JDBC_URL USER PASSWORD");
            System.exit(2);
        }
        Properties props = new Properties();
        props.setProperty("user", args[1]);
        props.setProperty("password", args[2]);
        props.setProperty("ApplicationName", "okr BI client test");
        try {
            db = DriverManager.getConnection(args[0], props);
        } catch (SQLException e) {
            ok(false, "connect to " + args[0] + " as " + args[1]);
            diag(e.toString());
            System.out.println("1.." + n);
            System.exit(1);
        }
        DatabaseMetaData meta = db.getMetaData();
        diag(meta.getDriverName() + " " + meta.getDriverVersion() + " on " +
             meta.getDatabaseProductName() + " " + meta.getDatabaseProductVersion());

        check("connected over TCP with a password as " + args[1] + ", not a superuser", () -> {
            Map<String, Object> r = row("SELECT current_user AS who, inet_server_addr() IS NOT NULL AS tcp, " +
                    "(SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS super");
            return args[1].equals(r.get("who")) && Boolean.TRUE.equals(r.get("tcp"))
                    && Boolean.FALSE.equals(r.get("super"));
        });

        /* --- schema sync, as a BI tool does it --- */
        Map<String, String> viewRemarks = new TreeMap<>();
        try (ResultSet rs = meta.getTables(null, "okr", "%", new String[] {"VIEW"})) {
            while (rs.next()) viewRemarks.put(rs.getString("TABLE_NAME"), rs.getString("REMARKS"));
        }
        ok(viewRemarks.keySet().containsAll(VIEWS),
           "DatabaseMetaData.getTables lists the okr views: " + viewRemarks.keySet());
        // every view a BI tool finds in okr must describe itself, not only these six
        List<String> found = new ArrayList<>(viewRemarks.keySet());

        Map<String, List<String>> viewColumns = new TreeMap<>();
        for (String v : found) {
            String remarks = viewRemarks.get(v);
            ok(remarks != null && !remarks.isBlank(), "view okr." + v + " has a comment");

            List<String> cols = new ArrayList<>(), uncommented = new ArrayList<>(), odd = new ArrayList<>();
            try (ResultSet rs = meta.getColumns(null, "okr", v, "%")) {
                while (rs.next()) {
                    String col = rs.getString("COLUMN_NAME");
                    cols.add(col);
                    String r = rs.getString("REMARKS");
                    if (r == null || r.isBlank()) uncommented.add(col);
                    if (!PLAIN_TYPES.contains(rs.getString("TYPE_NAME"))) odd.add(col + " " + rs.getString("TYPE_NAME"));
                }
            }
            viewColumns.put(v, cols);
            ok(!cols.isEmpty() && uncommented.isEmpty() && odd.isEmpty(),
               "okr." + v + ": all " + cols.size() + " columns commented, plain SQL types");
            if (!uncommented.isEmpty()) diag("no comment: " + uncommented);
            if (!odd.isEmpty()) diag("unexpected types: " + odd);
        }

        /* --- every view runs and returns what the metadata announced --- */
        for (String v : found) {
            check("SELECT * FROM okr." + v + " returns rows with the announced columns", () -> {
                try (Statement st = db.createStatement();
                     ResultSet rs = st.executeQuery("SELECT * FROM okr." + v)) {
                    ResultSetMetaData md = rs.getMetaData();
                    List<String> got = new ArrayList<>();
                    for (int i = 1; i <= md.getColumnCount(); i++) got.add(md.getColumnName(i));
                    int rows = 0;
                    while (rs.next()) {
                        rows++;
                        for (int i = 1; i <= md.getColumnCount(); i++) rs.getObject(i);
                    }
                    diag("okr." + v + ": " + rows + " rows");
                    return (rows > 0 || !VIEWS.contains(v)) && got.equals(viewColumns.get(v));
                }
            });
        }

        /* --- figures of the example organisation --- */
        // The views report as of now(); test/jdbc.sh loads the example with
        // its dates moved from 2026 to 2015 (the same calendar), so its last
        // data point, 2015-09-29, is past and these figures are final on any
        // day.  Each is derived by hand below from test/demo_data.sql.
        Map<String, Check> checks = new LinkedHashMap<>();
        // latest check-in 60 (Sep 29; the back-dated 30 of May 15 does not
        // override it): 60 / 120 = 0.5
        checks.put("key result \"Increase sales to $120 million\": 60 of 120 M$, progress 0.5, confidence 0.7, checked in 2015-09-29 17:00 UTC", () -> {
            Map<String, Object> r = row("SELECT * FROM okr.key_result_report WHERE title = ?", "Increase sales to $120 million");
            return ((java.math.BigDecimal) r.get("current_value")).compareTo(new java.math.BigDecimal(60)) == 0
                && "M$".equals(r.get("unit")) && near(dbl(r.get("progress")), 0.5)
                && near(dbl(r.get("attainment")), 0.5) && near(dbl(r.get("confidence")), 0.7)
                && ((Timestamp) r.get("last_checkin_at")).toInstant().toString().equals("2015-09-29T17:00:00Z");
        });
        // The company objective (rollup both) is the weighted mean of
        //   its key results: sales 60 / 120 = 1/2, leads 700 / 1000 = 7/10;
        //   its children (weight 1 unless said):
        //     Win the enterprise segment = (deals 11 >= 10: 1
        //       + sales cycle (72 - 90) / (60 - 90) = 3/5
        //       + Open the DACH market ((4.1 - 2) / (5 - 2) = 7/10, partners 3 >= 3: 1) = 17/20) / 3 = 49/60
        //     Make the brand known = (website milestone 0 + awareness (14 - 12) / (30 - 12) = 1/9) / 2 = 1/18
        //     Ship a product customers love = (latency 280 <= 300: 1 + roadmap) / 2, roadmap =
        //       (forecasting 8/10 x 2 + mobile 3 of 13 + email integration done without tasks 1) / 4 = 46/65,
        //       so (1 + 46/65) / 2 = 111/130
        //     Make AI-assisted selling a reality (weight 0.5) = 9 / 25
        //   = (1/2 + 7/10 + 49/60 + 1/18 + 111/130 + 0.5 x 9/25) / 5.5
        //   = (5850 + 8190 + 9555 + 650 + 9990 + 2106) / 11700 / 5.5 = 36341 / 64350 = 0.5647397047397047...
        checks.put("company objective: progress 36341/64350 = 0.5647, depth 0, 2 key results, 4 aligned objectives", () -> {
            Map<String, Object> r = row("SELECT * FROM okr.objective_report WHERE title = ?", "Become the market leader in mid-market CRM");
            return near(dbl(r.get("progress")), 36341.0 / 64350) && lng(r.get("depth")) == 0
                && lng(r.get("key_results")) == 2 && lng(r.get("child_objectives")) == 4;
        });
        // score 1/18 (above; committed, below 0.7: red); activity: website
        // 2+3+3+5+2 = 15 of 16 done, campaign 2+5+3+3+1 = 14 of 14 (the
        // podcast is cancelled): 29 of 30
        checks.put("\"Make the brand known\" (Q3): ended, score 1/18, red, activity 29/30 - busy without results", () -> {
            Map<String, Object> r = row("SELECT * FROM okr.objective_report WHERE title = ?", "Make the brand known");
            return Boolean.TRUE.equals(r.get("cycle_ended")) && near(dbl(r.get("score")), 1.0 / 18)
                && "red".equals(r.get("grade")) && near(dbl(r.get("activity")), 29.0 / 30)
                && near(dbl(r.get("outcome_gap")), 29.0 / 30 - 1.0 / 18);
        });
        // (7/10 + 1) / 2 = 0.85: committed, from 0.7 but below 1: yellow
        checks.put("\"Open the DACH market\" (Q3): score 0.85, yellow, team path Company › Sales › EMEA Sales", () -> {
            Map<String, Object> r = row("SELECT * FROM okr.objective_report WHERE title = ?", "Open the DACH market");
            return near(dbl(r.get("score")), 0.85) && "yellow".equals(r.get("grade"))
                && "Company › Sales › EMEA Sales".equals(r.get("team_path"));
        });
        checks.put("project \"Website relaunch\": 5 of 6 tasks done, effort 15 of 16", () -> {
            Map<String, Object> r = row("SELECT * FROM okr.project_report WHERE name = ?", "Website relaunch");
            return lng(r.get("tasks")) == 6 && lng(r.get("tasks_done")) == 5
                && near(dbl(r.get("effort_done")), 15) && near(dbl(r.get("effort_total")), 16);
        });
        checks.put("team_report Marketing / Q3 2026: 1 objective, graded red", () -> {
            Map<String, Object> r = row("SELECT * FROM okr.team_report WHERE team_name = ? AND cycle_name = ?", "Marketing", "Q3 2026");
            return lng(r.get("objectives")) == 1 && lng(r.get("red")) == 1 && lng(r.get("green")) == 0
                && near(dbl(r.get("mean_score")), 1.0 / 18);
        });
        checks.put("cycle_report Q3 2026: 2 objectives, 0 green, 1 yellow, 1 red, mean score 0.4528", () -> {
            Map<String, Object> r = row("SELECT * FROM okr.cycle_report WHERE cycle_name = ?", "Q3 2026");
            return lng(r.get("objectives")) == 2 && lng(r.get("green")) == 0 && lng(r.get("yellow")) == 1
                && lng(r.get("red")) == 1 && near(dbl(r.get("mean_score")), (1.0 / 18 + 0.85) / 2);
        });
        checks.put("alignment: \"Open the DACH market\" at depth 2 under the company objective, id_path as a SQL array", () -> {
            Map<String, Object> r = row("SELECT * FROM okr.alignment WHERE title = ?", "Open the DACH market");
            Long[] ids = (Long[]) ((java.sql.Array) r.get("id_path")).getArray();
            return lng(r.get("depth")) == 2 && ids.length == 3 && ids[2] == lng(r.get("objective_id"))
                && ids[0] == lng(r.get("root_objective_id"))
                && "Become the market leader in mid-market CRM".equals(r.get("root_title"))
                && ((String) r.get("path")).endsWith(" › Win the enterprise segment › Open the DACH market");
        });
        for (Map.Entry<String, Check> e : checks.entrySet()) check(e.getKey(), e.getValue());

        /* --- the role reads, it never writes --- */
        List<String> tables = new ArrayList<>();
        try (ResultSet rs = meta.getTables(null, "okr", "%", new String[] {"TABLE"})) {
            while (rs.next()) tables.add(rs.getString("TABLE_NAME"));
        }
        ok(tables.size() >= 7, "DatabaseMetaData.getTables lists the okr tables: " + tables);
        for (String t : tables) {
            String col = null;
            try (ResultSet rs = meta.getColumns(null, "okr", t, "%")) {
                while (rs.next() && col == null)
                    if (!"id".equals(rs.getString("COLUMN_NAME"))) col = rs.getString("COLUMN_NAME");
            }
            String q = "okr." + t;
            Map<String, String> states = new LinkedHashMap<>();
            states.put("INSERT", sqlstate("INSERT INTO " + q + " DEFAULT VALUES"));
            states.put("UPDATE", sqlstate("UPDATE " + q + " SET " + col + " = " + col));
            states.put("DELETE", sqlstate("DELETE FROM " + q));
            states.put("TRUNCATE", sqlstate("TRUNCATE " + q));
            boolean denied = states.values().stream().allMatch("42501"::equals);
            ok(denied, "cannot INSERT, UPDATE, DELETE or TRUNCATE " + q + " (42501 insufficient_privilege)");
            if (!denied) diag("SQLSTATEs: " + states);
        }
        check("cannot create a table in schema okr", () -> "42501".equals(sqlstate("CREATE TABLE okr.bi_scratch (x int)")));
        check("DatabaseMetaData.getTablePrivileges: SELECT is all the role holds in okr", () -> {
            Set<String> privs = new TreeSet<>();
            try (ResultSet rs = meta.getTablePrivileges(null, "okr", "%")) {
                while (rs.next())
                    if (args[1].equals(rs.getString("GRANTEE"))) privs.add(rs.getString("PRIVILEGE"));
            }
            diag("privileges of " + args[1] + " in okr: " + privs);
            return privs.equals(Set.of("SELECT"));
        });

        db.close();
        System.out.println("1.." + n);
        if (failed > 0) System.out.println("# " + failed + " of " + n + " checks failed");
        System.exit(failed == 0 ? 0 : 1);
    }
}
