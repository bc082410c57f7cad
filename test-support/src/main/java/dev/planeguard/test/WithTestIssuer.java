package dev.planeguard.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Starts a {@link TestIssuer} with the default settings for the annotated test class, and lets test
 * methods, lifecycle methods and constructors declare {@link TestIssuer} and {@link TestKeys}
 * parameters. Shorthand for {@code @ExtendWith(TestIssuerExtension.class)}; register a {@link
 * TestIssuerExtension} field instead to change the issuer's settings.
 * <!-- example: WithTestIssuer -->
 *
 * <pre>{@code
 * @WithTestIssuer
 * class AccountsApiTest {
 *
 *   @Test
 *   void aTokenOfTheIssuerIsAccepted(TestIssuer issuer) {
 *     String token = issuer.token().subject("alice").sign();
 *     // configure the service with issuer.jwksUri(), issuer.issuerId(), issuer.audience()
 *     // and call it with "Authorization: Bearer " + token
 *   }
 *
 *   @Test
 *   void aMachineKeyIsRefusedOnAHumanRoute(TestKeys keys) {
 *     ApiKey key = keys.machineKey().mint();   // keys.file() is the key file to configure
 *   }
 * }
 * }</pre>
 *
 * @see TestIssuerExtension
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ExtendWith(TestIssuerExtension.class)
public @interface WithTestIssuer {}
