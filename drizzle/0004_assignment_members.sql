CREATE TYPE "public"."assignment_member_status" AS ENUM('not_started', 'in_progress', 'completed');--> statement-breakpoint
CREATE TABLE "assignment_members" (
	"assignment_id" integer NOT NULL,
	"user_id" integer NOT NULL,
	"unit_id" integer NOT NULL,
	"status" "assignment_member_status" DEFAULT 'not_started' NOT NULL,
	"lessons_done" integer DEFAULT 0 NOT NULL,
	"courses_done" integer DEFAULT 0 NOT NULL,
	"completed_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "assignment_members_assignment_id_user_id_pk" PRIMARY KEY("assignment_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "member_credits" (
	"user_id" integer NOT NULL,
	"year" integer NOT NULL,
	"unit_id" integer NOT NULL,
	"hours" integer DEFAULT 0 NOT NULL,
	"months" integer[] NOT NULL,
	"requirement" integer NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "member_credits_user_id_year_pk" PRIMARY KEY("user_id","year")
);
--> statement-breakpoint
CREATE TABLE "stat_dirty" (
	"user_id" integer PRIMARY KEY NOT NULL,
	"marked_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stat_members" (
	"user_id" integer PRIMARY KEY NOT NULL,
	"unit_id" integer NOT NULL,
	"status" "member_status" NOT NULL,
	"is_cadre" boolean NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "assignments" ADD COLUMN "note" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "assignment_members" ADD CONSTRAINT "assignment_members_assignment_id_assignments_id_fk" FOREIGN KEY ("assignment_id") REFERENCES "public"."assignments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assignment_members" ADD CONSTRAINT "assignment_members_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assignment_members" ADD CONSTRAINT "assignment_members_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "member_credits" ADD CONSTRAINT "member_credits_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "member_credits" ADD CONSTRAINT "member_credits_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stat_members" ADD CONSTRAINT "stat_members_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stat_members" ADD CONSTRAINT "stat_members_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "assignment_members_user_idx" ON "assignment_members" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "assignment_members_unit_idx" ON "assignment_members" USING btree ("assignment_id","unit_id","status");--> statement-breakpoint
CREATE INDEX "member_credits_year_unit_idx" ON "member_credits" USING btree ("year","unit_id");--> statement-breakpoint
CREATE INDEX "stat_members_unit_idx" ON "stat_members" USING btree ("unit_id");--> statement-breakpoint
CREATE INDEX "unit_stats_metric_idx" ON "unit_stats" USING btree ("metric","unit_id");--> statement-breakpoint
-- Members whose figures must move: marked by triggers on users, whatever code changed them
-- (app/stats syncs and unmarks them). Statement-level: a bulk load marks its rows in one insert.
CREATE FUNCTION "stat_mark_inserted_users"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "stat_dirty" ("user_id", "marked_at") SELECT "id", now() FROM "inserted_users"
  ON CONFLICT ("user_id") DO UPDATE SET "marked_at" = excluded."marked_at";
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE FUNCTION "stat_mark_updated_users"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "stat_dirty" ("user_id", "marked_at")
  SELECT n."id", now() FROM "new_users" n JOIN "old_users" o ON o."id" = n."id"
  WHERE o."unit_id" IS DISTINCT FROM n."unit_id" OR o."status" IS DISTINCT FROM n."status"
     OR o."is_cadre" IS DISTINCT FROM n."is_cadre" OR o."disabled" IS DISTINCT FROM n."disabled"
  ON CONFLICT ("user_id") DO UPDATE SET "marked_at" = excluded."marked_at";
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "users_stat_inserted" AFTER INSERT ON "users" REFERENCING NEW TABLE AS "inserted_users" FOR EACH STATEMENT EXECUTE FUNCTION "stat_mark_inserted_users"();--> statement-breakpoint
CREATE TRIGGER "users_stat_updated" AFTER UPDATE ON "users" REFERENCING OLD TABLE AS "old_users" NEW TABLE AS "new_users" FOR EACH STATEMENT EXECUTE FUNCTION "stat_mark_updated_users"();
--> statement-breakpoint
-- A unit moved under another parent (its code and its subtree's codes changed): other assignments
-- apply to the members below it, and the daily series kept on every unit above a member must be
-- recomputed (marked by the row with user_id 0).
CREATE FUNCTION "stat_mark_moved_units"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM "new_units" n JOIN "old_units" o ON o."id" = n."id" WHERE o."code" IS DISTINCT FROM n."code") THEN
    INSERT INTO "stat_dirty" ("user_id", "marked_at")
    SELECT u."id", now() FROM "users" u
    JOIN "new_units" n ON n."id" = u."unit_id" JOIN "old_units" o ON o."id" = n."id"
    WHERE o."code" IS DISTINCT FROM n."code"
    UNION ALL SELECT 0, now()
    ON CONFLICT ("user_id") DO UPDATE SET "marked_at" = excluded."marked_at";
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "units_stat_moved" AFTER UPDATE ON "units" REFERENCING OLD TABLE AS "old_units" NEW TABLE AS "new_units" FOR EACH STATEMENT EXECUTE FUNCTION "stat_mark_moved_units"();
