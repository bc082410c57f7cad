package dev.planeguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A principal's collections cannot be changed, by its holder or through what it was made from. */
class HumanPrincipalTest {

  static Map<String, Object> claims() {
    Map<String, Object> nested = new LinkedHashMap<>();
    nested.put("role", "admin");
    nested.put("teams", new ArrayList<>(List.of("a", "b")));
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("sub", "user_1");
    claims.put("org", nested);
    claims.put("aud", new ArrayList<>(List.of("x", "y")));
    claims.put("nothing", null);
    return claims;
  }

  @Test
  void anyMapGivenIsCopied() {
    Map<String, Object> source = claims();
    Set<String> scopes = new LinkedHashSet<>(List.of("read"));
    HumanPrincipal p = new HumanPrincipal("user_1", "https://issuer", null, null, scopes, source);
    source.put("sub", "someone else");
    scopes.add("write");
    assertThat(p.claims()).containsEntry("sub", "user_1").isNotSameAs(source);
    assertThat(p.scopes()).containsExactly("read");
    assertThatThrownBy(() -> p.claims().put("x", 1))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> p.scopes().add("x")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void verifiedClaimsAreADeepFrozenCopyKeptAsIs() {
    Map<String, Object> source = claims();
    VerifiedClaims verified = VerifiedClaims.copyOf(source);
    HumanPrincipal p =
        new HumanPrincipal("user_1", "https://issuer", null, null, Set.of(), verified);
    assertThat(p.claims()).isSameAs(verified);

    // A deep copy: changing the source, at any depth, changes nothing.
    source.put("sub", "someone else");
    @SuppressWarnings("unchecked")
    Map<String, Object> nested = (Map<String, Object>) source.get("org");
    nested.put("role", "nobody");
    @SuppressWarnings("unchecked")
    List<Object> teams = (List<Object>) nested.get("teams");
    teams.add("c");
    assertThat(p.claims()).containsEntry("sub", "user_1");
    assertThat(p.claims().get("org"))
        .isEqualTo(Map.of("role", "admin", "teams", List.of("a", "b")));

    // Frozen at every depth, in the token's order, nulls kept.
    assertThat(p.claims().keySet()).containsExactly("sub", "org", "aud", "nothing");
    assertThat(p.claims()).containsEntry("nothing", null).hasSize(4);
    assertThatThrownBy(() -> p.claims().put("x", 1))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> p.claims().remove("sub"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> p.claims().entrySet().iterator().next().setValue("x"))
        .isInstanceOf(UnsupportedOperationException.class);
    @SuppressWarnings("unchecked")
    Map<String, Object> org = (Map<String, Object>) p.claims().get("org");
    assertThatThrownBy(() -> org.put("role", "root"))
        .isInstanceOf(UnsupportedOperationException.class);
    @SuppressWarnings("unchecked")
    List<Object> frozenTeams = (List<Object>) org.get("teams");
    assertThatThrownBy(() -> frozenTeams.add("z"))
        .isInstanceOf(UnsupportedOperationException.class);
    @SuppressWarnings("unchecked")
    List<Object> aud = (List<Object>) p.claims().get("aud");
    assertThatThrownBy(() -> aud.set(0, "z")).isInstanceOf(UnsupportedOperationException.class);

    // Equal to the same claims in an ordinary map.
    assertThat(p)
        .isEqualTo(
            new HumanPrincipal(
                "user_1", "https://issuer", null, null, Set.of(), VerifiedClaims.copyOf(claims())));
    assertThat(p.claims()).isEqualTo(VerifiedClaims.copyOf(claims()));
    assertThat(p.claims().hashCode()).isEqualTo(new LinkedHashMap<>(p.claims()).hashCode());
  }
}
