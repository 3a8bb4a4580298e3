-- Suppressed addresses are platform-wide (an address bounces for every tenant) and only the
-- platform role reads and writes them: the delivery job and the provider-events webhook.
ALTER TABLE "platform"."mail_suppressions" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
GRANT SELECT, INSERT ON "platform"."mail_suppressions" TO lyceum_platform;
