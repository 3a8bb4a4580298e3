ALTER TABLE "identity"."users" ADD COLUMN "locale" text;--> statement-breakpoint
ALTER TABLE "tenancy"."tenants" ADD COLUMN "time_zone" text DEFAULT 'UTC' NOT NULL;