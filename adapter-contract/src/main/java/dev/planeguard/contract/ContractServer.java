package dev.planeguard.contract;

/** A running server of the adapter under test, on {@code 127.0.0.1}. */
public interface ContractServer extends AutoCloseable {

  /** The port it listens on. */
  int port();

  /** Stops the server; a failure to stop is unchecked. */
  @Override
  void close();
}
