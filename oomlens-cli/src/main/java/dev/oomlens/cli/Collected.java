package dev.oomlens.cli;

import dev.oomlens.core.model.AllocFailure;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.Problem;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link ReportOutput} that keeps what the inputs held, in order, to be written once the
 * findings are known: the text puts the diagnosis before the reports it was drawn from.
 */
final class Collected implements ReportOutput {
  private sealed interface Event permits Begin, End, Unreadable, Report, Alloc, Trouble {}

  private record Begin(String name, String emptyMessage) implements Event {}

  private record End() implements Event {}

  private record Unreadable(Problem problem) implements Event {}

  private record Report(OomReport report) implements Event {}

  private record Alloc(AllocFailure failure) implements Event {}

  private record Trouble(Problem problem) implements Event {}

  private final List<Event> events = new ArrayList<>();
  private final List<OomReport> reports = new ArrayList<>();
  private final List<AllocFailure> allocFailures = new ArrayList<>();

  @Override
  public void beginInput(String name, String emptyMessage) {
    events.add(new Begin(name, emptyMessage));
  }

  @Override
  public void endInput() {
    events.add(new End());
  }

  @Override
  public void unreadable(Problem problem) {
    events.add(new Unreadable(problem));
  }

  @Override
  public void report(OomReport report) {
    events.add(new Report(report));
    reports.add(report);
  }

  @Override
  public void allocFailure(AllocFailure failure) {
    events.add(new Alloc(failure));
    allocFailures.add(failure);
  }

  @Override
  public void problem(Problem problem) {
    events.add(new Trouble(problem));
  }

  @Override
  public void close() {}

  @Override
  public boolean failed() {
    return false;
  }

  /** The OOM reports of every input, in input order. */
  List<OomReport> reports() {
    return List.copyOf(reports);
  }

  List<AllocFailure> allocFailures() {
    return List.copyOf(allocFailures);
  }

  /** Hands everything kept to {@code target}, in the order it came; does not close it. */
  void replay(ReportOutput target) {
    for (Event e : events) {
      switch (e) {
        case Begin b -> target.beginInput(b.name(), b.emptyMessage());
        case End x -> target.endInput();
        case Unreadable u -> target.unreadable(u.problem());
        case Report r -> target.report(r.report());
        case Alloc a -> target.allocFailure(a.failure());
        case Trouble t -> target.problem(t.problem());
      }
    }
  }
}
