package dev.planeguard.spring.examples;

import dev.planeguard.AuditEvent;
import dev.planeguard.spring.PlaneGuardCustomizer;
import org.springframework.context.annotation.Bean;

/**
 * The Java examples of planeguard-spring-boot-starter's Javadoc, compiled: each region between
 * {@code // example: NAME} and {@code // end example} is the text of the Javadoc block marked
 * {@code <!-- example: NAME -->}, and {@link JavadocExamplesTest} checks that the two are the same.
 * Nothing here is run, and nothing here is a configuration Spring would pick up.
 */
final class JavadocExamples {

  private JavadocExamples() {}

  /** The application's own publisher of audit events. */
  interface AuditPublisher {
    void publish(AuditEvent event);
  }

  // example: PlaneGuardCustomizer
  @Bean
  PlaneGuardCustomizer auditToKafka(AuditPublisher publisher) {
    return builder -> builder.auditSink(publisher::publish);
  }
  // end example
}
