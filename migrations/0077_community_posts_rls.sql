-- Community posts, comments, reactions, polls and posting counters: RLS forced for owners too.
-- The grants on the community schema's tables (0071) name existing tables only, so the new ones
-- get theirs here. Posts and comments are deleted softly; counters and votes change in place.
ALTER TABLE "community"."posts" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "community"."post_comments" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "community"."post_reactions" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "community"."comment_reactions" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "community"."post_polls" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "community"."poll_options" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "community"."poll_votes" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "community"."posting_counters" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON
  "community"."posts", "community"."post_comments", "community"."post_reactions",
  "community"."comment_reactions", "community"."post_polls", "community"."poll_options",
  "community"."poll_votes", "community"."posting_counters"
  TO lyceum_app, lyceum_platform;
