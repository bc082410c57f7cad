-- planeguard audit ledger for PostgreSQL 11 or later: one row per ledger entry, one chain per node.
--
-- Shipped in planeguard-core as dev/planeguard/sql/postgresql/V3__planeguard_audit_ledger.sql.
-- Apply it with your migration tool (it is a valid Flyway migration; it does not need V1 or V2, but
-- sits beside them so that one Flyway location creates every planeguard table), or with psql.
--
-- Each process of a fleet writes its own chain, named by its node setting: entry 0, 1, 2, ... of
-- that node, each naming the SHA-256 of the one before it. Two processes must never share a node
-- name; the primary key makes the second one fail instead of mixing two chains.
--
-- Append-only is the point. The application's database role needs INSERT and SELECT, nothing more:
--   GRANT SELECT, INSERT ON planeguard_audit_ledger TO <application role>;
-- Let another role own the table (the one that runs migrations). The trigger below refuses UPDATE,
-- DELETE and TRUNCATE for every role, the owner included, so neither a mistake nor an application
-- role that was granted too much can change what was written. The owner (or a superuser) can still
-- disable the trigger: that takes a deliberate ALTER TABLE, and the hash chain finds what is changed
-- afterwards (see docs/audit.md, "Fleets: the ledger in PostgreSQL").

CREATE TABLE planeguard_audit_ledger (
  -- the node setting of the process that wrote the entry: one chain per node
  node        text        NOT NULL CHECK (node ~ '^[A-Za-z0-9._:-]{1,64}$'),
  -- the entry's sequence number in its node's chain, from 0; equal to the entry's own "seq"
  seq         bigint      NOT NULL CHECK (seq >= 0),
  -- the entry exactly as hashed: one JSON object in printable ASCII, starting with "seq" and "prev"
  entry       text        NOT NULL,
  -- when the database stored the row (the time of the decision is the entry's "time")
  recorded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (node, seq)
);

COMMENT ON TABLE planeguard_audit_ledger IS
  'planeguard audit ledger: hash-chained entries, one chain per node. Append-only: never update or delete rows.';

CREATE FUNCTION planeguard_audit_ledger_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'planeguard_audit_ledger is append-only: % is refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER planeguard_audit_ledger_append_only
  BEFORE UPDATE OR DELETE ON planeguard_audit_ledger
  FOR EACH ROW EXECUTE FUNCTION planeguard_audit_ledger_append_only();

CREATE TRIGGER planeguard_audit_ledger_append_only_truncate
  BEFORE TRUNCATE ON planeguard_audit_ledger
  FOR EACH STATEMENT EXECUTE FUNCTION planeguard_audit_ledger_append_only();
