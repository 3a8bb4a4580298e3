-- The request roles update the tax profile column by column (migration 0044); the seller's
-- address is one more column they may replace.
GRANT UPDATE ("seller_address") ON "commerce"."tax_profiles" TO lyceum_app, lyceum_platform;
