package dev.planeguard.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.planeguard.HumanPrincipal;
import dev.planeguard.MachinePrincipal;
import dev.planeguard.Plane;
import dev.planeguard.Principal;
import dev.planeguard.SandboxPrincipal;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.security.core.GrantedAuthority;

/** The authorities of each kind of caller: one plane authority, then the sorted scopes. */
class PlaneGuardAuthenticationTest {

  static List<String> authorities(Principal principal) {
    return new PlaneGuardAuthentication(principal)
        .getAuthorities().stream().map(GrantedAuthority::getAuthority).toList();
  }

  @Test
  void theConstantsAreThePrefixAndThePlaneNames() {
    assertThat(PlaneGuardAuthentication.PLANE_PREFIX).isEqualTo("PLANE_");
    assertThat(PlaneGuardAuthentication.PLANE_HUMAN).isEqualTo("PLANE_HUMAN");
    assertThat(PlaneGuardAuthentication.PLANE_MACHINE).isEqualTo("PLANE_MACHINE");
    assertThat(PlaneGuardAuthentication.PLANE_SANDBOX).isEqualTo("PLANE_SANDBOX");
  }

  @Test
  void aHumanHasPlaneHuman() {
    HumanPrincipal human =
        new HumanPrincipal(
            "user_1", "https://auth.example.com", null, null, Set.of("b", "a"), Map.of());
    assertThat(authorities(human)).containsExactly("PLANE_HUMAN", "SCOPE_a", "SCOPE_b");
  }

  @Test
  void aMachineHasPlaneMachine() {
    assertThat(authorities(new MachinePrincipal("key_1", null, Set.of("runs:write"))))
        .containsExactly("PLANE_MACHINE", "SCOPE_runs:write");
    assertThat(authorities(new MachinePrincipal("key_2", "t1", Set.of())))
        .containsExactly("PLANE_MACHINE");
  }

  @Test
  void aSandboxCallerIsOnTheHumanPlaneButHasPlaneSandboxOnly() {
    SandboxPrincipal sandbox = new SandboxPrincipal("key_3", "t1", Set.of("runs:read"));
    assertThat(sandbox.plane()).isEqualTo(Plane.HUMAN);
    PlaneGuardAuthentication auth = new PlaneGuardAuthentication(sandbox);
    assertThat(authorities(sandbox)).containsExactly("PLANE_SANDBOX", "SCOPE_runs:read");
    assertThat(auth.isAuthenticated()).isTrue();
    assertThat(auth.getName()).isEqualTo("key_3");
    assertThat(auth.getPrincipal()).isSameAs(sandbox);
    assertThat(auth.getCredentials()).isEqualTo("");
  }
}
