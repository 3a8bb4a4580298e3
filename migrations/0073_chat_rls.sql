-- Community channel messages (docs/chat.md): RLS forced for owners too, grants for the request
-- roles. Messages are never deleted (a deleted message keeps its row and number without a body),
-- so the request roles get no DELETE on them, the counters or the receipts; reactions come and go.
ALTER TABLE "chat"."channel_counters" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "chat"."channel_messages" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "chat"."message_reactions" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "chat"."read_receipts" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "chat"."send_counters" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
GRANT USAGE ON SCHEMA "chat" TO lyceum_app, lyceum_platform;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON "chat"."message_reactions", "chat"."send_counters"
  TO lyceum_app, lyceum_platform;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON "chat"."channel_counters", "chat"."channel_messages", "chat"."read_receipts"
  TO lyceum_app, lyceum_platform;--> statement-breakpoint
-- A message keeps its channel, number, sender and time; once deleted it stays deleted, without a body.
CREATE FUNCTION "chat"."channel_messages_written_once"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (NEW.channel_id, NEW.seq, NEW.sender_id, NEW.created_at) IS DISTINCT FROM (OLD.channel_id, OLD.seq, OLD.sender_id, OLD.created_at) THEN
    RAISE EXCEPTION 'message % keeps its channel, number, sender and time', OLD.id USING ERRCODE = '55000';
  END IF;
  IF OLD.deleted_at IS NOT NULL THEN
    RAISE EXCEPTION 'message % is deleted and cannot change', OLD.id USING ERRCODE = '55000';
  END IF;
  RETURN NEW;
END
$$;--> statement-breakpoint
CREATE TRIGGER "channel_messages_written_once" BEFORE UPDATE ON "chat"."channel_messages"
  FOR EACH ROW EXECUTE FUNCTION "chat"."channel_messages_written_once"();
