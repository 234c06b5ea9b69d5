package dev.oomlens.cli;

import dev.oomlens.core.diagnosis.Diagnosis;
import dev.oomlens.core.model.Input;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.Set;

/*
 * Exit codes: an input of the kernel log or the host that could not be read whole (not opened,
 * damaged, not text, or nothing in it recognised) is 3, with one line on stderr naming it and why;
 * the others are still read and diagnosed. The userspace killers' records are a supplement: when
 * they cannot be read that is said, and the diagnosis says their absence proves nothing, but the
 * exit code stays, since the kernel's side of the story stands without them. So do the pod names
 * doctor asks a cluster for: they only name the kills.
 */

/** What doctor and diagnose do once the evidence is read: tell, write, and pick the exit code. */
final class RunOutcome {
  private RunOutcome() {}

  /**
   * Says on {@code err} which inputs could not be read whole, writes the report, and returns the
   * exit code: 3 for an unread kernel log or host (or an unwritable report), 1 for a finding at or
   * above {@code --fail-on}, else 0.
   */
  static int finish(
      Diagnosis d,
      Optional<String> header,
      OutputOptions output,
      DiagnosisOptions diagnosis,
      PrintWriter out,
      PrintWriter err) {
    return finish(d, header, output, diagnosis, out, err, Set.of());
  }

  /** Like the other, leaving out of the messages the inputs the caller has {@code told} of. */
  static int finish(
      Diagnosis d,
      Optional<String> header,
      OutputOptions output,
      DiagnosisOptions diagnosis,
      PrintWriter out,
      PrintWriter err,
      Set<Input> told) {
    int code = ExitCodes.OK;
    for (Input input : d.evidence().inputs()) {
      Optional<String> why = input.whyNotWhole();
      if (why.isEmpty()) {
        continue;
      }
      if (!told.contains(input)) {
        err.println("oomlens: " + message(input));
      }
      // Pod names only name the kills: without them the diagnosis stands whole.
      if (input.kind() != Input.Kind.KILLER_LOG && input.kind() != Input.Kind.CLUSTER) {
        code = ExitCodes.INPUT;
      }
    }
    err.flush();
    try {
      output.write(d, header, out);
    } catch (IOException e) {
      err.println(
          "oomlens: cannot write "
              + output.destination()
              + ": "
              + dev.oomlens.core.source.IoReasons.of(e));
      err.flush();
      return ExitCodes.INPUT;
    }
    return Math.max(code, diagnosis.exitCode(d.findings()));
  }

  /** One line naming the input and why it could not be read whole. */
  static String message(Input input) {
    if (input.spoiled().isPresent()) {
      return input.whyNotWholeNamed().orElseThrow();
    }
    return "no OOM report could be read from "
        + input.name()
        + ": "
        + input.whyNotWhole().orElseThrow();
  }
}
