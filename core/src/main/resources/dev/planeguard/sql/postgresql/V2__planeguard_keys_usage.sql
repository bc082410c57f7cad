-- planeguard key store for PostgreSQL, second step: when each key was first and last used.
--
-- Shipped in planeguard-core as dev/planeguard/sql/postgresql/V2__planeguard_keys_usage.sql, to
-- apply after V1__planeguard_keys.sql in the same way (it is a valid Flyway migration). Without it
-- keys keep working; only their use is not recorded, and the application logs which file to apply.
-- The application's database role needs UPDATE on the two new columns:
--   GRANT UPDATE (first_used_at, last_used_at) ON planeguard_keys TO <application role>;

-- Written by planeguard at most once a minute per key and process: first_used_at once, with the
-- earliest use noted; last_used_at only ever forward. Both NULL until the key's first recorded use.
ALTER TABLE planeguard_keys
  ADD COLUMN first_used_at timestamptz NULL,
  ADD COLUMN last_used_at  timestamptz NULL,
  ADD CONSTRAINT planeguard_keys_usage_order CHECK (
    (first_used_at IS NULL) = (last_used_at IS NULL) AND first_used_at <= last_used_at);

-- V1's triggers fire on every UPDATE. A use is not a change of the key: it must neither move
-- updated_at nor send NOTIFY, which would make every listening application node evict the key
-- from its cache and look it up again, once a minute for every key in use on every node. Both
-- triggers now fire only when a column other than the usage columns changes. A column added to
-- this table later must be added to both lists.
DROP TRIGGER planeguard_keys_touch ON planeguard_keys;

CREATE TRIGGER planeguard_keys_touch
  BEFORE UPDATE ON planeguard_keys
  FOR EACH ROW
  WHEN ((OLD.id, OLD.kind, OLD.mode, OLD.hash, OLD.tenant, OLD.scopes, OLD.status, OLD.not_after,
         OLD.legacy, OLD.created_at, OLD.updated_at)
        IS DISTINCT FROM
        (NEW.id, NEW.kind, NEW.mode, NEW.hash, NEW.tenant, NEW.scopes, NEW.status, NEW.not_after,
         NEW.legacy, NEW.created_at, NEW.updated_at))
  EXECUTE FUNCTION planeguard_keys_touch();

DROP TRIGGER planeguard_keys_notify ON planeguard_keys;

CREATE TRIGGER planeguard_keys_notify
  AFTER INSERT OR DELETE ON planeguard_keys
  FOR EACH ROW EXECUTE FUNCTION planeguard_keys_notify();

-- updated_at is left out here: an UPDATE that only sets it changes nothing a node caches.
CREATE TRIGGER planeguard_keys_notify_update
  AFTER UPDATE ON planeguard_keys
  FOR EACH ROW
  WHEN ((OLD.id, OLD.kind, OLD.mode, OLD.hash, OLD.tenant, OLD.scopes, OLD.status, OLD.not_after,
         OLD.legacy)
        IS DISTINCT FROM
        (NEW.id, NEW.kind, NEW.mode, NEW.hash, NEW.tenant, NEW.scopes, NEW.status, NEW.not_after,
         NEW.legacy))
  EXECUTE FUNCTION planeguard_keys_notify();

COMMENT ON COLUMN planeguard_keys.first_used_at IS
  'The first use of the key planeguard recorded (accurate to about two minutes); NULL if none.';
COMMENT ON COLUMN planeguard_keys.last_used_at IS
  'The last use of the key planeguard recorded (accurate to about two minutes); NULL if none.';
