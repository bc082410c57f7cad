package dev.planeguard.cli;

import static java.util.Objects.requireNonNull;

import dev.planeguard.ContractSpec;
import dev.planeguard.Mode;
import dev.planeguard.Problem;
import dev.planeguard.secrets.Secret;
import dev.planeguard.secrets.Secrets;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The database of {@code --jdbc-url}, for every command that takes one ({@code check-migration},
 * {@code keys}). The URL is a JDBC URL or a libpq URI ({@code postgresql://user@host:5432/db}).
 * Credentials the URL does not carry come from the environment, never from the command line:
 * {@value #USER_VARIABLE}, and {@value #PASSWORD_VARIABLE} resolved and checked like every secret
 * ({@link Secrets}: {@code PLANEGUARD_JDBC_PASSWORD_FILE} first; strength and placeholder rules in
 * preprod and prod, where {@code AOS_MODE} is read from the environment and an unreadable one
 * counts as prod, the strictest).
 *
 * <p>Neither the URL nor the properties are ever printed: either may hold the password.
 */
final class JdbcTarget {

  static final String USER_VARIABLE = "PLANEGUARD_JDBC_USER";
  static final String PASSWORD_VARIABLE = "PLANEGUARD_JDBC_PASSWORD";

  private final String url;
  private final Properties properties;
  private final List<Problem> violations;

  private JdbcTarget(String url, Properties properties, List<Problem> violations) {
    this.url = url;
    this.properties = properties;
    this.violations = violations;
  }

  /**
   * The database of {@code url}, with user and password from {@code env} where the URL has none.
   *
   * @throws UsageException if {@code url} is neither a {@code jdbc:} URL nor a {@code
   *     postgresql://} URI with a host
   */
  static JdbcTarget of(String url, Map<String, String> env) {
    Mode mode = Mode.parse(env.get(ContractSpec.standard().modeVariable()));
    Secrets secrets = Secrets.of(mode == null ? Mode.PROD : mode, env);
    String password = secrets.find(PASSWORD_VARIABLE).map(Secret::reveal).orElse(null);
    Properties props = new Properties();
    String jdbc = jdbcUrl(url, props);
    String user = env.get(USER_VARIABLE);
    if (user != null && !props.containsKey("user")) {
      props.setProperty("user", user);
    }
    if (password != null && !props.containsKey("password")) {
      props.setProperty("password", password);
    }
    return new JdbcTarget(jdbc, props, secrets.violations());
  }

  /** What is wrong with the password's resolution; connect only if this is empty. */
  List<Problem> violations() {
    return violations;
  }

  /** A new connection through {@link DriverManager}. */
  Connection connect() throws SQLException {
    return DriverManager.getConnection(url, properties);
  }

  /** A data source whose connections are {@link #connect()}'s: one per call, no pool. */
  DataSource dataSource() {
    return new Unpooled(this);
  }

  /** The JDBC URL for {@code url}; a libpq URI's user and password go to {@code props}. */
  private static String jdbcUrl(String url, Properties props) {
    if (url.startsWith("jdbc:")) {
      return url;
    }
    if (!url.startsWith("postgresql://") && !url.startsWith("postgres://")) {
      throw new UsageException("--jdbc-url must be a jdbc: URL or a postgresql:// URI");
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new UsageException("--jdbc-url is not a valid URI");
    }
    if (uri.getHost() == null) {
      throw new UsageException("--jdbc-url needs a host");
    }
    String userInfo = uri.getRawUserInfo();
    if (userInfo != null) {
      int colon = userInfo.indexOf(':');
      props.setProperty("user", decode(colon < 0 ? userInfo : userInfo.substring(0, colon)));
      if (colon >= 0) {
        props.setProperty("password", decode(userInfo.substring(colon + 1)));
      }
    }
    return "jdbc:postgresql://"
        + uri.getHost()
        + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
        + (uri.getRawPath() == null ? "/" : uri.getRawPath())
        + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  /** Never the URL or the properties. */
  @Override
  public String toString() {
    return "JdbcTarget";
  }

  /** {@link JdbcTarget#dataSource()}. */
  private static final class Unpooled implements DataSource {

    private final JdbcTarget target;
    private @Nullable PrintWriter logWriter;
    private int loginTimeoutSeconds;

    Unpooled(JdbcTarget target) {
      this.target = requireNonNull(target);
    }

    @Override
    public Connection getConnection() throws SQLException {
      return target.connect();
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
      throw new SQLFeatureNotSupportedException("credentials come from the environment");
    }

    @Override
    public @Nullable PrintWriter getLogWriter() {
      return logWriter;
    }

    @Override
    public void setLogWriter(@Nullable PrintWriter out) {
      this.logWriter = out;
    }

    @Override
    public void setLoginTimeout(int seconds) {
      // Recorded only: the driver's own connectTimeout (in the URL) governs.
      this.loginTimeoutSeconds = seconds;
    }

    @Override
    public int getLoginTimeout() {
      return loginTimeoutSeconds;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
      throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
      if (type.isInstance(this)) {
        return type.cast(this);
      }
      throw new SQLException("not a wrapper for " + type.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
      return type.isInstance(this);
    }

    @Override
    public String toString() {
      return "JdbcTarget.dataSource";
    }
  }
}
