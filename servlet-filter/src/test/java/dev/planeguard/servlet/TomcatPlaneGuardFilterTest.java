package dev.planeguard.servlet;

import java.util.List;

/** The filter contract on embedded Tomcat 11. */
class TomcatPlaneGuardFilterTest extends PlaneGuardFilterContract {

  @Override
  TestServer start(List<TestApp> apps) throws Exception {
    return TomcatServer.start(apps);
  }
}
