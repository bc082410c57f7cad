-- planeguard rate limits for PostgreSQL 11 or later: the counts a fleet shares, and the limits a key
-- may carry in the key table.
--
-- Shipped in planeguard-core as dev/planeguard/sql/postgresql/V4__planeguard_rate_limits.sql, to
-- apply after V1 to V3 in the same way (it is a valid Flyway migration), or with psql.
--
-- 1. planeguard_rate_limits: one row per shared token bucket (a key's or caller's limit, a tenant's
--    limit, a tenant's budget of one UTC day, a key's uses), written by Bucket4j's PostgreSQL
--    backend. Each node writes what it spent at most every few requests (its local allowance), so
--    the table sees far fewer writes than there are requests. Rows of idle buckets expire; a node
--    deletes expired rows now and then. The application's database role needs:
--      GRANT SELECT, INSERT, UPDATE, DELETE ON planeguard_rate_limits TO <application role>;

CREATE TABLE planeguard_rate_limits (
  -- what the bucket limits: kind, id and shape, such as k:k7xq2m4p9ra3w5tz:100/100/60g
  id         text   NOT NULL PRIMARY KEY,
  -- the bucket's state, serialised by Bucket4j
  state      bytea  NULL,
  -- when the row may be deleted (milliseconds since the epoch): the bucket is full again by then
  expires_at bigint NULL
);

COMMENT ON TABLE planeguard_rate_limits IS
  'planeguard shared rate-limit, budget and uses counts (Bucket4j buckets); no secrets.';

-- 2. A key's own limits in the key table: its rate limit (requests/period, such as 100/1m), its
--    uses, and the period after which its uses are given back in full (such as 30d). Without these
--    columns keys work as before, but none can be given limits of its own.
ALTER TABLE planeguard_keys
  ADD COLUMN rate_limit  text   NULL CHECK (rate_limit ~ '^[0-9]{1,10}/[0-9]{0,7}[smhd]$'),
  ADD COLUMN uses        bigint NULL CHECK (uses BETWEEN 1 AND 1000000000),
  ADD COLUMN uses_refill text   NULL CHECK (uses_refill ~ '^[0-9]{1,6}[mhd]$'),
  ADD CONSTRAINT planeguard_keys_uses_refill CHECK (uses_refill IS NULL OR uses IS NOT NULL);

-- V2's triggers list the columns whose change is a change of the key; the limits are such columns.
DROP TRIGGER planeguard_keys_touch ON planeguard_keys;

CREATE TRIGGER planeguard_keys_touch
  BEFORE UPDATE ON planeguard_keys
  FOR EACH ROW
  WHEN ((OLD.id, OLD.kind, OLD.mode, OLD.hash, OLD.tenant, OLD.scopes, OLD.status, OLD.not_after,
         OLD.legacy, OLD.created_at, OLD.updated_at, OLD.rate_limit, OLD.uses, OLD.uses_refill)
        IS DISTINCT FROM
        (NEW.id, NEW.kind, NEW.mode, NEW.hash, NEW.tenant, NEW.scopes, NEW.status, NEW.not_after,
         NEW.legacy, NEW.created_at, NEW.updated_at, NEW.rate_limit, NEW.uses, NEW.uses_refill))
  EXECUTE FUNCTION planeguard_keys_touch();

DROP TRIGGER planeguard_keys_notify_update ON planeguard_keys;

CREATE TRIGGER planeguard_keys_notify_update
  AFTER UPDATE ON planeguard_keys
  FOR EACH ROW
  WHEN ((OLD.id, OLD.kind, OLD.mode, OLD.hash, OLD.tenant, OLD.scopes, OLD.status, OLD.not_after,
         OLD.legacy, OLD.rate_limit, OLD.uses, OLD.uses_refill)
        IS DISTINCT FROM
        (NEW.id, NEW.kind, NEW.mode, NEW.hash, NEW.tenant, NEW.scopes, NEW.status, NEW.not_after,
         NEW.legacy, NEW.rate_limit, NEW.uses, NEW.uses_refill))
  EXECUTE FUNCTION planeguard_keys_notify();
