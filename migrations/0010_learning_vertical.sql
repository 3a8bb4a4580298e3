CREATE SCHEMA "assessment";
--> statement-breakpoint
CREATE SCHEMA "catalogue";
--> statement-breakpoint
CREATE SCHEMA "credentials";
--> statement-breakpoint
CREATE SCHEMA "enrolment";
--> statement-breakpoint
CREATE SCHEMA "progress";
--> statement-breakpoint
CREATE TABLE "assessment"."assignments" (
	"lesson_id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"course_id" uuid NOT NULL,
	"instructions" text NOT NULL,
	"due_at" timestamp with time zone,
	"due_offset_days" integer,
	"late_policy" text DEFAULT 'accept' NOT NULL,
	"late_penalty_percent" integer DEFAULT 0 NOT NULL,
	"rubric" jsonb NOT NULL,
	"passing_points" integer NOT NULL,
	"allow_resubmission" boolean DEFAULT true NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "assignments_late_penalty_range" CHECK ("assessment"."assignments"."late_penalty_percent" BETWEEN 0 AND 100)
);
--> statement-breakpoint
ALTER TABLE "assessment"."assignments" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "assessment"."questions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"course_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"prompt" text NOT NULL,
	"options" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"answer_key" jsonb NOT NULL,
	"points" integer DEFAULT 1 NOT NULL,
	"explanation" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "questions_points_positive" CHECK ("assessment"."questions"."points" > 0)
);
--> statement-breakpoint
ALTER TABLE "assessment"."questions" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "assessment"."quiz_attempts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"lesson_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"enrolment_id" uuid NOT NULL,
	"number" integer NOT NULL,
	"question_order" jsonb NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deadline_at" timestamp with time zone,
	"answers" jsonb,
	"submitted_at" timestamp with time zone,
	"score" integer,
	"max_score" integer,
	"passed" boolean
);
--> statement-breakpoint
ALTER TABLE "assessment"."quiz_attempts" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "assessment"."quizzes" (
	"lesson_id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"course_id" uuid NOT NULL,
	"question_ids" jsonb NOT NULL,
	"attempt_limit" integer,
	"time_limit_seconds" integer,
	"randomise_order" boolean DEFAULT false NOT NULL,
	"passing_percent" integer DEFAULT 70 NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "quizzes_passing_percent_range" CHECK ("assessment"."quizzes"."passing_percent" BETWEEN 0 AND 100)
);
--> statement-breakpoint
ALTER TABLE "assessment"."quizzes" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "assessment"."submissions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"lesson_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"enrolment_id" uuid NOT NULL,
	"number" integer NOT NULL,
	"text" text DEFAULT '' NOT NULL,
	"file_refs" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"submitted_at" timestamp with time zone DEFAULT now() NOT NULL,
	"late" boolean DEFAULT false NOT NULL,
	"status" text DEFAULT 'submitted' NOT NULL,
	"rubric_scores" jsonb,
	"points" integer,
	"passed" boolean,
	"feedback" text,
	"graded_by" uuid,
	"graded_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "assessment"."submissions" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "catalogue"."catalogue_entries" (
	"course_id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"version_id" uuid NOT NULL,
	"slug" text NOT NULL,
	"title" text NOT NULL,
	"summary" text NOT NULL,
	"level" text NOT NULL,
	"language" text NOT NULL,
	"category" text,
	"tags" jsonb NOT NULL,
	"instructor_ids" jsonb NOT NULL,
	"cover_image_ref" text,
	"delivery" text NOT NULL,
	"free" boolean DEFAULT true NOT NULL,
	"lesson_count" integer NOT NULL,
	"duration_minutes" integer NOT NULL,
	"search" "tsvector" NOT NULL,
	"published_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "catalogue"."catalogue_entries" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "catalogue"."course_instructors" (
	"tenant_id" uuid NOT NULL,
	"course_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"role" text NOT NULL,
	"added_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "course_instructors_course_id_user_id_pk" PRIMARY KEY("course_id","user_id")
);
--> statement-breakpoint
ALTER TABLE "catalogue"."course_instructors" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "catalogue"."course_modules" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"course_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"title" text NOT NULL,
	"release_at" timestamp with time zone,
	"release_offset_days" integer,
	CONSTRAINT "course_modules_one_drip_rule" CHECK ("catalogue"."course_modules"."release_at" IS NULL OR "catalogue"."course_modules"."release_offset_days" IS NULL)
);
--> statement-breakpoint
ALTER TABLE "catalogue"."course_modules" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "catalogue"."course_reviews" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"course_id" uuid NOT NULL,
	"action" text NOT NULL,
	"comment" text,
	"actor_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "catalogue"."course_reviews" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "catalogue"."course_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"course_id" uuid NOT NULL,
	"number" integer NOT NULL,
	"snapshot" jsonb NOT NULL,
	"published_by" uuid NOT NULL,
	"published_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "catalogue"."course_versions" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "catalogue"."courses" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"slug" text NOT NULL,
	"title" text NOT NULL,
	"summary" text DEFAULT '' NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"level" text DEFAULT 'all' NOT NULL,
	"language" text DEFAULT 'en' NOT NULL,
	"category" text,
	"tags" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"cover_image_ref" text,
	"delivery" text DEFAULT 'self_paced' NOT NULL,
	"cohort_starts_at" timestamp with time zone,
	"cohort_ends_at" timestamp with time zone,
	"capacity" integer,
	"access_days" integer,
	"status" text DEFAULT 'draft' NOT NULL,
	"owner_id" uuid NOT NULL,
	"published_version_id" uuid,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "courses_slug_format" CHECK ("catalogue"."courses"."slug" ~ '^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$'),
	CONSTRAINT "courses_capacity_positive" CHECK ("catalogue"."courses"."capacity" IS NULL OR "catalogue"."courses"."capacity" > 0),
	CONSTRAINT "courses_access_days_positive" CHECK ("catalogue"."courses"."access_days" IS NULL OR "catalogue"."courses"."access_days" > 0)
);
--> statement-breakpoint
ALTER TABLE "catalogue"."courses" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "catalogue"."learning_path_courses" (
	"tenant_id" uuid NOT NULL,
	"path_id" uuid NOT NULL,
	"course_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"prerequisites" jsonb DEFAULT '[]'::jsonb NOT NULL,
	CONSTRAINT "learning_path_courses_path_id_course_id_pk" PRIMARY KEY("path_id","course_id")
);
--> statement-breakpoint
ALTER TABLE "catalogue"."learning_path_courses" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "catalogue"."learning_paths" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"slug" text NOT NULL,
	"title" text NOT NULL,
	"summary" text DEFAULT '' NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"created_by" uuid NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "catalogue"."learning_paths" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "catalogue"."lessons" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"course_id" uuid NOT NULL,
	"module_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"kind" text NOT NULL,
	"title" text NOT NULL,
	"body" text DEFAULT '' NOT NULL,
	"asset_ref" text,
	"url" text,
	"duration_minutes" integer,
	"preview" boolean DEFAULT false NOT NULL,
	"release_at" timestamp with time zone,
	"release_offset_days" integer,
	"prerequisites" jsonb DEFAULT '[]'::jsonb NOT NULL,
	CONSTRAINT "lessons_one_drip_rule" CHECK ("catalogue"."lessons"."release_at" IS NULL OR "catalogue"."lessons"."release_offset_days" IS NULL)
);
--> statement-breakpoint
ALTER TABLE "catalogue"."lessons" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "credentials"."certificates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"course_id" uuid NOT NULL,
	"enrolment_id" uuid NOT NULL,
	"verification_code" text NOT NULL,
	"recipient_name" text NOT NULL,
	"course_title" text NOT NULL,
	"issued_at" timestamp with time zone DEFAULT now() NOT NULL,
	"credential" jsonb NOT NULL,
	"pdf_key" text NOT NULL,
	"status_index" integer NOT NULL,
	"revoked_at" timestamp with time zone,
	"revocation_reason" text
);
--> statement-breakpoint
ALTER TABLE "credentials"."certificates" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "credentials"."issuer_keys" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"public_key_multibase" text NOT NULL,
	"private_key_encrypted" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "credentials"."issuer_keys" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "credentials"."status_list_counters" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"next_index" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "credentials"."status_list_counters" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "enrolment"."enrolment_imports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"course_id" uuid NOT NULL,
	"created_by" uuid NOT NULL,
	"checksum" text NOT NULL,
	"rows" jsonb NOT NULL,
	"errors" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"applied_at" timestamp with time zone,
	"applied_count" integer
);
--> statement-breakpoint
ALTER TABLE "enrolment"."enrolment_imports" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "enrolment"."enrolments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"course_id" uuid NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"source" text NOT NULL,
	"source_ref" text,
	"enrolled_by" text NOT NULL,
	"enrolled_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "enrolment"."enrolments" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "enrolment"."seat_counters" (
	"course_id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"capacity" integer NOT NULL,
	"taken" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "seat_counters_within_capacity" CHECK ("enrolment"."seat_counters"."taken" >= 0 AND "enrolment"."seat_counters"."taken" <= "enrolment"."seat_counters"."capacity")
);
--> statement-breakpoint
ALTER TABLE "enrolment"."seat_counters" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "progress"."course_progress" (
	"enrolment_id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"course_id" uuid NOT NULL,
	"completed_lessons" integer DEFAULT 0 NOT NULL,
	"total_lessons" integer NOT NULL,
	"percent" integer DEFAULT 0 NOT NULL,
	"last_lesson_id" uuid,
	"last_activity_at" timestamp with time zone,
	"completed_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "progress"."course_progress" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "progress"."lesson_progress" (
	"tenant_id" uuid NOT NULL,
	"enrolment_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"course_id" uuid NOT NULL,
	"lesson_id" uuid NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone,
	"time_spent_seconds" integer DEFAULT 0 NOT NULL,
	"position" jsonb,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "lesson_progress_enrolment_id_lesson_id_pk" PRIMARY KEY("enrolment_id","lesson_id")
);
--> statement-breakpoint
ALTER TABLE "progress"."lesson_progress" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "progress"."lesson_unlocks" (
	"tenant_id" uuid NOT NULL,
	"enrolment_id" uuid NOT NULL,
	"lesson_id" uuid NOT NULL,
	"unlock_at" timestamp with time zone NOT NULL,
	"notified_at" timestamp with time zone,
	"rule" text NOT NULL,
	CONSTRAINT "lesson_unlocks_enrolment_id_lesson_id_pk" PRIMARY KEY("enrolment_id","lesson_id")
);
--> statement-breakpoint
ALTER TABLE "progress"."lesson_unlocks" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "assessment"."assignments" ADD CONSTRAINT "assignments_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assessment"."questions" ADD CONSTRAINT "questions_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assessment"."quiz_attempts" ADD CONSTRAINT "quiz_attempts_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assessment"."quizzes" ADD CONSTRAINT "quizzes_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assessment"."submissions" ADD CONSTRAINT "submissions_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "catalogue"."catalogue_entries" ADD CONSTRAINT "catalogue_entries_course_id_courses_id_fk" FOREIGN KEY ("course_id") REFERENCES "catalogue"."courses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "catalogue"."catalogue_entries" ADD CONSTRAINT "catalogue_entries_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "catalogue"."catalogue_entries" ADD CONSTRAINT "catalogue_entries_version_id_course_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "catalogue"."course_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "catalogue"."course_instructors" ADD CONSTRAINT "course_instructors_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "catalogue"."course_instructors" ADD CONSTRAINT "course_instructors_course_id_courses_id_fk" FOREIGN KEY ("course_id") REFERENCES "catalogue"."courses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "catalogue"."course_modules" ADD CONSTRAINT "course_modules_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "catalogue"."course_modules" ADD CONSTRAINT "course_modules_course_id_courses_id_fk" FOREIGN KEY ("course_id") REFERENCES "catalogue"."courses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "catalogue"."course_reviews" ADD CONSTRAINT "course_reviews_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "catalogue"."course_reviews" ADD CONSTRAINT "course_reviews_course_id_courses_id_fk" FOREIGN KEY ("course_id") REFERENCES "catalogue"."courses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "catalogue"."course_versions" ADD CONSTRAINT "course_versions_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "catalogue"."course_versions" ADD CONSTRAINT "course_versions_course_id_courses_id_fk" FOREIGN KEY ("course_id") REFERENCES "catalogue"."courses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "catalogue"."courses" ADD CONSTRAINT "courses_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "catalogue"."learning_path_courses" ADD CONSTRAINT "learning_path_courses_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "catalogue"."learning_path_courses" ADD CONSTRAINT "learning_path_courses_path_id_learning_paths_id_fk" FOREIGN KEY ("path_id") REFERENCES "catalogue"."learning_paths"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "catalogue"."learning_path_courses" ADD CONSTRAINT "learning_path_courses_course_id_courses_id_fk" FOREIGN KEY ("course_id") REFERENCES "catalogue"."courses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "catalogue"."learning_paths" ADD CONSTRAINT "learning_paths_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "catalogue"."lessons" ADD CONSTRAINT "lessons_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "catalogue"."lessons" ADD CONSTRAINT "lessons_course_id_courses_id_fk" FOREIGN KEY ("course_id") REFERENCES "catalogue"."courses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "catalogue"."lessons" ADD CONSTRAINT "lessons_module_id_course_modules_id_fk" FOREIGN KEY ("module_id") REFERENCES "catalogue"."course_modules"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credentials"."certificates" ADD CONSTRAINT "certificates_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credentials"."issuer_keys" ADD CONSTRAINT "issuer_keys_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credentials"."status_list_counters" ADD CONSTRAINT "status_list_counters_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "enrolment"."enrolment_imports" ADD CONSTRAINT "enrolment_imports_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "enrolment"."enrolments" ADD CONSTRAINT "enrolments_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "enrolment"."seat_counters" ADD CONSTRAINT "seat_counters_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "progress"."course_progress" ADD CONSTRAINT "course_progress_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "progress"."lesson_progress" ADD CONSTRAINT "lesson_progress_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "progress"."lesson_unlocks" ADD CONSTRAINT "lesson_unlocks_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "tenancy"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "questions_course_idx" ON "assessment"."questions" USING btree ("tenant_id","course_id");--> statement-breakpoint
CREATE UNIQUE INDEX "quiz_attempts_number_key" ON "assessment"."quiz_attempts" USING btree ("lesson_id","user_id","number");--> statement-breakpoint
CREATE INDEX "quiz_attempts_enrolment_idx" ON "assessment"."quiz_attempts" USING btree ("tenant_id","enrolment_id");--> statement-breakpoint
CREATE UNIQUE INDEX "submissions_number_key" ON "assessment"."submissions" USING btree ("lesson_id","user_id","number");--> statement-breakpoint
CREATE INDEX "submissions_lesson_status_idx" ON "assessment"."submissions" USING btree ("tenant_id","lesson_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "catalogue_entries_slug_key" ON "catalogue"."catalogue_entries" USING btree ("tenant_id","slug");--> statement-breakpoint
CREATE INDEX "catalogue_entries_published_idx" ON "catalogue"."catalogue_entries" USING btree ("tenant_id","published_at","course_id");--> statement-breakpoint
CREATE INDEX "catalogue_entries_search_idx" ON "catalogue"."catalogue_entries" USING gin ("search");--> statement-breakpoint
CREATE INDEX "course_instructors_user_idx" ON "catalogue"."course_instructors" USING btree ("tenant_id","user_id");--> statement-breakpoint
CREATE INDEX "course_modules_course_idx" ON "catalogue"."course_modules" USING btree ("course_id","position");--> statement-breakpoint
CREATE INDEX "course_reviews_course_idx" ON "catalogue"."course_reviews" USING btree ("course_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "course_versions_number_key" ON "catalogue"."course_versions" USING btree ("course_id","number");--> statement-breakpoint
CREATE UNIQUE INDEX "courses_tenant_slug_key" ON "catalogue"."courses" USING btree ("tenant_id","slug");--> statement-breakpoint
CREATE UNIQUE INDEX "learning_paths_tenant_slug_key" ON "catalogue"."learning_paths" USING btree ("tenant_id","slug");--> statement-breakpoint
CREATE INDEX "lessons_module_idx" ON "catalogue"."lessons" USING btree ("module_id","position");--> statement-breakpoint
CREATE INDEX "lessons_course_idx" ON "catalogue"."lessons" USING btree ("course_id");--> statement-breakpoint
CREATE UNIQUE INDEX "certificates_enrolment_key" ON "credentials"."certificates" USING btree ("enrolment_id");--> statement-breakpoint
CREATE UNIQUE INDEX "certificates_verification_code_key" ON "credentials"."certificates" USING btree ("verification_code");--> statement-breakpoint
CREATE UNIQUE INDEX "certificates_status_index_key" ON "credentials"."certificates" USING btree ("tenant_id","status_index");--> statement-breakpoint
CREATE INDEX "certificates_user_idx" ON "credentials"."certificates" USING btree ("tenant_id","user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "enrolment_imports_checksum_key" ON "enrolment"."enrolment_imports" USING btree ("tenant_id","course_id","checksum");--> statement-breakpoint
CREATE UNIQUE INDEX "enrolments_user_course_key" ON "enrolment"."enrolments" USING btree ("tenant_id","user_id","course_id");--> statement-breakpoint
CREATE INDEX "enrolments_course_idx" ON "enrolment"."enrolments" USING btree ("tenant_id","course_id","status");--> statement-breakpoint
CREATE INDEX "enrolments_expiry_idx" ON "enrolment"."enrolments" USING btree ("expires_at") WHERE "enrolment"."enrolments"."status" = 'active' AND "enrolment"."enrolments"."expires_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "course_progress_user_idx" ON "progress"."course_progress" USING btree ("tenant_id","user_id","last_activity_at");--> statement-breakpoint
CREATE INDEX "lesson_progress_user_idx" ON "progress"."lesson_progress" USING btree ("tenant_id","user_id","updated_at");--> statement-breakpoint
CREATE INDEX "lesson_unlocks_due_idx" ON "progress"."lesson_unlocks" USING btree ("unlock_at","notified_at");--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "assessment"."assignments" AS PERMISSIVE FOR ALL TO public USING ("assessment"."assignments"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("assessment"."assignments"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "assessment"."assignments" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "assessment"."questions" AS PERMISSIVE FOR ALL TO public USING ("assessment"."questions"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("assessment"."questions"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "assessment"."questions" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "assessment"."quiz_attempts" AS PERMISSIVE FOR ALL TO public USING ("assessment"."quiz_attempts"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("assessment"."quiz_attempts"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "assessment"."quiz_attempts" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "assessment"."quizzes" AS PERMISSIVE FOR ALL TO public USING ("assessment"."quizzes"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("assessment"."quizzes"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "assessment"."quizzes" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "assessment"."submissions" AS PERMISSIVE FOR ALL TO public USING ("assessment"."submissions"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("assessment"."submissions"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "assessment"."submissions" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "catalogue"."catalogue_entries" AS PERMISSIVE FOR ALL TO public USING ("catalogue"."catalogue_entries"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("catalogue"."catalogue_entries"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "catalogue"."catalogue_entries" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "catalogue"."course_instructors" AS PERMISSIVE FOR ALL TO public USING ("catalogue"."course_instructors"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("catalogue"."course_instructors"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "catalogue"."course_instructors" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "catalogue"."course_modules" AS PERMISSIVE FOR ALL TO public USING ("catalogue"."course_modules"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("catalogue"."course_modules"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "catalogue"."course_modules" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "catalogue"."course_reviews" AS PERMISSIVE FOR ALL TO public USING ("catalogue"."course_reviews"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("catalogue"."course_reviews"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "catalogue"."course_reviews" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "catalogue"."course_versions" AS PERMISSIVE FOR ALL TO public USING ("catalogue"."course_versions"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("catalogue"."course_versions"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "catalogue"."course_versions" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "catalogue"."courses" AS PERMISSIVE FOR ALL TO public USING ("catalogue"."courses"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("catalogue"."courses"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "catalogue"."courses" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "catalogue"."learning_path_courses" AS PERMISSIVE FOR ALL TO public USING ("catalogue"."learning_path_courses"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("catalogue"."learning_path_courses"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "catalogue"."learning_path_courses" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "catalogue"."learning_paths" AS PERMISSIVE FOR ALL TO public USING ("catalogue"."learning_paths"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("catalogue"."learning_paths"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "catalogue"."learning_paths" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "catalogue"."lessons" AS PERMISSIVE FOR ALL TO public USING ("catalogue"."lessons"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("catalogue"."lessons"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "catalogue"."lessons" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "credentials"."certificates" AS PERMISSIVE FOR ALL TO public USING ("credentials"."certificates"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("credentials"."certificates"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "credentials"."certificates" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "credentials"."issuer_keys" AS PERMISSIVE FOR ALL TO public USING ("credentials"."issuer_keys"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("credentials"."issuer_keys"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "credentials"."issuer_keys" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "credentials"."status_list_counters" AS PERMISSIVE FOR ALL TO public USING ("credentials"."status_list_counters"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("credentials"."status_list_counters"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "credentials"."status_list_counters" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "enrolment"."enrolment_imports" AS PERMISSIVE FOR ALL TO public USING ("enrolment"."enrolment_imports"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("enrolment"."enrolment_imports"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "enrolment"."enrolment_imports" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "enrolment"."enrolments" AS PERMISSIVE FOR ALL TO public USING ("enrolment"."enrolments"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("enrolment"."enrolments"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "enrolment"."enrolments" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "enrolment"."seat_counters" AS PERMISSIVE FOR ALL TO public USING ("enrolment"."seat_counters"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("enrolment"."seat_counters"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "enrolment"."seat_counters" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "progress"."course_progress" AS PERMISSIVE FOR ALL TO public USING ("progress"."course_progress"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("progress"."course_progress"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "progress"."course_progress" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "progress"."lesson_progress" AS PERMISSIVE FOR ALL TO public USING ("progress"."lesson_progress"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("progress"."lesson_progress"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "progress"."lesson_progress" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "progress"."lesson_unlocks" AS PERMISSIVE FOR ALL TO public USING ("progress"."lesson_unlocks"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("progress"."lesson_unlocks"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "platform_access" ON "progress"."lesson_unlocks" AS PERMISSIVE FOR ALL TO "lyceum_platform" USING (true) WITH CHECK (true);