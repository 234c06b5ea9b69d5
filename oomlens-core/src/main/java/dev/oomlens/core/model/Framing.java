package dev.oomlens.core.model;

/** The way a log line wraps the kernel's message; detected line by line, so mixed files work. */
public enum Framing {
  /** {@code dmesg}: {@code [ 3981.080995] msg}, optionally with a caller id {@code [ T3106]}. */
  DMESG,
  /**
   * dmesg with wall-clock times: {@code -T} ({@code [Sun Nov 22 20:21:28 2026] msg}) or {@code
   * --time-format=iso} ({@code 2026-11-22T20:21:28,123456+01:00 msg}).
   */
  DMESG_T,
  /** A {@code /dev/kmsg} record: {@code 4,503,3981080995,-;msg}. */
  KMSG,
  /**
   * RFC 3164 syslog, journalctl {@code short}/{@code short-precise}: {@code Feb 03 19:57:08 host
   * kernel: msg}.
   */
  SYSLOG,
  /**
   * journalctl {@code short-iso}/{@code short-iso-precise}, rsyslog RFC 3339 files: {@code
   * 2024-05-09T14:52:38+0000 host kernel: msg}.
   */
  SYSLOG_ISO,
  /** journalctl {@code short-monotonic}: {@code [ 3981.080995] host kernel: msg}. */
  JOURNAL_MONOTONIC,
  /** RFC 5424 syslog: {@code <4>1 2024-05-09T14:52:38.123+00:00 host kernel - - - msg}. */
  RFC5424,
  /** Message text with no prefix at all, as pasted into tickets and test fixtures. */
  BARE
}
