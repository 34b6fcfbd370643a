-- The content version, announced (issue 14): the deferred trigger that moves content_version also
-- sends the new version on the channel `bisma_content_version`. PostgreSQL delivers a NOTIFY only
-- when its transaction commits, in commit order, so each API process can hold the version in
-- memory from one listening connection instead of reading the row on every cacheable request.

CREATE OR REPLACE FUNCTION bump_content_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  moved bigint;
BEGIN
  -- Once per transaction: the other rows' triggers of the same commit find it done.
  IF current_setting('bisma.content_bumped', true) IS DISTINCT FROM txid_current()::text THEN
    PERFORM set_config('bisma.content_bumped', txid_current()::text, true);
    UPDATE "content_version" SET "version" = "version" + 1, "changed_at" = clock_timestamp()
      RETURNING "version" INTO moved;
    PERFORM pg_notify('bisma_content_version', moved::text);
  END IF;
  RETURN NULL;
END
$$;
