package dev.planeguard.samples.extra;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** A handler no policy rule covers (test only; outside the demo's component scan). */
@RestController
public class UncoveredController {
  @GetMapping("/api/v2/export")
  public String export() {
    return "everything";
  }
}
