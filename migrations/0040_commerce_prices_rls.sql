-- Commerce prices: RLS forced for owners too. Products and price versions are never deleted; a
-- price version is written once and later only closed (valid_to, ended_by), never changed after;
-- settings are read, created and replaced, never deleted (no row means the defaults).
ALTER TABLE "commerce"."products" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "commerce"."price_versions" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "commerce"."tenant_settings" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "commerce"."fx_rates" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
GRANT USAGE ON SCHEMA "commerce" TO lyceum_app, lyceum_platform;--> statement-breakpoint
-- UPDATE of revision only: the price-list ETag, and the row lock that serialises a product's price changes.
GRANT SELECT, INSERT ON "commerce"."products" TO lyceum_app, lyceum_platform;--> statement-breakpoint
GRANT UPDATE ("revision") ON "commerce"."products" TO lyceum_app, lyceum_platform;--> statement-breakpoint
GRANT SELECT, INSERT ON "commerce"."price_versions" TO lyceum_app, lyceum_platform;--> statement-breakpoint
GRANT UPDATE ("valid_to", "ended_by") ON "commerce"."price_versions" TO lyceum_app, lyceum_platform;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON "commerce"."tenant_settings" TO lyceum_app, lyceum_platform;--> statement-breakpoint
-- Exchange rates are platform reference data: every request reads them (read_all policy), only
-- the platform role (operators) records them, and nobody rewrites one (corrections are newer rows).
GRANT SELECT ON "commerce"."fx_rates" TO lyceum_app;--> statement-breakpoint
GRANT SELECT, INSERT ON "commerce"."fx_rates" TO lyceum_platform;--> statement-breakpoint
-- Orders lock a price version by id: once closed it is history and stays exactly as sold.
CREATE FUNCTION "commerce"."price_versions_closed_once"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.valid_to IS NOT NULL THEN
    RAISE EXCEPTION 'price version % is closed and cannot change', OLD.id USING ERRCODE = '55000';
  END IF;
  IF (NEW.id, NEW.tenant_id, NEW.product_id, NEW.currency, NEW.amount, NEW.version, NEW.valid_from, NEW.created_by)
     IS DISTINCT FROM (OLD.id, OLD.tenant_id, OLD.product_id, OLD.currency, OLD.amount, OLD.version, OLD.valid_from, OLD.created_by) THEN
    RAISE EXCEPTION 'price version % can only be closed', OLD.id USING ERRCODE = '55000';
  END IF;
  RETURN NEW;
END
$$;--> statement-breakpoint
CREATE TRIGGER "price_versions_closed_once" BEFORE UPDATE ON "commerce"."price_versions"
  FOR EACH ROW EXECUTE FUNCTION "commerce"."price_versions_closed_once"();
