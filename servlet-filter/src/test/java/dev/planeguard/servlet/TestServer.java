package dev.planeguard.servlet;

import java.util.List;

/** A real servlet container on loopback, serving some {@link TestApp}s, started once per class. */
interface TestServer extends AutoCloseable {

  /** Largest request header section both containers are configured to accept (default is 8 KiB). */
  int MAX_HEADER_BYTES = 16 * 1024;

  /** The port it listens on at 127.0.0.1. */
  int port();

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
