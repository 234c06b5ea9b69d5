package dev.oomlens.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/*
 * Durability: WAL with synchronous=NORMAL. A commit is in the WAL file before commit() returns, so
 * a process killed with SIGKILL loses nothing committed; only a power loss can lose the last
 * transactions, which the kernel's ring buffer (read again from the cursor) then still holds
 * unless the node rebooted. A kill is one transaction with the cursor, and the (boot, kill_seq)
 * key makes a kill read twice (a restart from an older cursor) a no-op, so each is stored once.
 *
 * Failure: a file that is not a history (not SQLite, or another program's database, or damaged)
 * is moved aside, never overwritten, and a new one started in its place. A file that cannot be
 * written (read-only mount, permissions, disk full) switches the history to memory: capture goes
 * on, writable() says so (a metric shows it) and retryFile() copies what memory holds into the
 * file once it can be written again.
 */

/** The agent's durable history in one SQLite file: kills, warnings, series, the read cursor. */
public final class History implements AutoCloseable {
  /** The value of meta.app that marks a file as an oomlens history. */
  static final String APP = "oomlens-history";

  static final int SCHEMA = 1;

  private static final String[] SCHEMA_SQL = {
    "CREATE TABLE IF NOT EXISTS %smeta(key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS %sboot(boot_id TEXT PRIMARY KEY, boot_ms INTEGER NOT NULL,"
        + " cursor_seq INTEGER NOT NULL DEFAULT -1)",
    "CREATE TABLE IF NOT EXISTS %skill(id INTEGER PRIMARY KEY, boot_id TEXT NOT NULL,"
        + " first_seq INTEGER NOT NULL, kill_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL,"
        + " at_ms INTEGER NOT NULL, victim_pid INTEGER, victim_comm TEXT, victim_rss_bytes INTEGER,"
        + " cgroup TEXT, cgroup_source TEXT NOT NULL, oom_cgroup TEXT, verdict TEXT NOT NULL,"
        + " pod_uid TEXT, container_id TEXT, unit TEXT, code TEXT, summary TEXT NOT NULL,"
        + " report TEXT NOT NULL, captured TEXT NOT NULL, UNIQUE(boot_id, kill_seq))",
    "CREATE TABLE IF NOT EXISTS %swarning(id INTEGER PRIMARY KEY, code TEXT NOT NULL,"
        + " cgroup TEXT, raised_ms INTEGER NOT NULL, cleared_ms INTEGER, ttl_s REAL,"
        + " summary TEXT NOT NULL, evidence TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS %ssample(cgroup TEXT NOT NULL, at_ms INTEGER NOT NULL,"
        + " usage_bytes INTEGER NOT NULL, limit_bytes INTEGER NOT NULL,"
        + " PRIMARY KEY(cgroup, at_ms))",
    "CREATE TABLE IF NOT EXISTS %slost(boot_id TEXT NOT NULL, first_seq INTEGER NOT NULL,"
        + " last_seq INTEGER NOT NULL, at_ms INTEGER NOT NULL)",
    // Added after schema 1 was released: made in existing files as they are opened.
    "CREATE TABLE IF NOT EXISTS %suserspace_kill(id INTEGER PRIMARY KEY,"
        + " cursor TEXT NOT NULL UNIQUE, boot_id TEXT NOT NULL, at_ms INTEGER NOT NULL,"
        + " killer TEXT NOT NULL, action TEXT NOT NULL, pid INTEGER, comm TEXT, unit TEXT,"
        + " rss_bytes INTEGER, reason TEXT, line TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS %sjournal(name TEXT PRIMARY KEY, cursor TEXT NOT NULL)",
  };

  private static final String USERSPACE_COLUMNS =
      "cursor, boot_id, at_ms, killer, action, pid, comm, unit, rss_bytes, reason, line";

  private static final String KILL_COLUMNS =
      "boot_id, first_seq, kill_seq, last_seq, at_ms,"
          + " victim_pid, victim_comm, victim_rss_bytes, cgroup, cgroup_source, oom_cgroup, verdict,"
          + " pod_uid, container_id, unit, code, summary, report, captured";

  /** A history file that cannot be read: the message names the file and why. */
  public static final class HistoryException extends IOException {
    private static final long serialVersionUID = 1L;

    HistoryException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final Path file;
  private final Clock clock;
  private final List<String> notes = new ArrayList<>();
  private Connection db;
  private boolean inMemory;
  private Instant lastRetry = Instant.MIN;
  private String bootId;
  private Instant bootTime;

  private History(Path file, Clock clock) {
    this.file = file;
    this.clock = clock;
  }

  /**
   * The agent's history at {@code file}, made when missing. Never fails: a file that is not a
   * history is moved aside and a new one made; one that cannot be written leaves the history in
   * memory. {@link #notes()} says what happened.
   */
  public static History openForAgent(Path file, Clock clock) {
    History h = new History(file, clock);
    SqliteLibrary.useBeside(file, true);
    try {
      h.db = openFile(file, true);
    } catch (NotAHistory e) {
      Path aside =
          file.resolveSibling(file.getFileName() + ".corrupt-" + clock.instant().toEpochMilli());
      try {
        Files.move(file, aside, StandardCopyOption.ATOMIC_MOVE);
        for (String suffix : new String[] {"-wal", "-shm"}) {
          Files.deleteIfExists(file.resolveSibling(file.getFileName() + suffix));
        }
        h.notes.add(
            file
                + " is not a readable oomlens history ("
                + e.getMessage()
                + "); it was moved to "
                + aside
                + " and a new history started");
        h.db = openFile(file, true);
      } catch (IOException | SQLException | NotAHistory e2) {
        h.toMemory(
            file
                + ": "
                + e.getMessage()
                + ", and it could not be moved aside ("
                + e2.getMessage()
                + ")");
      }
    } catch (SQLException | IOException e) {
      h.toMemory("cannot write " + file + ": " + reason(e));
    }
    return h;
  }

  /**
   * The history at {@code file} for reading ({@code oomlens history}, {@code doctor --db}).
   *
   * @throws HistoryException naming the file when it is missing or is not an oomlens history
   */
  public static History openToRead(Path file, Clock clock) throws HistoryException {
    if (!Files.isRegularFile(file)) {
      throw new HistoryException(
          "cannot read "
              + file
              + ": "
              + (Files.exists(file) ? "not a regular file" : "No such file or directory"),
          null);
    }
    History h = new History(file, clock);
    SqliteLibrary.useBeside(file, false);
    try {
      h.db = openFile(file, false);
    } catch (NotAHistory e) {
      throw new HistoryException(file + " is not an oomlens history: " + e.getMessage(), e);
    } catch (SQLException | IOException e) {
      throw new HistoryException("cannot read " + file + ": " + reason(e), e);
    }
    return h;
  }

  /** Not a database, someone else's, or damaged. */
  private static final class NotAHistory extends Exception {
    private static final long serialVersionUID = 1L;

    NotAHistory(String message) {
      super(message);
    }
  }

  private static Connection openFile(Path file, boolean write)
      throws SQLException, IOException, NotAHistory {
    boolean existed = Files.exists(file) && Files.size(file) > 0;
    if (write && file.getParent() != null) {
      Files.createDirectories(file.getParent());
    }
    Connection c =
        DriverManager.getConnection("jdbc:sqlite:" + file + (write ? "" : "?open_mode=1"));
    try {
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA busy_timeout=5000");
        try (ResultSet r = s.executeQuery("PRAGMA quick_check")) {
          String result = r.next() ? r.getString(1) : "no answer";
          if (!"ok".equals(result)) {
            throw new NotAHistory("damaged: " + result);
          }
        } catch (SQLException e) {
          if (isNotADatabase(e)) {
            throw new NotAHistory("not an SQLite database");
          }
          throw e;
        }
        if (existed) {
          checkApp(s);
        }
        if (write) {
          s.execute("PRAGMA journal_mode=WAL");
          s.execute("PRAGMA synchronous=NORMAL");
          createSchema(s, "");
          s.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('app', '" + APP + "')");
          s.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('schema', '" + SCHEMA + "')");
        }
      }
      return c;
    } catch (SQLException | NotAHistory | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  private static void checkApp(Statement s) throws SQLException, NotAHistory {
    boolean hasMeta;
    try (ResultSet r =
        s.executeQuery("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='meta'")) {
      hasMeta = r.next() && r.getInt(1) == 1;
    }
    if (!hasMeta) {
      throw new NotAHistory("an SQLite database of another program (no oomlens meta table)");
    }
    try (ResultSet r = s.executeQuery("SELECT value FROM meta WHERE key='app'")) {
      if (!r.next() || !APP.equals(r.getString(1))) {
        throw new NotAHistory("an SQLite database of another program");
      }
    }
  }

  private static boolean isNotADatabase(SQLException e) {
    String m = String.valueOf(e.getMessage());
    return m.contains("SQLITE_NOTADB")
        || m.contains("not a database")
        || m.contains("SQLITE_CORRUPT")
        || m.contains("malformed");
  }

  private static void createSchema(Statement s, String prefix) throws SQLException {
    for (String sql : SCHEMA_SQL) {
      s.execute(String.format(sql, prefix));
    }
  }

  private void toMemory(String why) {
    notes.add(why + "; the history is kept in memory until the file can be written");
    try {
      if (db != null) {
        db.close();
      }
      db = DriverManager.getConnection("jdbc:sqlite::memory:");
      try (Statement s = db.createStatement()) {
        createSchema(s, "");
      }
      inMemory = true;
      if (bootId != null) {
        insertBoot();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot open an in-memory SQLite database", e);
    }
  }

  private static String reason(Exception e) {
    if (e instanceof IOException io) {
      return dev.oomlens.core.source.IoReasons.of(io);
    }
    String m = String.valueOf(e.getMessage());
    int bracket = m.indexOf("] ");
    return bracket >= 0 ? m.substring(bracket + 2) : m;
  }

  /**
   * Where the history lives by default: {@code /var/lib/oomlens/oomlens.db} for root, else under
   * the user's data directory ({@code $XDG_DATA_HOME}, or {@code ~/.local/share}).
   */
  public static Path defaultFile() {
    if ("root".equals(System.getProperty("user.name"))) {
      return Path.of("/var/lib/oomlens/oomlens.db");
    }
    String xdg = System.getenv("XDG_DATA_HOME");
    Path data =
        xdg != null && !xdg.isBlank()
            ? Path.of(xdg)
            : Path.of(System.getProperty("user.home"), ".local", "share");
    return data.resolve("oomlens").resolve("oomlens.db");
  }

  /** The file this history belongs to. */
  public Path file() {
    return file;
  }

  /** True when the history is written to its file; false while it is kept in memory. */
  public synchronized boolean writable() {
    return !inMemory;
  }

  /** What happened to the file (moved aside, unwritable, written again), oldest first; drains. */
  public synchronized List<String> notes() {
    List<String> out = List.copyOf(notes);
    notes.clear();
    return out;
  }

  /**
   * While in memory: at most every {@code every}, tries the file again; when it can be written,
   * copies what memory holds into it and goes on there. True when the history is on file.
   */
  public synchronized boolean retryFile(Duration every) {
    if (!inMemory) {
      return true;
    }
    Instant now = clock.instant();
    if (lastRetry.plus(every).isAfter(now)) {
      return false;
    }
    lastRetry = now;
    Connection disk;
    try {
      disk = openFile(file, true);
      disk.close();
    } catch (SQLException | IOException | NotAHistory e) {
      return false;
    }
    try (Statement s = db.createStatement()) {
      s.execute("ATTACH DATABASE '" + file.toString().replace("'", "''") + "' AS disk");
      db.setAutoCommit(false);
      s.execute(
          "INSERT INTO disk.boot SELECT * FROM main.boot WHERE true"
              + " ON CONFLICT(boot_id) DO UPDATE SET cursor_seq = max(cursor_seq,"
              + " excluded.cursor_seq)");
      s.execute(
          "INSERT OR IGNORE INTO disk.kill("
              + KILL_COLUMNS
              + ") SELECT "
              + KILL_COLUMNS
              + " FROM main.kill");
      s.execute(
          "INSERT INTO disk.warning(code, cgroup, raised_ms, cleared_ms, ttl_s, summary,"
              + " evidence) SELECT code, cgroup, raised_ms, cleared_ms, ttl_s, summary, evidence"
              + " FROM main.warning");
      s.execute("INSERT OR IGNORE INTO disk.sample SELECT * FROM main.sample");
      s.execute("INSERT INTO disk.lost SELECT * FROM main.lost");
      s.execute(
          "INSERT OR IGNORE INTO disk.userspace_kill("
              + USERSPACE_COLUMNS
              + ") SELECT "
              + USERSPACE_COLUMNS
              + " FROM main.userspace_kill");
      s.execute("INSERT OR REPLACE INTO disk.journal SELECT * FROM main.journal");
      db.commit();
      db.setAutoCommit(true);
      s.execute("DETACH DATABASE disk");
    } catch (SQLException e) {
      try {
        db.rollback();
        db.setAutoCommit(true);
        try (Statement s = db.createStatement()) {
          s.execute("DETACH DATABASE disk");
        }
      } catch (SQLException ignored) {
        // Still in memory, as before; the next retry starts afresh.
      }
      return false;
    }
    try {
      Connection memory = db;
      db = openFile(file, true);
      memory.close();
      inMemory = false;
      notes.add(file + " can be written again: what was kept in memory is now in it");
      return true;
    } catch (SQLException | IOException | NotAHistory e) {
      return false;
    }
  }

  /** Records this boot's wall-clock start, once. */
  public synchronized void boot(String bootId, Instant bootTime) {
    this.bootId = bootId;
    this.bootTime = bootTime;
    write(this::insertBoot);
  }

  private void insertBoot() throws SQLException {
    try (PreparedStatement p =
        db.prepareStatement("INSERT OR IGNORE INTO boot(boot_id, boot_ms) VALUES (?, ?)")) {
      p.setString(1, bootId);
      p.setLong(2, bootTime.toEpochMilli());
      p.executeUpdate();
    }
  }

  /** The sequence number read up to in this boot; empty when this boot was never read. */
  public synchronized OptionalLong cursor(String bootId) {
    try (PreparedStatement p =
        db.prepareStatement("SELECT cursor_seq FROM boot WHERE boot_id = ?")) {
      p.setString(1, bootId);
      try (ResultSet r = p.executeQuery()) {
        return r.next() && r.getLong(1) >= 0 ? OptionalLong.of(r.getLong(1)) : OptionalLong.empty();
      }
    } catch (SQLException e) {
      return OptionalLong.empty();
    }
  }

  /** Records that every record of this boot up to {@code seq} has been read and kept. */
  public synchronized void cursor(String bootId, long seq) {
    write(() -> setCursor(bootId, seq));
  }

  private void setCursor(String bootId, long seq) throws SQLException {
    try (PreparedStatement p =
        db.prepareStatement("UPDATE boot SET cursor_seq = max(cursor_seq, ?) WHERE boot_id = ?")) {
      p.setLong(1, seq);
      p.setString(2, bootId);
      p.executeUpdate();
    }
  }

  /**
   * Stores a kill and moves the cursor to {@code cursorSeq}, in one transaction. False when the
   * kill was already stored (read again after a restart): then nothing changes.
   */
  public synchronized boolean addKill(KillRecord k, long cursorSeq) {
    boolean[] inserted = {false};
    write(
        () -> {
          db.setAutoCommit(false);
          try {
            try (PreparedStatement p =
                db.prepareStatement(
                    "INSERT OR IGNORE INTO kill("
                        + KILL_COLUMNS
                        + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
              int i = 1;
              p.setString(i++, k.bootId());
              p.setLong(i++, k.firstSeq());
              p.setLong(i++, k.killSeq());
              p.setLong(i++, k.lastSeq());
              p.setLong(i++, k.at().toEpochMilli());
              setLong(p, i++, k.victimPid());
              p.setString(i++, k.victimComm().orElse(null));
              setLong(p, i++, k.victimRssBytes());
              p.setString(i++, k.cgroup().orElse(null));
              p.setString(i++, k.cgroupSource());
              p.setString(i++, k.oomCgroup().orElse(null));
              p.setString(i++, k.verdict().label());
              p.setString(i++, k.podUid().orElse(null));
              p.setString(i++, k.containerId().orElse(null));
              p.setString(i++, k.unit().orElse(null));
              p.setString(i++, k.code().orElse(null));
              p.setString(i++, k.summary());
              p.setString(i++, k.report());
              p.setString(i++, k.captured());
              inserted[0] = p.executeUpdate() == 1;
            }
            setCursor(k.bootId(), cursorSeq);
            db.commit();
          } catch (SQLException e) {
            // SQLite may have rolled back already (SQLITE_FULL does): the first error is the one to
            // tell.
            try {
              db.rollback();
            } catch (SQLException ignored) {
              // nothing left to roll back
            }
            throw e;
          } finally {
            try {
              db.setAutoCommit(true);
            } catch (SQLException ignored) {
              // the connection is given up by write() if it is broken
            }
          }
        });
    return inserted[0];
  }

  /** The journal cursor of the killers' entries read up to; empty when none was read. */
  public synchronized Optional<String> killerCursor() {
    try (Statement s = db.createStatement();
        ResultSet r = s.executeQuery("SELECT cursor FROM journal WHERE name = 'killers'")) {
      return r.next() ? Optional.of(r.getString(1)) : Optional.empty();
    } catch (SQLException e) {
      return Optional.empty();
    }
  }

  /** Records that the killers' journal entries were read up to {@code cursor}. */
  public synchronized void killerCursor(String cursor) {
    write(() -> setKillerCursor(cursor));
  }

  private void setKillerCursor(String cursor) throws SQLException {
    try (PreparedStatement p =
        db.prepareStatement("INSERT OR REPLACE INTO journal(name, cursor) VALUES ('killers', ?)")) {
      p.setString(1, cursor);
      p.executeUpdate();
    }
  }

  /**
   * Stores a userspace killer's kill and moves the killers' cursor to it, in one transaction. False
   * when it was already stored (same journal cursor): then nothing changes.
   */
  public synchronized boolean addUserspaceKill(UserspaceKill k) {
    boolean[] inserted = {false};
    write(
        () -> {
          db.setAutoCommit(false);
          try {
            try (PreparedStatement p =
                db.prepareStatement(
                    "INSERT OR IGNORE INTO userspace_kill("
                        + USERSPACE_COLUMNS
                        + ") VALUES (?,?,?,?,?,?,?,?,?,?,?)")) {
              int i = 1;
              p.setString(i++, k.cursor());
              p.setString(i++, k.bootId());
              p.setLong(i++, k.at().toEpochMilli());
              p.setString(i++, k.killer());
              p.setString(i++, k.action());
              setLong(p, i++, k.pid());
              p.setString(i++, k.comm().orElse(null));
              p.setString(i++, k.unit().orElse(null));
              setLong(p, i++, k.rssBytes());
              p.setString(i++, k.reason().orElse(null));
              p.setString(i++, k.line());
              inserted[0] = p.executeUpdate() == 1;
            }
            setKillerCursor(k.cursor());
            db.commit();
          } catch (SQLException e) {
            try {
              db.rollback();
            } catch (SQLException ignored) {
              // nothing left to roll back
            }
            throw e;
          } finally {
            try {
              db.setAutoCommit(true);
            } catch (SQLException ignored) {
              // the connection is given up by write() if it is broken
            }
          }
        });
    return inserted[0];
  }

  /** The userspace killers' kills stored, oldest first, at or after {@code since}. */
  public synchronized List<UserspaceKill> userspaceKills(Optional<Instant> since) {
    List<UserspaceKill> out = new ArrayList<>();
    try (PreparedStatement p =
        db.prepareStatement(
            "SELECT "
                + USERSPACE_COLUMNS
                + " FROM userspace_kill WHERE at_ms >= ? ORDER BY at_ms, id")) {
      p.setLong(1, since.map(Instant::toEpochMilli).orElse(Long.MIN_VALUE));
      try (ResultSet r = p.executeQuery()) {
        while (r.next()) {
          out.add(
              new UserspaceKill(
                  r.getString(1),
                  r.getString(2),
                  Instant.ofEpochMilli(r.getLong(3)),
                  r.getString(4),
                  r.getString(5),
                  optLong(r, 6),
                  opt(r, 7),
                  opt(r, 8),
                  optLong(r, 9),
                  opt(r, 10),
                  r.getString(11)));
        }
      }
    } catch (SQLException e) {
      // A history written before this table existed, opened read-only: no such kills.
      if (String.valueOf(e.getMessage()).contains("no such table")) {
        return out;
      }
      throw new IllegalStateException(
          "cannot read the userspace kills of " + file + ": " + reason(e), e);
    }
    return out;
  }

  /** Records that records {@code first..last} of a boot were lost before they could be read. */
  public synchronized void lost(String bootId, long first, long last) {
    write(
        () -> {
          try (PreparedStatement p =
              db.prepareStatement(
                  "INSERT INTO lost(boot_id, first_seq, last_seq, at_ms) VALUES (?,?,?,?)")) {
            p.setString(1, bootId);
            p.setLong(2, first);
            p.setLong(3, last);
            p.setLong(4, clock.millis());
            p.executeUpdate();
          }
        });
  }

  /**
   * Kernel log records of a boot that were gone from the ring buffer before the agent read them,
   * noticed at {@code noticedAt}; {@code firstSeq} and {@code lastSeq} are -1 when the kernel said
   * records were lost but not which.
   */
  public record LostRecords(String bootId, long firstSeq, long lastSeq, Instant noticedAt) {
    /** How many records, or -1 when unknown. */
    public long count() {
      return firstSeq < 0 ? -1 : lastSeq - firstSeq + 1;
    }
  }

  /** Every gap recorded by {@link #lost}, oldest first. */
  public synchronized List<LostRecords> lost() {
    List<LostRecords> out = new ArrayList<>();
    try (Statement s = db.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT boot_id, first_seq, last_seq, at_ms FROM lost ORDER BY at_ms, rowid")) {
      while (r.next()) {
        out.add(
            new LostRecords(
                r.getString(1), r.getLong(2), r.getLong(3), Instant.ofEpochMilli(r.getLong(4))));
      }
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot read the lost records of " + file + ": " + reason(e), e);
    }
    return out;
  }

  /** Stores a raised warning; returns its id, for {@link #clearWarning}. */
  public synchronized long raiseWarning(WarningRecord w) {
    long[] id = {-1};
    write(
        () -> {
          try (PreparedStatement p =
              db.prepareStatement(
                  "INSERT INTO warning(code, cgroup,"
                      + " raised_ms, ttl_s, summary, evidence) VALUES (?,?,?,?,?,?)",
                  Statement.RETURN_GENERATED_KEYS)) {
            p.setString(1, w.code());
            p.setString(2, w.cgroup().orElse(null));
            p.setLong(3, w.raisedAt().toEpochMilli());
            if (w.timeToLimitSeconds().isPresent()) {
              p.setDouble(4, w.timeToLimitSeconds().getAsDouble());
            } else {
              p.setNull(4, Types.REAL);
            }
            p.setString(5, w.summary());
            p.setString(6, w.evidence());
            p.executeUpdate();
            try (ResultSet r = p.getGeneratedKeys()) {
              id[0] = r.next() ? r.getLong(1) : -1;
            }
          }
        });
    return id[0];
  }

  /** Marks a warning as cleared at {@code at}. */
  public synchronized void clearWarning(long id, Instant at) {
    write(
        () -> {
          try (PreparedStatement p =
              db.prepareStatement(
                  "UPDATE warning SET cleared_ms = ? WHERE id = ? AND cleared_ms IS NULL")) {
            p.setLong(1, at.toEpochMilli());
            p.setLong(2, id);
            p.executeUpdate();
          }
        });
  }

  /** Stores one downsampled point of a cgroup's usage and limit. */
  public synchronized void sample(String cgroup, Instant at, long usageBytes, long limitBytes) {
    write(
        () -> {
          try (PreparedStatement p =
              db.prepareStatement(
                  "INSERT OR REPLACE INTO sample(cgroup, at_ms, usage_bytes, limit_bytes)"
                      + " VALUES (?,?,?,?)")) {
            p.setString(1, cgroup);
            p.setLong(2, at.toEpochMilli());
            p.setLong(3, usageBytes);
            p.setLong(4, limitBytes);
            p.executeUpdate();
          }
        });
  }

  /**
   * Deletes what is older than {@code maxAge}, then, while the file is larger than {@code
   * maxBytes}, the oldest samples and kills. Returns the rows deleted.
   */
  public synchronized long retain(Duration maxAge, long maxBytes) {
    long[] deleted = {0};
    long cutoff = clock.instant().minus(maxAge).toEpochMilli();
    write(
        () -> {
          try (Statement s = db.createStatement()) {
            deleted[0] += s.executeUpdate("DELETE FROM sample WHERE at_ms < " + cutoff);
            deleted[0] += s.executeUpdate("DELETE FROM kill WHERE at_ms < " + cutoff);
            deleted[0] += s.executeUpdate("DELETE FROM warning WHERE raised_ms < " + cutoff);
            deleted[0] += s.executeUpdate("DELETE FROM lost WHERE at_ms < " + cutoff);
            deleted[0] += s.executeUpdate("DELETE FROM userspace_kill WHERE at_ms < " + cutoff);
            for (int round = 0; round < 20 && sizeBytes(s) > maxBytes; round++) {
              long n =
                  s.executeUpdate(
                      "DELETE FROM sample WHERE rowid IN (SELECT rowid FROM sample"
                          + " ORDER BY at_ms LIMIT max(100, (SELECT count(*) FROM sample) / 10))");
              if (n == 0) {
                n =
                    s.executeUpdate(
                        "DELETE FROM kill WHERE id IN (SELECT id FROM kill"
                            + " ORDER BY at_ms LIMIT max(10, (SELECT count(*) FROM kill) / 10))");
              }
              deleted[0] += n;
              if (n == 0) {
                break;
              }
              s.execute("VACUUM");
            }
          }
        });
    return deleted[0];
  }

  private static long sizeBytes(Statement s) throws SQLException {
    long pages;
    long pageSize;
    try (ResultSet r = s.executeQuery("PRAGMA page_count")) {
      pages = r.next() ? r.getLong(1) : 0;
    }
    try (ResultSet r = s.executeQuery("PRAGMA page_size")) {
      pageSize = r.next() ? r.getLong(1) : 4096;
    }
    try (ResultSet r = s.executeQuery("PRAGMA freelist_count")) {
      pages -= r.next() ? r.getLong(1) : 0;
    }
    return pages * pageSize;
  }

  /** The kills stored, oldest first, at or after {@code since}. */
  public synchronized List<KillRecord> kills(Optional<Instant> since) {
    List<KillRecord> out = new ArrayList<>();
    try (PreparedStatement p =
        db.prepareStatement(
            "SELECT "
                + KILL_COLUMNS
                + " FROM kill WHERE at_ms >= ? ORDER BY at_ms, boot_id, kill_seq")) {
      p.setLong(1, since.map(Instant::toEpochMilli).orElse(Long.MIN_VALUE));
      try (ResultSet r = p.executeQuery()) {
        while (r.next()) {
          out.add(
              new KillRecord(
                  r.getString(1),
                  r.getLong(2),
                  r.getLong(3),
                  r.getLong(4),
                  Instant.ofEpochMilli(r.getLong(5)),
                  optLong(r, 6),
                  opt(r, 7),
                  optLong(r, 8),
                  opt(r, 9),
                  r.getString(10),
                  opt(r, 11),
                  Verdict.valueOf(r.getString(12).toUpperCase(java.util.Locale.ROOT)),
                  opt(r, 13),
                  opt(r, 14),
                  opt(r, 15),
                  opt(r, 16),
                  r.getString(17),
                  r.getString(18),
                  r.getString(19)));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the kills of " + file + ": " + reason(e), e);
    }
    return out;
  }

  /**
   * One cgroup's stored downsampled points, oldest first.
   *
   * @param cgroup the cgroup's path, as the agent sampled it
   * @param atMillis when each point was taken
   * @param usageBytes the cgroup's usage then
   * @param limitBytes its limit then
   */
  public record CgroupSamples(
      String cgroup, long[] atMillis, long[] usageBytes, long[] limitBytes) {}

  /**
   * The stored points in {@code [from, to]}, one cgroup at a time (by path), each handed to {@code
   * out} as soon as it is read whole: the history's retention bounds what one cgroup holds.
   */
  public synchronized void samples(
      Instant from, Instant to, java.util.function.Consumer<CgroupSamples> out) {
    try (PreparedStatement p =
        db.prepareStatement(
            "SELECT cgroup, at_ms, usage_bytes, limit_bytes FROM sample"
                + " WHERE at_ms >= ? AND at_ms <= ? ORDER BY cgroup, at_ms")) {
      p.setLong(1, from.toEpochMilli());
      p.setLong(2, to.toEpochMilli());
      try (ResultSet r = p.executeQuery()) {
        String cgroup = null;
        List<long[]> points = new ArrayList<>();
        while (r.next()) {
          String c = r.getString(1);
          if (cgroup != null && !c.equals(cgroup)) {
            out.accept(samplesOf(cgroup, points));
            points.clear();
          }
          cgroup = c;
          points.add(new long[] {r.getLong(2), r.getLong(3), r.getLong(4)});
        }
        if (cgroup != null) {
          out.accept(samplesOf(cgroup, points));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the samples of " + file + ": " + reason(e), e);
    }
  }

  private static CgroupSamples samplesOf(String cgroup, List<long[]> points) {
    int n = points.size();
    long[] at = new long[n];
    long[] usage = new long[n];
    long[] limit = new long[n];
    for (int i = 0; i < n; i++) {
      at[i] = points.get(i)[0];
      usage[i] = points.get(i)[1];
      limit[i] = points.get(i)[2];
    }
    return new CgroupSamples(cgroup, at, usage, limit);
  }

  /** The warnings stored, oldest first, raised at or after {@code since}. */
  public synchronized List<WarningRecord> warnings(Optional<Instant> since) {
    List<WarningRecord> out = new ArrayList<>();
    try (PreparedStatement p =
        db.prepareStatement(
            "SELECT id, code, cgroup, raised_ms,"
                + " cleared_ms, ttl_s, summary, evidence FROM warning WHERE raised_ms >= ?"
                + " ORDER BY raised_ms, id")) {
      p.setLong(1, since.map(Instant::toEpochMilli).orElse(Long.MIN_VALUE));
      try (ResultSet r = p.executeQuery()) {
        while (r.next()) {
          long cleared = r.getLong(5);
          Optional<Instant> clearedAt =
              r.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(cleared));
          double ttl = r.getDouble(6);
          OptionalDouble ttlS = r.wasNull() ? OptionalDouble.empty() : OptionalDouble.of(ttl);
          out.add(
              new WarningRecord(
                  r.getLong(1),
                  r.getString(2),
                  opt(r, 3),
                  Instant.ofEpochMilli(r.getLong(4)),
                  clearedAt,
                  ttlS,
                  r.getString(7),
                  r.getString(8)));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the warnings of " + file + ": " + reason(e), e);
    }
    return out;
  }

  /**
   * The cgroup of the last kill of each process name whose cgroup the kernel's report named, at
   * most {@code limit} names, newest last: how a restarted agent places a ratelimited kill line.
   */
  public synchronized java.util.Map<String, String> lastCgroupByComm(int limit) {
    java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
    try (PreparedStatement p =
        db.prepareStatement(
            "SELECT victim_comm, cgroup FROM kill"
                + " WHERE cgroup_source = 'report' AND victim_comm IS NOT NULL AND cgroup IS NOT NULL"
                + " AND id IN (SELECT max(id) FROM kill WHERE cgroup_source = 'report'"
                + " GROUP BY victim_comm) ORDER BY id DESC LIMIT ?")) {
      p.setInt(1, limit);
      try (ResultSet r = p.executeQuery()) {
        List<String[]> rows = new ArrayList<>();
        while (r.next()) {
          rows.add(new String[] {r.getString(1), r.getString(2)});
        }
        for (int i = rows.size() - 1; i >= 0; i--) {
          out.put(rows.get(i)[0], rows.get(i)[1]);
        }
      }
    } catch (SQLException e) {
      return java.util.Map.of();
    }
    return out;
  }

  /** The wall-clock start of every boot recorded, by boot id. */
  public synchronized java.util.Map<String, Instant> boots() {
    java.util.Map<String, Instant> out = new java.util.LinkedHashMap<>();
    try (Statement s = db.createStatement();
        ResultSet r = s.executeQuery("SELECT boot_id, boot_ms FROM boot ORDER BY boot_ms")) {
      while (r.next()) {
        out.put(r.getString(1), Instant.ofEpochMilli(r.getLong(2)));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the boots of " + file + ": " + reason(e), e);
    }
    return out;
  }

  private static Optional<String> opt(ResultSet r, int column) throws SQLException {
    return Optional.ofNullable(r.getString(column));
  }

  private static OptionalLong optLong(ResultSet r, int column) throws SQLException {
    long v = r.getLong(column);
    return r.wasNull() ? OptionalLong.empty() : OptionalLong.of(v);
  }

  private static void setLong(PreparedStatement p, int i, OptionalLong v) throws SQLException {
    if (v.isPresent()) {
      p.setLong(i, v.getAsLong());
    } else {
      p.setNull(i, Types.INTEGER);
    }
  }

  @FunctionalInterface
  private interface Write {
    void run() throws SQLException;
  }

  /**
   * Runs a write; when the file refuses it (disk full, made read-only, removed), switches to memory
   * and runs it there, so nothing read is lost.
   */
  private void write(Write w) {
    try {
      w.run();
    } catch (SQLException e) {
      if (inMemory) {
        throw new IllegalStateException("the in-memory history refused a write: " + reason(e), e);
      }
      toMemory("cannot write " + file + ": " + reason(e));
      try {
        w.run();
      } catch (SQLException e2) {
        throw new IllegalStateException("the in-memory history refused a write: " + reason(e2), e2);
      }
    }
  }

  @Override
  public synchronized void close() {
    try {
      if (db != null) {
        db.close();
      }
    } catch (SQLException e) {
      // Closing: every commit is already in the WAL.
    }
  }
}
