-- Learning vertical: RLS forced for owners too, grants for the request roles, trigram search.
ALTER TABLE "assessment"."assignments" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "assessment"."questions" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "assessment"."quiz_attempts" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "assessment"."quizzes" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "assessment"."submissions" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "catalogue"."catalogue_entries" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "catalogue"."course_instructors" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "catalogue"."course_modules" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "catalogue"."course_reviews" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "catalogue"."course_versions" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "catalogue"."courses" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "catalogue"."learning_path_courses" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "catalogue"."learning_paths" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "catalogue"."lessons" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "credentials"."certificates" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "credentials"."issuer_keys" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "credentials"."status_list_counters" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "enrolment"."enrolment_imports" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "enrolment"."enrolments" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "enrolment"."seat_counters" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "progress"."course_progress" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "progress"."lesson_progress" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "progress"."lesson_unlocks" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
GRANT USAGE ON SCHEMA "assessment", "catalogue", "credentials", "enrolment", "progress" TO lyceum_app, lyceum_platform;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "assessment", "catalogue", "credentials", "enrolment", "progress" TO lyceum_app, lyceum_platform;--> statement-breakpoint
-- Typo-tolerant suggestions over published titles (pg_trgm is a trusted extension).
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "catalogue_entries_title_trgm_idx" ON "catalogue"."catalogue_entries" USING gin ("title" gin_trgm_ops);
