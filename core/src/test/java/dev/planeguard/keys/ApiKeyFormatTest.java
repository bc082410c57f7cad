package dev.planeguard.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.planeguard.Detail;
import dev.planeguard.Mode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Set;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/** The key format of the design, checked against an independent computation. */
class ApiKeyFormatTest {

  @Test
  void generatedKeysHaveTheDocumentedShape() {
    for (Mode mode : Mode.values()) {
      for (ApiKey.Kind kind : ApiKey.Kind.values()) {
        ApiKey key = ApiKey.generate(kind, mode);
        String v = key.value();
        assertThat(v)
            .matches(
                "aos_"
                    + kind.code()
                    + "_"
                    + mode.id()
                    + "_[a-z2-7]{16}_[0-9A-Za-z]{43}_[0-9A-Za-z]{6}");
        assertThat(v.length()).isBetween(ApiKey.MIN_LENGTH, ApiKey.MAX_LENGTH);
        assertThat(ApiKey.defect(v)).isNull();
        assertThat(ApiKey.parse(v)).isEqualTo(key);
        assertThat(ApiKey.parse(v).id()).isEqualTo(key.id());
      }
    }
  }

  @Test
  void theChecksumIsCrc32OfEverythingBeforeTheLastUnderscoreInBase62() {
    ApiKey key = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    String v = key.value();
    String body = v.substring(0, v.lastIndexOf('_'));
    CRC32 crc = new CRC32();
    crc.update(body.getBytes(StandardCharsets.UTF_8));
    long value = crc.getValue();
    StringBuilder expected = new StringBuilder();
    String alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    for (int i = 0; i < 6; i++) {
      expected.insert(0, alphabet.charAt((int) (value % 62)));
      value /= 62;
    }
    assertThat(v.substring(v.lastIndexOf('_') + 1)).isEqualTo(expected.toString());
  }

  @Test
  void aKnownKeyHasAKnownChecksumAndHash() throws Exception {
    // The design's example id "k7xq2m4p9ra3w5tz" has a 9, which is outside [a-z2-7].
    String body = "aos_mk_prod_k7xq2m4p3ra3w5tz_" + "A".repeat(43);
    String check = ApiKey.checksum(body);
    assertThat(check).hasSize(6);
    String key = body + "_" + check;
    assertThat(ApiKey.defect(key)).isNull();
    assertThat(ApiKey.parse(key).id()).isEqualTo("k7xq2m4p3ra3w5tz");
    byte[] digest =
        MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    assertThat(ApiKey.hash(key)).isEqualTo("sha256:" + HexFormat.of().formatHex(digest));
  }

  @Test
  void secretsUseTheWholeAlphabetAndAreUnique() {
    SecureRandom random = new SecureRandom();
    Set<Character> seen = new java.util.HashSet<>();
    Set<String> keys = new java.util.HashSet<>();
    for (int i = 0; i < 200; i++) {
      String v = ApiKey.generate("aos", ApiKey.Kind.MACHINE, Mode.TEST, random).value();
      keys.add(v);
      String secret = v.split("_")[4];
      for (int c = 0; c < secret.length(); c++) {
        seen.add(secret.charAt(c));
      }
    }
    assertThat(keys).hasSize(200);
    assertThat(seen).hasSize(62);
  }

  @Test
  void defectsAreFoundWithoutAnyLookup() {
    String good = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD).value();
    char last = good.charAt(good.length() - 1);
    String badCheck = good.substring(0, good.length() - 1) + (last == 'a' ? 'b' : 'a');
    int secretAt = good.lastIndexOf('_') - 1;
    String badSecret =
        good.substring(0, secretAt)
            + (good.charAt(secretAt) == 'a' ? 'b' : 'a')
            + good.substring(secretAt + 1);
    assertThat(ApiKey.defect(badCheck)).isEqualTo(Detail.BAD_CHECKSUM);
    assertThat(ApiKey.defect(badSecret)).isEqualTo(Detail.BAD_CHECKSUM);
    assertThat(ApiKey.defect(good.substring(0, good.length() - 1))).isEqualTo(Detail.MALFORMED);
    assertThat(ApiKey.defect(good + "x")).isEqualTo(Detail.MALFORMED);
    assertThat(ApiKey.defect(good.replace("_prod_", "_staging_"))).isEqualTo(Detail.MALFORMED);
    assertThat(ApiKey.defect(good.replace("aos_mk", "aos_xk"))).isEqualTo(Detail.MALFORMED);
    assertThat(ApiKey.defect(good.replace('_', '-'))).isEqualTo(Detail.MALFORMED);
    assertThat(ApiKey.defect(good.substring(0, 40) + "\u00e9" + good.substring(41)))
        .isEqualTo(Detail.MALFORMED);
    assertThat(ApiKey.defect(good + ", " + good)).isEqualTo(Detail.MALFORMED);
    assertThat(ApiKey.defect(" " + good)).isEqualTo(Detail.MALFORMED);
    assertThat(ApiKey.defect("x".repeat(1_000_000))).isEqualTo(Detail.MALFORMED);
    assertThat(ApiKey.defect("")).isEqualTo(Detail.MALFORMED);
    assertThat(ApiKey.hasKeyShape(badCheck)).isTrue();
    assertThat(ApiKey.hasKeyShape("Bearer " + good)).isFalse();
  }

  @Test
  void parseFailuresNeverEchoTheValue() {
    String good = ApiKey.generate(ApiKey.Kind.SANDBOX, Mode.LOCAL).value();
    String bad = good.substring(0, good.length() - 1) + (good.endsWith("0") ? "1" : "0");
    assertThatThrownBy(() -> ApiKey.parse(bad))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("key checksum does not match");
    assertThatThrownBy(() -> ApiKey.parse("aos_mk_" + good)).hasMessage("not a planeguard key");
  }

  @Test
  void toStringShowsIdKindAndModeOnly() {
    ApiKey key = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PREPROD);
    assertThat(key.toString())
        .isEqualTo("ApiKey{id=" + key.id() + ", kind=mk, mode=preprod}")
        .doesNotContain(key.value().split("_")[4]);
  }

  @Test
  void hashesCompareInConstantTimeAndByValue() {
    String h = ApiKey.hash("a");
    assertThat(ApiKey.hashesEqual(h, ApiKey.hash("a"))).isTrue();
    assertThat(ApiKey.hashesEqual(h, ApiKey.hash("b"))).isFalse();
    assertThat(ApiKey.hashesEqual(h, h.substring(1))).isFalse();
  }

  @Test
  void keyRecordsRoundTripThroughJsonLines() {
    ApiKey key = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    KeyRecord record =
        KeyRecord.of(
            key, "acme", Set.of("runs:write", "a:b"), Instant.parse("2027-01-01T00:00:00Z"));
    String line = record.toJsonLine();
    assertThat(line)
        .isEqualTo(
            "{\"id\":\""
                + key.id()
                + "\",\"kind\":\"mk\",\"mode\":\"prod\",\"hash\":\""
                + key.hash()
                + "\",\"tenant\":\"acme\",\"scopes\":[\"a:b\",\"runs:write\"],\"status\":\"active\","
                + "\"notAfter\":\"2027-01-01T00:00:00Z\"}")
        .doesNotContain(key.value());
    assertThat(KeyRecord.parseJsonLine(line)).isEqualTo(record);
    assertThat(record.toString()).doesNotContain(key.hash());
    assertThat(record.usableAt(Instant.parse("2027-01-01T00:00:00Z"))).isTrue();
    assertThat(record.usableAt(Instant.parse("2027-01-01T00:00:01Z"))).isFalse();
    assertThat(record.revoked().usableAt(Instant.parse("2026-01-01T00:00:00Z"))).isFalse();
  }

  @Test
  void keyRecordsRefuseAnythingUnexpected() {
    String hash = ApiKey.hash("x");
    String base =
        "\"id\":\"k7xq2m4p3ra3w5tz\",\"kind\":\"mk\",\"mode\":\"prod\",\"hash\":\""
            + hash
            + "\",\"status\":\"active\"";
    assertThat(KeyRecord.parseJsonLine("{" + base + "}").tenant()).isNull();
    for (String bad :
        new String[] {
          "not json",
          "[]",
          "{" + base + ",\"notafter\":\"2027-01-01T00:00:00Z\"}",
          "{" + base.replace("\"mk\"", "\"xk\"") + "}",
          "{" + base.replace("\"prod\"", "\"PROD\"") + "}",
          "{" + base.replace("active", "enabled") + "}",
          "{" + base.replace(hash, "sha256:ABC") + "}",
          "{" + base + ",\"notAfter\":\"tomorrow\"}",
          "{" + base + ",\"scopes\":\"runs:write\"}",
          "{" + base + ",\"scopes\":[1]}",
          "{" + base + ",\"tenant\":\"a b\"}",
          "{" + base.replace("\"status\":\"active\"", "\"status\":1") + "}",
          "{" + base.replace(",\"status\":\"active\"", "") + "}",
          // a structured record's id is a key id: 16 characters of [a-z2-7]
          "{" + base.replace("k7xq2m4p3ra3w5tz", "k7xq2m4p9ra3w5tz") + "}",
          "{" + base.replace("k7xq2m4p3ra3w5tz", "billing") + "}",
          // a legacy record's id is a name, never one shaped like a key id
          "{" + base + ",\"legacy\":true}",
          "{" + base.replace("k7xq2m4p3ra3w5tz", "Billing") + ",\"legacy\":true}",
          "{" + base.replace("k7xq2m4p3ra3w5tz", "aos-api-key") + ",\"legacy\":\"true\"}",
        }) {
      assertThatThrownBy(() -> KeyRecord.parseJsonLine(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void legacyRecordsAreMarkedAndRoundTrip() {
    KeyRecord legacy =
        new KeyRecord(
            "aos-api-key-2025",
            ApiKey.Kind.MACHINE,
            Mode.PROD,
            ApiKey.hash("a-legacy-secret-of-some-length"),
            null,
            Set.of(),
            KeyRecord.Status.ACTIVE,
            null,
            true);
    String line = legacy.toJsonLine();
    assertThat(line).startsWith("{\"id\":\"aos-api-key-2025\",\"legacy\":true,\"kind\":\"mk\"");
    assertThat(KeyRecord.parseJsonLine(line)).isEqualTo(legacy);
    assertThat(legacy.revoked().legacy()).isTrue();
    assertThat(legacy.withNotAfter(Instant.EPOCH).legacy()).isTrue();
    assertThat(legacy.toString()).contains("legacy").doesNotContain(legacy.hash());
    ApiKey key = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    String structured = KeyRecord.of(key, null, Set.of(), null).toJsonLine();
    assertThat(structured).doesNotContain("legacy");
    assertThat(KeyRecord.parseJsonLine(structured.replace("}", ",\"legacy\":false}")).legacy())
        .isFalse();
  }

  @Test
  void theShapeCheckAgreesWithTheDocumentedFormatOnRandomMutations() {
    java.util.regex.Pattern documented =
        java.util.regex.Pattern.compile(
            "[a-z]{2,8}_(mk|sk)_(local|test|preprod|prod)_[a-z2-7]{16}_[0-9A-Za-z]{43}_[0-9A-Za-z]{6}");
    java.util.Random random = new java.util.Random(20261122);
    String alphabet = "aAzZ019_-.%\u00e9 sSkKmM";
    int shaped = 0;
    int valid = 0;
    for (int i = 0; i < 20_000; i++) {
      Mode mode = Mode.values()[random.nextInt(4)];
      String prefix = "abcdefghi".substring(0, 1 + random.nextInt(9));
      String v =
          prefix.length() < 2
              ? ApiKey.generate(ApiKey.Kind.MACHINE, mode).value()
              : ApiKey.generate(
                      prefix.length() > 8 ? "aos" : prefix,
                      ApiKey.Kind.values()[random.nextInt(2)],
                      mode,
                      new SecureRandom())
                  .value();
      StringBuilder sb = new StringBuilder(v);
      int edits = random.nextInt(3);
      for (int e = 0; e < edits; e++) {
        int at = random.nextInt(sb.length());
        switch (random.nextInt(3)) {
          case 0 -> sb.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
          case 1 -> sb.deleteCharAt(at);
          default -> sb.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
        }
      }
      String candidate = sb.toString();
      boolean expected = documented.matcher(candidate).matches();
      assertThat(ApiKey.hasKeyShape(candidate)).as(candidate).isEqualTo(expected);
      if (expected) {
        shaped++;
        assertThat(ApiKey.defect(candidate)).isIn(null, Detail.BAD_CHECKSUM);
      } else {
        assertThat(ApiKey.defect(candidate)).isEqualTo(Detail.MALFORMED);
      }
      // tryParse (the verifier's one-pass parse) accepts exactly what defect accepts.
      ApiKey parsed = ApiKey.tryParse(candidate);
      if (ApiKey.defect(candidate) == null) {
        valid++;
        assertThat(parsed).isNotNull();
        ApiKey strict = ApiKey.parse(candidate);
        assertThat(parsed.value()).isEqualTo(strict.value());
        assertThat(parsed.id()).isEqualTo(strict.id());
        assertThat(parsed.kind()).isEqualTo(strict.kind());
        assertThat(parsed.mode()).isEqualTo(strict.mode());
        assertThat(parsed.prefix()).isEqualTo(strict.prefix());
      } else {
        assertThat(parsed).as(candidate).isNull();
      }
    }
    assertThat(shaped).as("both outcomes are exercised").isBetween(2_000, 18_000);
    assertThat(valid).as("unedited keys parse").isGreaterThan(1_000);
    assertThat(
            ApiKey.hasKeyShape("aos_mk_PROD_" + "a".repeat(16) + "_" + "A".repeat(43) + "_AAAAAA"))
        .isFalse();
    assertThat(
            ApiKey.hasKeyShape(
                "abcdefghi_mk_prod_" + "a".repeat(16) + "_" + "A".repeat(43) + "_AAAAAA"))
        .isFalse();
  }
}
