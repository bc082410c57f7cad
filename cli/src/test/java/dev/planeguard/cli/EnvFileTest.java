package dev.planeguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Docker Compose env-file syntax, with line numbers. */
class EnvFileTest {

  @TempDir Path dir;

  List<EnvFile.Entry> read(String text) throws Exception {
    Path file = dir.resolve("env.tier-api");
    Files.writeString(file, text);
    return EnvFile.read(file);
  }

  static EnvFile.Entry entry(String name, String value, int line) {
    return new EnvFile.Entry(name, value, line);
  }

  @Test
  void commentsQuotesExportAndInheritedNames() throws Exception {
    assertThat(
            read(
                """
                # comment
                  export A=plain value   # comment
                B="double # not a comment" # comment
                C='single \\n literal'
                D=value#not-a-comment
                E= # only a comment
                INHERITED
                F="tab\\there \\"quoted\\" \\\\ \\$HOME"
                G=
                """))
        .containsExactly(
            entry("A", "plain value", 2),
            entry("B", "double # not a comment", 3),
            entry("C", "single \\n literal", 4),
            entry("D", "value#not-a-comment", 5),
            entry("E", "", 6),
            entry("F", "tab\there \"quoted\" \\ $HOME", 8),
            entry("G", "", 9));
  }

  @Test
  void quotedValuesMaySpanLinesAndKeepTheLineTheyStartOn() throws Exception {
    assertThat(
            read(
                """
                BEFORE=1
                PEM="-----BEGIN PRIVATE KEY-----
                  MIIEvQIBADANBgkqhkiG9w0BAQEFAASC
                -----END PRIVATE KEY-----"
                SINGLE='a
                b' # comment
                AFTER=2
                """))
        .containsExactly(
            entry("BEFORE", "1", 1),
            entry(
                "PEM",
                "-----BEGIN PRIVATE KEY-----\n  MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----",
                2),
            entry("SINGLE", "a\nb", 5),
            entry("AFTER", "2", 7));
  }

  @Test
  void theClosingQuoteIsTheFirstUnescapedOne() throws Exception {
    assertThat(read("A='it' # it's\nB='Let\\'s go!'\nC=\"say \\\"hi\\\"\" # \"x\"\n"))
        .containsExactly(
            entry("A", "it", 1), entry("B", "Let's go!", 2), entry("C", "say \"hi\"", 3));
  }

  @Test
  void errorsNameTheLineButNeverTheValue() throws Exception {
    assertThatThrownBy(() -> read("OK=1\nSECRET=\"s3cr3t-value\nMORE=2\n"))
        .isInstanceOf(UsageException.class)
        .hasMessageEndingWith("env.tier-api:2: unterminated quoted value")
        .hasMessageNotContaining("s3cr3t");
    assertThatThrownBy(() -> read("A='s3cr3t' trailing\n"))
        .hasMessageEndingWith(":1: text after the closing quote")
        .hasMessageNotContaining("s3cr3t");
    assertThatThrownBy(() -> read("\n\nsk-s3cr3t value\n"))
        .hasMessageEndingWith(":3: not NAME=value")
        .hasMessageNotContaining("s3cr3t");
    assertThatThrownBy(() -> read("BAD NAME=s3cr3t\n"))
        .hasMessageEndingWith(":1: invalid variable name")
        .hasMessageNotContaining("s3cr3t");
  }

  @Test
  void entriesPrintTheirNameAndLineOnly() {
    assertThat(entry("PASSWORD", "s3cr3t", 4)).hasToString("PASSWORD (line 4)");
  }
}
