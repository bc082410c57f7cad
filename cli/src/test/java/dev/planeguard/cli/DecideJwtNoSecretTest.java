package dev.planeguard.cli;

import com.nimbusds.jose.JWSAlgorithm;
import dev.planeguard.test.TestIssuer;
import dev.planeguard.testing.LeakCheck;
import dev.planeguard.testing.OutputCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code decide} with the real JWT verifier prints no token it was given, whatever the verdict:
 * accepted, each kind of refusal, an unreachable JWKS, a broken JWKS (warnings on stderr).
 */
class DecideJwtNoSecretTest {

  @TempDir Path dir;

  @Test
  void noTokenLeaksFromAnyVerdict() throws Exception {
    try (TestIssuer issuer = TestIssuer.start()) {
      Path policy = dir.resolve("p.policy");
      Files.writeString(policy, "human /api/**\n");
      Path jwks = dir.resolve("jwks.json");
      Files.writeString(jwks, issuer.publicJwks().toString());
      Path garbage = dir.resolve("garbage.json");
      Files.writeString(
          garbage, "{\"keys\":[{\"kty\":\"oct\",\"k\":\"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0\"}]}");
      List<String> tokens =
          List.of(
              issuer.token().sign(),
              issuer.token().algorithm(JWSAlgorithm.ES256).sign(),
              issuer
                  .token()
                  .issuedAt(Instant.now().minusSeconds(7200))
                  .expiresIn(Duration.ofMinutes(1))
                  .sign(),
              issuer.token().audience("other").sign(),
              issuer.token().kid("nope").sign(),
              issuer.token().critical("exp").sign(),
              issuer.token().sign() + "=");
      List<String> locations =
          List.of(jwks.toString(), garbage.toString(), "http://127.0.0.1:1/jwks.json");
      LeakCheck check = LeakCheck.create();
      OutputCapture capture =
          OutputCapture.during(
              () -> {
                for (String token : tokens) {
                  for (String location : locations) {
                    for (String json : new String[] {"--json", "--no-json"}) {
                      List<String> args =
                          new ArrayList<>(
                              List.of(
                                  "decide",
                                  "--policy",
                                  policy.toString(),
                                  "--mode",
                                  "test",
                                  "--method",
                                  "GET",
                                  "--target",
                                  "/api/x",
                                  "--header",
                                  "Authorization: Bearer " + token,
                                  "--jwks",
                                  location,
                                  "--issuer",
                                  issuer.issuerId(),
                                  "--audience",
                                  issuer.audience()));
                      if (json.equals("--json")) {
                        args.add(json);
                      }
                      CliRun r = CliRun.run(args.toArray(String[]::new));
                      check.text("stdout", r.out()).text("stderr", r.err());
                    }
                  }
                }
              });
      for (int i = 0; i < tokens.size(); i++) {
        check.jwt("token " + i, tokens.get(i));
      }
      check.output(capture).assertClean();
    }
  }
}
