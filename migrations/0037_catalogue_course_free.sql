-- Free follows the prices: commerce switches it off while a course has an active price (setCourseFree),
-- and each publication copies it into the catalogue entry, so a course priced as a draft is listed as paid.
ALTER TABLE "catalogue"."courses" ADD COLUMN "free" boolean DEFAULT true NOT NULL;