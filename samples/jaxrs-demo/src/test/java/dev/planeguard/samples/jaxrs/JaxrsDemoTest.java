package dev.planeguard.samples.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.planeguard.keys.ApiKey;
import dev.planeguard.samples.plain.PlainDemoContract;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** The Jakarta REST demo as a user runs it in local mode. */
class JaxrsDemoTest extends PlainDemoContract<JaxrsDemo> {

  @Override
  protected JaxrsDemo start(Map<String, String> env) throws Exception {
    return JaxrsDemo.start(env);
  }

  @Override
  protected int port(JaxrsDemo demo) {
    return demo.port();
  }

  @Override
  protected @Nullable String demoToken(JaxrsDemo demo) {
    return demo.demoToken();
  }

  @Override
  protected @Nullable ApiKey demoKey(JaxrsDemo demo) {
    return demo.demoKey();
  }

  @Override
  protected void printUsage(JaxrsDemo demo, PrintStream out) {
    demo.printUsage(out);
  }

  @Test
  void theDebugRouteNamesItself() throws Exception {
    HttpResponse<String> r =
        send("GET", "/__debug/openapi_inspect", "Authorization", "Bearer " + token());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).startsWith("{\"route\":\"/__debug/openapi_inspect\"");
  }
}
