package dev.oomlens.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * A growable buffer of ASCII bytes that generated log lines are written into, with the few
 * formatting operations the generator needs done without {@code String.format}, which would make
 * writing a gigabyte take minutes.
 */
final class ByteBuf {
  private static final byte[] HEX = {
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'
  };

  private byte[] bytes;
  private int size;

  ByteBuf(int capacity) {
    bytes = new byte[capacity];
  }

  int size() {
    return size;
  }

  void clear() {
    size = 0;
  }

  /** Cuts the buffer back to {@code newSize} bytes, dropping what was appended after it. */
  void truncate(int newSize) {
    size = newSize;
  }

  private void ensure(int extra) {
    if (size + extra > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + extra));
    }
  }

  ByteBuf append(byte[] b) {
    ensure(b.length);
    System.arraycopy(b, 0, bytes, size, b.length);
    size += b.length;
    return this;
  }

  ByteBuf append(ByteBuf other) {
    ensure(other.size);
    System.arraycopy(other.bytes, 0, bytes, size, other.size);
    size += other.size;
    return this;
  }

  /** Appends an ASCII string; other characters would not survive, and none are generated. */
  ByteBuf append(String s) {
    int n = s.length();
    ensure(n);
    for (int i = 0; i < n; i++) {
      bytes[size++] = (byte) s.charAt(i);
    }
    return this;
  }

  ByteBuf append(char c) {
    ensure(1);
    bytes[size++] = (byte) c;
    return this;
  }

  ByteBuf spaces(int n) {
    ensure(n);
    Arrays.fill(bytes, size, size + n, (byte) ' ');
    size += n;
    return this;
  }

  /** Appends a non-negative decimal number. */
  ByteBuf decimal(long value) {
    return decimal(value, 0, (byte) '0');
  }

  /** Appends a non-negative decimal number, left-padded with {@code pad} to {@code width}. */
  ByteBuf decimal(long value, int width, byte pad) {
    int digits = 1;
    for (long v = value; v >= 10; v /= 10) {
      digits++;
    }
    int total = Math.max(width, digits);
    ensure(total);
    for (int i = 0; i < total - digits; i++) {
      bytes[size++] = pad;
    }
    int end = size + digits;
    for (int i = end - 1; i >= size; i--) {
      bytes[i] = (byte) ('0' + value % 10);
      value /= 10;
    }
    size = end;
    return this;
  }

  /** Appends the low {@code digits} hex digits of {@code value}, zero-padded. */
  ByteBuf hex(long value, int digits) {
    ensure(digits);
    for (int i = digits - 1; i >= 0; i--) {
      bytes[size + i] = HEX[(int) (value & 0xf)];
      value >>>= 4;
    }
    size += digits;
    return this;
  }

  void writeTo(OutputStream out) throws IOException {
    out.write(bytes, 0, size);
  }

  @Override
  public String toString() {
    return new String(bytes, 0, size, java.nio.charset.StandardCharsets.ISO_8859_1);
  }
}
