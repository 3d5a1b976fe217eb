ALTER TABLE "mistake_book" ADD COLUMN "last_practised_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "quiz_attempts" ADD COLUMN "responses" jsonb;