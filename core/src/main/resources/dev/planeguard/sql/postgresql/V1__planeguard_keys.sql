-- planeguard key store for PostgreSQL 11 or later: one row per machine or sandbox key.
--
-- Shipped in planeguard-core as dev/planeguard/sql/postgresql/V1__planeguard_keys.sql. Apply it
-- with your migration tool (it is a valid Flyway migration), or with psql. Only the SHA-256 hash of
-- a key is stored here, never the key itself. The checks mirror what the application accepts, so a
-- row the application would reject cannot be written by any other tool either.

CREATE TABLE planeguard_keys (
  -- 16 characters [a-z2-7] for a planeguard key; a name of your choice for a legacy secret
  id         text        NOT NULL PRIMARY KEY,
  -- mk: machine key (X-AOS-Key), sk: sandbox key (X-AOS-Customer-Key)
  kind       text        NOT NULL CHECK (kind IN ('mk', 'sk')),
  -- the mode the key was issued for; it works only there
  mode       text        NOT NULL CHECK (mode IN ('local', 'test', 'preprod', 'prod')),
  -- sha256: and 64 lower-case hex digits of SHA-256 over the whole key string
  hash       text        NOT NULL UNIQUE CHECK (hash ~ '^sha256:[0-9a-f]{64}$'),
  tenant     text        NULL CHECK (tenant ~ '^[A-Za-z0-9._:@-]{1,128}$'),
  -- granted scopes, sorted, separated by one space; '' for none
  scopes     text        NOT NULL DEFAULT ''
                         CHECK (scopes ~ '^([A-Za-z0-9:._/-]{1,128}( [A-Za-z0-9:._/-]{1,128})*)?$'),
  status     text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
  -- the instant after which the key stops working; NULL for never
  not_after  timestamptz NULL,
  -- true for an opaque legacy secret, found by its hash; false for a planeguard key, found by id
  legacy     boolean     NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT planeguard_keys_id_format CHECK (
    CASE WHEN legacy
      THEN id ~ '^[a-z0-9][a-z0-9_-]{0,63}$' AND id !~ '^[a-z2-7]{16}$'
      ELSE id ~ '^[a-z2-7]{16}$'
    END)
);

COMMENT ON TABLE planeguard_keys IS
  'planeguard machine and sandbox keys: hashes only, never keys. Changes are announced with NOTIFY planeguard_keys, ''<id>''.';

-- updated_at follows every change, whoever makes it; created_at never changes.
CREATE FUNCTION planeguard_keys_touch() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.created_at := OLD.created_at;
  NEW.updated_at := now();
  RETURN NEW;
END
$$;

CREATE TRIGGER planeguard_keys_touch
  BEFORE UPDATE ON planeguard_keys
  FOR EACH ROW EXECUTE FUNCTION planeguard_keys_touch();

-- Every change, whoever makes it (planeguard, psql, another tool), is announced on the channel
-- named like the table, with the key id as payload ('*' after TRUNCATE). Application nodes that
-- listen evict that key from their cache at once; the others still see it within their revocation
-- bound. NOTIFY is delivered when the transaction commits, and not at all if it rolls back.
CREATE FUNCTION planeguard_keys_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_LEVEL = 'STATEMENT' THEN
    PERFORM pg_notify(TG_TABLE_NAME, '*');
  ELSIF TG_OP = 'INSERT' THEN
    PERFORM pg_notify(TG_TABLE_NAME, NEW.id);
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM pg_notify(TG_TABLE_NAME, OLD.id);
  ELSE
    PERFORM pg_notify(TG_TABLE_NAME, OLD.id);
    IF NEW.id <> OLD.id THEN
      PERFORM pg_notify(TG_TABLE_NAME, NEW.id);
    END IF;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER planeguard_keys_notify
  AFTER INSERT OR UPDATE OR DELETE ON planeguard_keys
  FOR EACH ROW EXECUTE FUNCTION planeguard_keys_notify();

CREATE TRIGGER planeguard_keys_notify_truncate
  AFTER TRUNCATE ON planeguard_keys
  FOR EACH STATEMENT EXECUTE FUNCTION planeguard_keys_notify();
