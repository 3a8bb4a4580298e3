-- Commerce tax and coupons: RLS forced for owners too; nothing is ever deleted. A tax profile is
-- read, created and replaced; a tax rate is written once and later only retired; a coupon is
-- written once and later only archived; a redemption is written once and later only released.
-- "Only" is enforced twice: column grants (the request role can update nothing else) and a
-- trigger (an end, once set, is never cleared or moved, and no other column changes).
ALTER TABLE "commerce"."tax_profiles" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "commerce"."tax_rates" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "commerce"."coupons" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "commerce"."coupon_redemptions" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
GRANT SELECT, INSERT ON "commerce"."tax_profiles" TO lyceum_app, lyceum_platform;--> statement-breakpoint
GRANT UPDATE ("seller_legal_name", "seller_country", "seller_tax_id", "reverse_charge_b2b", "version", "updated_by", "updated_at")
  ON "commerce"."tax_profiles" TO lyceum_app, lyceum_platform;--> statement-breakpoint
GRANT SELECT, INSERT ON "commerce"."tax_rates" TO lyceum_app, lyceum_platform;--> statement-breakpoint
GRANT UPDATE ("retired_at", "retired_by") ON "commerce"."tax_rates" TO lyceum_app, lyceum_platform;--> statement-breakpoint
-- UPDATE of the archive columns is also what SELECT ... FOR UPDATE needs: checkout locks a
-- coupon's row while it counts and records a redemption, so its limits hold under concurrency.
GRANT SELECT, INSERT ON "commerce"."coupons" TO lyceum_app, lyceum_platform;--> statement-breakpoint
GRANT UPDATE ("archived_at", "archived_by") ON "commerce"."coupons" TO lyceum_app, lyceum_platform;--> statement-breakpoint
GRANT SELECT, INSERT ON "commerce"."coupon_redemptions" TO lyceum_app, lyceum_platform;--> statement-breakpoint
GRANT UPDATE ("released_at") ON "commerce"."coupon_redemptions" TO lyceum_app, lyceum_platform;--> statement-breakpoint
-- TG_ARGV: the end column, then the columns that may be set with it. Rows compare as jsonb
-- without those columns, so a column added later is covered without touching the function.
CREATE FUNCTION "commerce"."ended_once"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  old_row jsonb := to_jsonb(OLD);
  new_row jsonb := to_jsonb(NEW);
  ending text;
BEGIN
  IF old_row ->> TG_ARGV[0] IS NOT NULL THEN
    RAISE EXCEPTION '%.% row % has ended and cannot change', TG_TABLE_SCHEMA, TG_TABLE_NAME, OLD.id USING ERRCODE = '55000';
  END IF;
  FOREACH ending IN ARRAY TG_ARGV LOOP
    old_row := old_row - ending;
    new_row := new_row - ending;
  END LOOP;
  IF new_row IS DISTINCT FROM old_row THEN
    RAISE EXCEPTION '%.% row % can only be ended', TG_TABLE_SCHEMA, TG_TABLE_NAME, OLD.id USING ERRCODE = '55000';
  END IF;
  RETURN NEW;
END
$$;--> statement-breakpoint
CREATE TRIGGER "tax_rates_retired_once" BEFORE UPDATE ON "commerce"."tax_rates"
  FOR EACH ROW EXECUTE FUNCTION "commerce"."ended_once"('retired_at', 'retired_by');--> statement-breakpoint
CREATE TRIGGER "coupons_archived_once" BEFORE UPDATE ON "commerce"."coupons"
  FOR EACH ROW EXECUTE FUNCTION "commerce"."ended_once"('archived_at', 'archived_by');--> statement-breakpoint
CREATE TRIGGER "coupon_redemptions_released_once" BEFORE UPDATE ON "commerce"."coupon_redemptions"
  FOR EACH ROW EXECUTE FUNCTION "commerce"."ended_once"('released_at');
