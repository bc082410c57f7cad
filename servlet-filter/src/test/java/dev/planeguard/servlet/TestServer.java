package dev.planeguard.servlet;

import dev.planeguard.contract.ContractServer;
import java.util.List;

/** A real servlet container on loopback, serving some {@link TestApp}s, started once per class. */
interface TestServer extends ContractServer {

  /** Largest request header section both containers are configured to accept (default is 8 KiB). */
  int MAX_HEADER_BYTES = 16 * 1024;

  /** The container's name, for test names. */
  String name();

  /** Stops the server. */
  @Override
  void close();

  /** Starts a server. */
  @FunctionalInterface
  interface Factory {
    TestServer start(List<TestApp> apps) throws Exception;
  }
}
