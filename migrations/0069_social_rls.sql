-- Social graph and direct messages (docs/social.md): RLS forced for owners too, grants for the
-- request roles. Messages and threads are never deleted (a deleted message keeps its row without
-- a body), so the request roles get no DELETE on them; relationships (follows, blocks, mutes, the
-- allow-list) and reactions are rows that come and go.
ALTER TABLE "social"."profile_settings" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "social"."dm_allow_list" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "social"."dm_policies" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "social"."follows" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "social"."blocks" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "social"."mutes" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "social"."send_counters" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "social"."dm_threads" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "social"."dm_participants" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "social"."dm_messages" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "social"."dm_reactions" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
GRANT USAGE ON SCHEMA "social" TO lyceum_app, lyceum_platform;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON "social"."profile_settings", "social"."dm_allow_list", "social"."dm_policies",
  "social"."follows", "social"."blocks", "social"."mutes", "social"."send_counters", "social"."dm_reactions"
  TO lyceum_app, lyceum_platform;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON "social"."dm_threads", "social"."dm_participants", "social"."dm_messages"
  TO lyceum_app, lyceum_platform;--> statement-breakpoint
-- A message keeps its thread, number, sender and time; once deleted it stays deleted, without a body.
CREATE FUNCTION "social"."dm_messages_written_once"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (NEW.thread_id, NEW.seq, NEW.sender_id, NEW.created_at) IS DISTINCT FROM (OLD.thread_id, OLD.seq, OLD.sender_id, OLD.created_at) THEN
    RAISE EXCEPTION 'message % keeps its thread, number, sender and time', OLD.id USING ERRCODE = '55000';
  END IF;
  IF OLD.deleted_at IS NOT NULL THEN
    RAISE EXCEPTION 'message % is deleted and cannot change', OLD.id USING ERRCODE = '55000';
  END IF;
  RETURN NEW;
END
$$;--> statement-breakpoint
CREATE TRIGGER "dm_messages_written_once" BEFORE UPDATE ON "social"."dm_messages"
  FOR EACH ROW EXECUTE FUNCTION "social"."dm_messages_written_once"();
