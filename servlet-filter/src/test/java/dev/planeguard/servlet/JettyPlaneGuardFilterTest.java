package dev.planeguard.servlet;

import java.util.List;

/** The filter contract on embedded Jetty 12 (ee10). */
class JettyPlaneGuardFilterTest extends PlaneGuardFilterContract {

  @Override
  TestServer start(List<TestApp> apps) throws Exception {
    return JettyServer.start(apps);
  }
}
