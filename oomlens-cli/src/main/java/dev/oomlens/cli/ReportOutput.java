package dev.oomlens.cli;

import dev.oomlens.core.kernel.KernelLogSink;
import dev.oomlens.core.model.AllocFailure;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.Problem;
import dev.oomlens.report.json.JsonReportWriter;
import dev.oomlens.report.text.TextReportWriter;
import java.io.PrintWriter;

/**
 * Where the events of one run go, in the format the user chose: a {@link KernelLogSink} told where
 * each input starts and ends, closed once at the end of the run.
 */
interface ReportOutput extends KernelLogSink, AutoCloseable {
  /**
   * The events that follow are from the input {@code name}; {@code emptyMessage} is what the text
   * says when it holds no OOM-killer report.
   */
  void beginInput(String name, String emptyMessage);

  /** The input begun last has ended. */
  void endInput();

  /**
   * An input that could not be opened at all: the text report leaves it to the message on
   * standard error, the JSON document lists it among its problems.
   */
  void unreadable(Problem problem);

  /** Ends the output (the JSON document) and flushes it; does not close the target. */
  @Override
  void close();

  /** True when writing to the target failed at some point. */
  boolean failed();

  /** The text report, on {@code out}. */
  static ReportOutput text(PrintWriter out) {
    TextReportWriter writer = new TextReportWriter(out);
    return new ReportOutput() {
      @Override
      public void beginInput(String name, String emptyMessage) {
        writer.beginInput(name, emptyMessage);
      }

      @Override
      public void endInput() {
        writer.endInput();
      }

      @Override
      public void unreadable(Problem problem) {}

      @Override
      public void report(OomReport report) {
        writer.report(report);
      }

      @Override
      public void allocFailure(AllocFailure failure) {
        writer.allocFailure(failure);
      }

      @Override
      public void problem(Problem problem) {
        writer.problem(problem);
      }

      @Override
      public void close() {
        out.flush();
      }

      @Override
      public boolean failed() {
        return out.checkError();
      }
    };
  }

  /**
   * The JSON document, written by {@code writer} to {@code out}: one document for the whole run,
   * so inputs need no marking (every event names its file); {@code more} writes the keys that
   * follow the kernel log's when the document is closed.
   */
  static ReportOutput json(JsonReportWriter writer, PrintWriter out,
      JsonReportWriter.Section more) {
    return new ReportOutput() {
      @Override
      public void beginInput(String name, String emptyMessage) {}

      @Override
      public void endInput() {}

      @Override
      public void unreadable(Problem problem) {
        writer.problem(problem);
      }

      @Override
      public void report(OomReport report) {
        writer.report(report);
      }

      @Override
      public void allocFailure(AllocFailure failure) {
        writer.allocFailure(failure);
      }

      @Override
      public void problem(Problem problem) {
        writer.problem(problem);
      }

      @Override
      public void close() {
        writer.close(more);
        out.flush();
      }

      @Override
      public boolean failed() {
        return out.checkError();
      }
    };
  }
}
