package dev.oomlens.report.json;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.oomlens.report.escape.Controls;
import java.util.Locale;

/*
 * JSON itself only needs the C0 controls escaped, and Jackson does that. A consumer that prints a
 * string it read (jq -r, a log shipper, a dashboard) would still hand DEL, the C1 controls and the
 * bidi and invisible characters to a terminal, so the document never holds them raw either: they
 * are written as backslash-u escapes, which every JSON parser reads back as the exact character,
 * so the values stay the evidence as it was. Jackson asks about non-ASCII text one UTF-16 unit at
 * a time, so a character beyond the BMP (an invisible tag character, but also an emoji) cannot be
 * told apart by its halves; every surrogate is escaped, as Jackson's byte-stream generator does
 * already, and the pair reads back as the one character.
 */

/**
 * Jackson's character escapes for oomlens's JSON: the standard ones, plus DEL, every character
 * {@link Controls#isHidden} names and every surrogate, written as <code>&#92;uXXXX</code>.
 */
public final class JsonEscapes extends CharacterEscapes {
  /** The one instance; it holds no state. */
  public static final JsonEscapes INSTANCE = new JsonEscapes();

  private static final long serialVersionUID = 1L;

  private final int[] ascii;

  private JsonEscapes() {
    ascii = standardAsciiEscapesForJSON();
    ascii[0x7f] = ESCAPE_STANDARD;
  }

  @Override
  public int[] getEscapeCodesForAscii() {
    return ascii;
  }

  @Override
  public SerializableString getEscapeSequence(int ch) {
    if (Character.isSurrogate((char) ch) || Controls.isHidden(ch)) {
      return new SerializedString(String.format(Locale.ROOT, "\\u%04X", ch));
    }
    return null;
  }
}
