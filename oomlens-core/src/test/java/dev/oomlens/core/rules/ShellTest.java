package dev.oomlens.core.rules;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ShellTest {
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "nginx.service | nginx.service",
        "docker-1da1ac35179e.scope | docker-1da1ac35179e.scope",
        "/kubepods/burstable/pod1/abc | /kubepods/burstable/pod1/abc",
        "user@1000.service | user@1000.service",
        "x;reboot.service | 'x;reboot.service'",
        "$(id).service | '$(id).service'",
        "a b | 'a b'",
        "it's | 'it'\\''s'",
        "`id` | '`id`'",
      })
  void quote_plainNamesStayAndTheRestIsOneWord(String name, String quoted) {
    assertThat(Shell.quote(name)).isEqualTo(quoted);
  }
}
