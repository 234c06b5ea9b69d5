package dev.oomlens.report.json;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.oomlens.core.model.LogTime;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * The field shapes every JSON writer of oomlens shares: an empty value is written as {@code null}
 * under its key (the contract keeps every key present), times as the kernel printed them.
 */
final class JsonFields {
  private JsonFields() {}

  static void string(JsonGenerator json, String name, Optional<String> value) throws IOException {
    json.writeFieldName(name);
    if (value.isPresent()) {
      json.writeString(value.get());
    } else {
      json.writeNull();
    }
  }

  static void number(JsonGenerator json, String name, OptionalLong value) throws IOException {
    json.writeFieldName(name);
    if (value.isPresent()) {
      json.writeNumber(value.getAsLong());
    } else {
      json.writeNull();
    }
  }

  static void number(JsonGenerator json, String name, OptionalInt value) throws IOException {
    json.writeFieldName(name);
    if (value.isPresent()) {
      json.writeNumber(value.getAsInt());
    } else {
      json.writeNull();
    }
  }

  static void bool(JsonGenerator json, String name, Optional<Boolean> value) throws IOException {
    json.writeFieldName(name);
    if (value.isPresent()) {
      json.writeBoolean(value.get());
    } else {
      json.writeNull();
    }
  }

  /** {@code {"monotonic_s": ..., "wallclock": ..., "year_inferred": ...}} as a value. */
  static void time(JsonGenerator json, LogTime time) throws IOException {
    json.writeStartObject();
    json.writeFieldName("monotonic_s");
    OptionalDouble seconds = time.monotonicSeconds();
    if (seconds.isPresent() && Double.isFinite(seconds.getAsDouble())) {
      // The kernel prints microseconds: six decimals, never the binary expansion of the double.
      json.writeNumber(String.format(Locale.ROOT, "%.6f", seconds.getAsDouble()));
    } else {
      json.writeNull();
    }
    string(json, "wallclock", time.wallclock());
    json.writeBooleanField("year_inferred", time.yearInferred());
    json.writeEndObject();
  }

  /** Counters as an object with sorted keys, so output does not depend on map order. */
  static void sortedCounters(JsonGenerator json, Map<String, Long> counters) throws IOException {
    json.writeStartObject();
    for (Map.Entry<String, Long> e : new TreeMap<>(counters).entrySet()) {
      json.writeFieldName(e.getKey());
      if (e.getValue() == null) {
        json.writeNull();
      } else {
        json.writeNumber(e.getValue());
      }
    }
    json.writeEndObject();
  }
}
