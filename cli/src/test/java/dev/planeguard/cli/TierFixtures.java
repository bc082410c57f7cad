package dev.planeguard.cli;

import dev.planeguard.Mode;
import dev.planeguard.testing.FakeSecrets;
import dev.planeguard.testing.LeakCheck;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tier fixtures of {@code src/test/resources/tiers}, copied into a directory with each
 * {@code @TOKEN@} replaced by a fake made for this run (see the fixtures' README).
 */
final class TierFixtures {

  static final List<String> TIERS = List.of("data", "api", "worker", "agent", "media", "llm");

  /** Token to its fake value for this run. */
  final Map<String, String> values = new LinkedHashMap<>();

  TierFixtures() {
    values.put("@ANTHROPIC_KEY@", FakeSecrets.anthropicKey());
    values.put("@OPENAI_KEY@", FakeSecrets.openAiKey());
    values.put("@GOOGLE_KEY@", FakeSecrets.googleKey());
    values.put("@GITHUB_TOKEN@", FakeSecrets.githubToken());
    values.put("@AWS_KEY_ID@", FakeSecrets.awsAccessKeyId());
    values.put("@PLANEGUARD_KEY@", FakeSecrets.machineKey(Mode.PROD));
    values.put("@STRONG@", FakeSecrets.strong(40));
  }

  /** Copies {@code tiers/<set>/env.tier-<tier>} for each tier that exists into {@code dir}. */
  List<Path> copy(String set, Path dir) {
    List<Path> files = new ArrayList<>();
    for (String tier : TIERS) {
      String resource = "/tiers/" + set + "/env.tier-" + tier;
      try (InputStream in = TierFixtures.class.getResourceAsStream(resource)) {
        if (in == null) {
          continue;
        }
        String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        for (Map.Entry<String, String> e : values.entrySet()) {
          text = text.replace(e.getKey(), e.getValue());
        }
        Path file = dir.resolve("env.tier-" + tier);
        Files.writeString(file, text, StandardCharsets.UTF_8);
        files.add(file);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return files;
  }

  /** A leak check with every fake of this run registered. */
  LeakCheck leakCheck() {
    String anthropic = values.get("@ANTHROPIC_KEY@");
    return LeakCheck.create()
        .secret("anthropic key", anthropic.substring("sk-ant-api03-".length()))
        .secret("openai key", values.get("@OPENAI_KEY@").substring("sk-proj-".length()))
        .secret("google key", values.get("@GOOGLE_KEY@").substring("AIza".length()))
        .secret("github token", values.get("@GITHUB_TOKEN@").substring("ghp_".length()))
        .wholeValue("aws key id", values.get("@AWS_KEY_ID@"))
        .apiKey("planeguard key", values.get("@PLANEGUARD_KEY@"))
        .secret("strong secret", values.get("@STRONG@"));
  }
}
