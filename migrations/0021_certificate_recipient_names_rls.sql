-- Certificates issued before issue 9 printed the learner's email address as the recipient name
-- when the learner had no display name (the public verification page, the PDF, the lists).
-- Replace every such name with the learner's display name, or else the masked address
-- (a***@e***.org, as src/modules/credentials/recipient-name.ts does), and mark the PDF, which
-- printed the address, to be rendered again on its next download (pdf_key '').
-- The owner runs migrations but FORCE ROW LEVEL SECURITY applies to it too (no tenant is set
-- here): the two tables are unforced for this one statement, inside the migration's transaction.
ALTER TABLE "credentials"."certificates" NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "identity"."users" NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
UPDATE "credentials"."certificates" c
   SET "recipient_name" = COALESCE(
         (SELECT NULLIF(btrim(u."display_name"), '') FROM "identity"."users" u WHERE u."id" = c."user_id"),
         left(split_part(c."recipient_name", '@', 1), 1) || '***@' || left(split_part(c."recipient_name", '@', 2), 1)
           || '***' || COALESCE(substring(split_part(c."recipient_name", '@', 2) from '(\.[^.]+)$'), '')),
       "pdf_key" = ''
 WHERE c."recipient_name" ~ '^[^@[:space:]]+@[^@[:space:]]+$';--> statement-breakpoint
ALTER TABLE "identity"."users" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "credentials"."certificates" FORCE ROW LEVEL SECURITY;
