-- The content version (issue 15): one counter that moves, in the committing transaction, with every
-- write to the content the API's response cache keeps (agencies, targets, target phases,
-- commitments, events, sessions, exhibitors, products, participations, deals), whichever process
-- writes (the API, the CLI, a job, the demo seed, psql). The cache keys its entries by it.
-- A deferred trigger bumps it once per transaction, at commit: the row lock is held for an instant.

-- CreateTable
CREATE TABLE "content_version" (
    "id" BOOLEAN NOT NULL DEFAULT true,
    "version" BIGINT NOT NULL,
    "changed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "content_version_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "content_version_one_row" CHECK ("id")
);

-- Starts at the clock in ms: a restored database never goes back to a version a cache has seen.
INSERT INTO "content_version" ("id", "version") VALUES (true, (extract(epoch FROM clock_timestamp()) * 1000)::bigint);

CREATE FUNCTION bump_content_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Once per transaction: the other rows' triggers of the same commit find it done.
  IF current_setting('bisma.content_bumped', true) IS DISTINCT FROM txid_current()::text THEN
    PERFORM set_config('bisma.content_bumped', txid_current()::text, true);
    UPDATE "content_version" SET "version" = "version" + 1, "changed_at" = clock_timestamp();
  END IF;
  RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER "agency_content_version" AFTER INSERT OR UPDATE OR DELETE ON "agency"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_content_version();
CREATE CONSTRAINT TRIGGER "fiscal_target_content_version" AFTER INSERT OR UPDATE OR DELETE ON "fiscal_target"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_content_version();
CREATE CONSTRAINT TRIGGER "kpi_target_phase_content_version" AFTER INSERT OR UPDATE OR DELETE ON "kpi_target_phase"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_content_version();
CREATE CONSTRAINT TRIGGER "event_content_version" AFTER INSERT OR UPDATE OR DELETE ON "event"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_content_version();
CREATE CONSTRAINT TRIGGER "session_content_version" AFTER INSERT OR UPDATE OR DELETE ON "session"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_content_version();
CREATE CONSTRAINT TRIGGER "exhibitor_content_version" AFTER INSERT OR UPDATE OR DELETE ON "exhibitor"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_content_version();
CREATE CONSTRAINT TRIGGER "product_content_version" AFTER INSERT OR UPDATE OR DELETE ON "product"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_content_version();
CREATE CONSTRAINT TRIGGER "participation_content_version" AFTER INSERT OR UPDATE OR DELETE ON "participation"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_content_version();
CREATE CONSTRAINT TRIGGER "deal_content_version" AFTER INSERT OR UPDATE OR DELETE ON "deal"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_content_version();
