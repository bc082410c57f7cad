package dev.planeguard.samples.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.planeguard.keys.ApiKey;
import dev.planeguard.samples.plain.PlainDemoContract;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** The servlet demo as a user runs it in local mode, and what only a servlet container shows. */
class ServletDemoTest extends PlainDemoContract<ServletDemo> {

  @Override
  protected ServletDemo start(Map<String, String> env) throws Exception {
    return ServletDemo.start(env);
  }

  @Override
  protected int port(ServletDemo demo) {
    return demo.port();
  }

  @Override
  protected @Nullable String demoToken(ServletDemo demo) {
    return demo.demoToken();
  }

  @Override
  protected @Nullable ApiKey demoKey(ServletDemo demo) {
    return demo.demoKey();
  }

  @Override
  protected void printUsage(ServletDemo demo, PrintStream out) {
    demo.printUsage(out);
  }

  @Test
  void aRunIsReadByItsId() throws Exception {
    assertThat(send("GET", "/api/v1/runs/run-1", "X-AOS-Key", key().value()).body())
        .contains("run-1");
  }

  @Test
  void anUnmappedRouteAndAMappedRouteWithoutAServletAnswerTheSame404() throws Exception {
    HttpResponse<String> unmapped = send("GET", "/api/v1/nothing");
    HttpResponse<String> noServlet =
        send("GET", "/api/v1/accounts/other", "Authorization", "Bearer " + token());
    assertThat(unmapped.statusCode()).isEqualTo(404);
    assertThat(noServlet.statusCode()).isEqualTo(404);
    assertThat(noServlet.body()).isEqualTo(unmapped.body());
    assertThat(noServlet.headers().firstValue("Content-Type"))
        .isEqualTo(unmapped.headers().firstValue("Content-Type"));
  }
}
