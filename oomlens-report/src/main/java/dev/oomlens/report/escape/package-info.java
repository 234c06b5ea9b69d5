/**
 * What keeps input from acting on the reader's terminal: {@link dev.oomlens.report.escape.Controls}
 * names the characters that could (controls, bidi and invisible formatting characters) and their
 * visible form, and {@link dev.oomlens.report.escape.EscapingWriter} shows them that way on the
 * text, Markdown and error output.
 */
package dev.oomlens.report.escape;
