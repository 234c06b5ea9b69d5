package dev.oomlens.core.rules;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.finding.Severity;

/**
 * What a rule is: its stable code, a one-line summary without trailing period, and the severity its
 * findings usually carry.
 */
public record RuleInfo(String code, String summary, Severity defaultSeverity) {
  public RuleInfo {
    requireNonNull(code, "code");
    requireNonNull(summary, "summary");
    requireNonNull(defaultSeverity, "defaultSeverity");
    if (!code.matches("[A-Z][A-Z0-9]*(-[A-Z0-9]+)*")) {
      throw new IllegalArgumentException("code must be UPPER-KEBAB: " + code);
    }
  }

  /** The documentation page of this rule, relative to the repository root. */
  public String docPath() {
    return "docs/rules/" + code + ".md";
  }
}
