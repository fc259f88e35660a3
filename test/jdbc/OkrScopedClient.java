/*
 * OkrScopedClient: a real client (the PostgreSQL JDBC driver) as a scoped
 * reader and a scoped writer of okr (SPEC 9, doc/access.md).  Run by
 * test/jdbc.sh after OkrBiClient:
 *
 *   java -cp postgresql.jar test/jdbc/OkrScopedClient.java URL READER PW WRITER PW \
 *        VISIBLE_IDS PARENT_ID PARENT_PROGRESS OWN_OBJECTIVE OTHER_OBJECTIVE
 *
 * The reader must see exactly the objectives VISIBLE_IDS (comma-separated,
 * as the owner computed them), no private title anywhere in the views, and
 * the owner's progress for PARENT_ID, a parent of a private objective (one
 * truth).  The writer updates OWN_OBJECTIVE and is refused (42501) on
 * OTHER_OBJECTIVE and on a cycle.  Prints TAP; exits non-zero on failure.
 */
import java.sql.*;
import java.util.*;

public class OkrScopedClient {
    static int n = 0, failed = 0;

    static void ok(boolean pass, String what) {
        n++;
        if (!pass) failed++;
        System.out.println((pass ? "ok " : "not ok ") + n + " - " + what);
    }

    static String one(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) ps.setObject(i + 1, params[i]);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /* the SQLSTATE of an update, or "ok" */
    static String update(Connection c, String sql, Object... params) {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) ps.setObject(i + 1, params[i]);
            ps.executeUpdate();
            return "ok";
        } catch (SQLException e) {
            return e.getSQLState();
        }
    }

    public static void main(String[] a) throws Exception {
        String url = a[0], visible = a[5];
        long parent = Long.parseLong(a[6]), own = Long.parseLong(a[8]), other = Long.parseLong(a[9]);
        double parentProgress = Double.parseDouble(a[7]);

        try (Connection r = DriverManager.getConnection(url, a[1], a[2])) {
            ok(visible.equals(one(r, "SELECT string_agg(id::text, ',' ORDER BY id) FROM okr.objective")),
               "scoped reader: sees exactly the objectives it may read (" + visible + ")");
            ok(visible.equals(one(r, "SELECT string_agg(objective_id::text, ',' ORDER BY objective_id) FROM okr.objective_report")),
               "scoped reader: okr.objective_report shows the same objectives");
            int leaks = 0;
            for (String v : List.of("alignment", "cycle_report", "key_result_report", "objective_report",
                                    "project_report", "team_report"))
                leaks += Integer.parseInt(one(r, "SELECT count(*) FROM okr." + v + " t WHERE t::text LIKE '%PRIVATE%'"));
            ok(leaks == 0, "scoped reader: no view shows a private title");
            ok(Math.abs(Double.parseDouble(one(r,
                   "SELECT progress FROM okr.progress() WHERE item = 'objective' AND id = ?", parent)) - parentProgress) < 1e-12,
               "scoped reader: the parent of a private objective has the owner's progress (one truth)");
            ok("42501".equals(update(r, "UPDATE okr.objective SET title = title WHERE id = ?", own)),
               "scoped reader: cannot write (42501)");
        }
        try (Connection w = DriverManager.getConnection(url, a[3], a[4])) {
            w.setAutoCommit(false);
            ok("ok".equals(update(w, "UPDATE okr.objective SET owner = owner WHERE id = ?", own)),
               "scoped writer: updates an objective of its team");
            w.rollback();
            ok("42501".equals(update(w, "UPDATE okr.objective SET owner = owner WHERE id = ?", other)),
               "scoped writer: another team's objective is refused (42501)");
            w.rollback();
            ok("42501".equals(update(w, "UPDATE okr.objective SET team_id = (SELECT team_id FROM okr.objective WHERE id = ?) WHERE id = ?", other, own)),
               "scoped writer: moving its objective to another team is refused (42501)");
            w.rollback();
        }
        System.out.println("1.." + n);
        System.exit(failed == 0 ? 0 : 1);
    }
}
